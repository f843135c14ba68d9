// tckn.js - T.C. Kimlik No checks, the same rules the server applies:
// 11 digits, the first not 0, the 10th and 11th are check digits.

// Returns null when valid, otherwise a Turkish message saying what is wrong.
// With partial=true (while typing) an incomplete number is not an error yet.
export function tcknProblem(value, partial = false) {
  const v = String(value || '').trim();
  if (v === '') return partial ? null : 'Lütfen T.C. Kimlik Numaranızı giriniz.';
  if (!/^[0-9]+$/.test(v)) return 'T.C. Kimlik No yalnızca rakamlardan oluşmalıdır.';
  if (v[0] === '0') return 'T.C. Kimlik No 0 ile başlayamaz.';
  if (v.length > 11) return 'T.C. Kimlik No 11 haneli olmalıdır.';
  if (v.length < 11) return partial ? null : 'T.C. Kimlik No 11 haneli olmalıdır.';
  const d = [...v].map(Number);
  const odd = d[0] + d[2] + d[4] + d[6] + d[8];
  const even = d[1] + d[3] + d[5] + d[7];
  const c10 = (((odd * 7 - even) % 10) + 10) % 10;
  const c11 = d.slice(0, 10).reduce((a, b) => a + b, 0) % 10;
  if (d[9] !== c10 || d[10] !== c11) {
    return 'Girdiğiniz T.C. Kimlik No geçerli değil: kontrol haneleri tutmuyor. Lütfen numaranızı kontrol ediniz.';
  }
  return null;
}

export function isValidTckn(value) {
  return tcknProblem(value) === null;
}
