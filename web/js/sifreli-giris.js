// sifreli-giris.js - Şifreli Giriş: T.C. Kimlik No (checked as typed) and
// the güvenlik sözcüğü; on success, on to the İşlemler Menüsü. The server
// gives one answer for an unknown T.C. Kimlik No and a wrong word.
import { api, ensureSession, getSession, showError } from './api.js';
import { tcknProblem } from './tckn.js';

const form = document.getElementById('pw-form');
const tckn = document.getElementById('tckn');
const word = document.getElementById('word');
const tcknError = document.getElementById('tckn-error');
const wordError = document.getElementById('word-error');
const button = document.getElementById('giris-btn');

function fieldError(input, el, message) {
  el.textContent = message || '';
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

getSession().then((s) => {
  if (!s || !s.authenticated) return;
  document.querySelectorAll('[data-user-name]').forEach((el) => { el.textContent = s.name || ''; });
  document.querySelectorAll('[data-already]').forEach((el) => { el.hidden = false; });
}).catch(() => {});

tckn.addEventListener('input', () => {
  showError('');
  const v = tckn.value.trim();
  fieldError(tckn, tcknError, tcknProblem(v, true));
  tckn.classList.toggle('valid', v.length === 11 && !tcknProblem(v));
});
word.addEventListener('input', () => { showError(''); fieldError(word, wordError, ''); });

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  showError('');
  const v = tckn.value.trim();
  const problem = tcknProblem(v);
  if (problem) {
    fieldError(tckn, tcknError, problem);
    tckn.focus();
    return;
  }
  if (!word.value) {
    fieldError(word, wordError, 'Lütfen güvenlik sözcüğünüzü giriniz.');
    word.focus();
    return;
  }
  button.disabled = true;
  try {
    await ensureSession();
    await api.post('/api/v1/login/password', { tckn: v, word: word.value });
    word.value = '';
    window.location.assign('/islemler.html');
  } catch (e) {
    word.value = '';
    if (e.code === 'bad_tckn') {
      fieldError(tckn, tcknError, e.message);
      tckn.focus();
    } else {
      showError(e.message);
      word.focus();
    }
  } finally {
    button.disabled = false;
  }
});
