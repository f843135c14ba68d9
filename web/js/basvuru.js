// basvuru.js - the application portal (/basvuru/KURUM): Kullanıcı Girişi
// (captcha + identity, sicil no, or the Başvuru Formu Erişim Parolası),
// the Başvuru Formu built from the server's field table (the same table
// checks it on the server: src/domain/appform.c), the SMS Onay Kodu, the
// choice of signing method and the result. Where the browser is comes from
// the server (GET /api/v1/basvuru), so a reload lands on the same step.
import { api, ApiError, ensureSession, showError } from './api.js';
import { createCeremony } from './ceremony.js';

const $ = (id) => document.getElementById(id);
const kurum = decodeURIComponent(window.location.pathname.split('/')[2] || '');
const SECTIONS = ['s-entry', 's-recover', 's-form', 's-sms', 's-method', 's-esign', 's-result'];

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return el;
}

function show(id) {
  for (const s of SECTIONS) $(s).hidden = s !== id;
  const hd = $(id).querySelector('h2');
  if (hd) hd.focus();
}

// --- captcha: "Resimdeki Yazıyı Giriniz" (single use: a new one after every try)
function makeCaptcha(container, uid) {
  const img = h('img', { alt: 'Doğrulama resmi: resimdeki yazıyı aşağıdaki kutuya giriniz', width: 220, height: 70 });
  const renew = h('button', { type: 'button', class: 'btn secondary' }, 'Yeni Resim');
  const input = h('input', { id: uid, type: 'text', class: 'text', maxlength: 12, autocomplete: 'off', spellcheck: 'false' });
  container.replaceChildren(
    h('div', { class: 'captcha-row' }, img, renew),
    h('div', { class: 'field' }, h('label', { for: uid }, 'Resimdeki Yazıyı Giriniz'), input));
  let id = null;
  async function load() {
    input.value = '';
    const c = await api.post('/api/v1/basvuru/captcha', {});
    id = c.id;
    img.src = c.image;
  }
  renew.addEventListener('click', () => load().catch((e) => showError(e.message)));
  return { load, value: () => ({ captcha_id: id || '', captcha: input.value.trim() }) };
}

// --- 1. Kullanıcı Girişi -------------------------------------------------
const entryCaptcha = makeCaptcha(document.querySelector('#s-entry [data-captcha]'), 'e-captcha');
const recoverCaptcha = makeCaptcha(document.querySelector('#s-recover [data-captcha]'), 'r-captcha');

function how() {
  return document.querySelector('input[name="how"]:checked').value;
}
document.querySelectorAll('input[name="how"]').forEach((r) => r.addEventListener('change', () => {
  document.querySelectorAll('[data-how]').forEach((el) => { el.hidden = el.dataset.how !== how(); });
}));

async function showEntry() {
  show('s-entry');
  await entryCaptcha.load();
}

$('entry-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  showError('');
  const body = Object.assign({ kurum, tckn: $('e-tckn').value.trim() }, entryCaptcha.value());
  if (how() === 'registry') {
    Object.assign(body, { ad: $('e-ad').value, soyad: $('e-soyad').value,
                          dogum_yeri: $('e-yer').value, dogum_tarihi: $('e-tarih').value });
  } else if (how() === 'staff') {
    body.sicil = $('e-sicil').value;
  } else {
    body.parola = $('e-parola').value;
  }
  $('entry-btn').disabled = true;
  try {
    await route(await api.post('/api/v1/basvuru/giris', body));
  } catch (e) {
    showError(e.message);
    entryCaptcha.load().catch(() => {});
  } finally {
    $('entry-btn').disabled = false;
  }
});

$('to-entry').addEventListener('click', (ev) => { ev.preventDefault(); showError(''); showEntry().catch((e) => showError(e.message)); });
$('to-recover').addEventListener('click', async (ev) => {
  ev.preventDefault();
  showError('');
  show('s-recover');
  try { await recoverCaptcha.load(); } catch (e) { showError(e.message); }
});

$('recover-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  showError('');
  const body = Object.assign({
    kurum, tckn: $('r-tckn').value.trim(), ad: $('r-ad').value, soyad: $('r-soyad').value,
    dogum_yeri: $('r-yer').value, dogum_tarihi: $('r-tarih').value, cep: $('r-cep').value,
  }, recoverCaptcha.value());
  $('recover-btn').disabled = true;
  try {
    const d = await api.post('/api/v1/basvuru/parola-unuttum', body);
    await route(d, { sent: true });
  } catch (e) {
    showError(e.message);
    recoverCaptcha.load().catch(() => {});
  } finally {
    $('recover-btn').disabled = false;
  }
});

// --- 2. Başvuru Formu, built from the field table -------------------------
let places = {};

function control(f) {
  const common = { id: 'f-' + f.name, name: f.name, 'aria-describedby': f.name + '-error' + (f.help ? ' ' + f.name + '-help' : '') };
  if (f.readonly) return h('input', Object.assign(common, { type: 'text', class: 'text', readonly: true, value: f.value || '' }));
  if (f.type === 'select') {
    const sel = h('select', common, h('option', { value: '' }, 'Seçiniz'));
    for (const o of f.options || []) sel.append(h('option', { value: o.value }, o.label));
    if (f.value) sel.value = f.value;
    return sel;
  }
  if (f.type === 'textarea') {
    const t = h('textarea', Object.assign(common, { maxlength: f.maxlength }));
    t.value = f.value || '';
    return t;
  }
  const type = f.type === 'password' ? 'password' : f.type === 'email' ? 'email' : f.type === 'tel' ? 'tel' : 'text';
  return h('input', Object.assign(common, {
    type, class: 'text', maxlength: f.type === 'tel' ? 20 : f.maxlength, inputmode: f.inputmode,
    autocomplete: f.type === 'password' ? 'new-password' : 'off', value: f.value || '',
  }));
}

function fieldNode(f) {
  const label = [f.label, f.required && !f.readonly ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null];
  const help = f.help ? h('p', { class: 'hint', id: f.name + '-help' }, f.help) : null;
  const error = h('p', { class: 'field-error', id: f.name + '-error', 'aria-live': 'polite' });
  if (f.type === 'radio') {
    const fs = h('fieldset', { class: 'choices', 'aria-describedby': f.name + '-error' }, h('legend', {}, ...label));
    for (const o of f.options || []) {
      const id = 'f-' + f.name + '-' + o.value;
      fs.append(h('div', { class: 'choice' }, h('input', { type: 'radio', name: f.name, id, value: o.value }), h('label', { for: id }, o.label)));
    }
    fs.append(help || '', error);
    return fs;
  }
  return h('div', { class: 'field', 'data-field': f.name },
    h('label', { for: 'f-' + f.name }, ...label), control(f), help, error);
}

function fillDepending(form, f) {
  const sel = $('f-' + f.name);
  const src = $('f-' + f.depends_on);
  const refill = () => {
    const keep = sel.value;
    sel.replaceChildren(h('option', { value: '' }, 'Seçiniz'), ...(places[src.value] || []).map((n) => h('option', { value: n }, n)));
    if ((places[src.value] || []).includes(keep)) sel.value = keep;
  };
  src.addEventListener('change', refill);
  refill();
}

async function showForm() {
  const desc = await api.get('/api/v1/basvuru/form');
  places = desc.places || {};
  const box = $('app-fields');
  box.replaceChildren();
  let section = null;
  for (const f of desc.fields) {
    if (f.section !== section) {
      section = f.section;
      box.append(h('h3', { class: 'form-section' }, '* ' + section));
    }
    box.append(fieldNode(f));
  }
  for (const f of desc.fields) if (f.depends_on) fillDepending(box, f);
  box.dataset.fields = JSON.stringify(desc.fields.filter((f) => !f.readonly).map((f) => [f.name, f.type]));
  show('s-form');
}

function clearFieldErrors() {
  $('app-form').querySelectorAll('.field-error').forEach((el) => { el.textContent = ''; });
  $('app-form').querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
}

$('app-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  showError('');
  clearFieldErrors();
  const form = {};
  for (const [name, type] of JSON.parse($('app-fields').dataset.fields || '[]')) {
    if (type === 'radio') {
      const r = $('app-form').querySelector('input[name="' + name + '"]:checked');
      form[name] = r ? r.value : '';
    } else {
      form[name] = $('f-' + name).value;
    }
  }
  $('form-btn').disabled = true;
  try {
    await route(await api.post('/api/v1/basvuru/form', { form }));
  } catch (e) {
    showError(e.message);
    // The typed values stay; each field in error gets its message.
    let first = null;
    for (const [name, msg] of Object.entries(e.fields || {})) {
      const err = $(name + '-error');
      if (err) err.textContent = msg;
      const input = $('f-' + name) || $('app-form').querySelector('input[name="' + name + '"]');
      if (input) {
        input.setAttribute('aria-invalid', 'true');
        first = first || input;
      }
    }
    if (first) first.focus();
  } finally {
    $('form-btn').disabled = false;
  }
});

// --- 3. SMS Onay Kodu ---------------------------------------------------
function smsStatus(d) {
  if (!d.sms) return '';
  return 'Kod ' + Math.ceil(d.sms.expires_in / 60) + ' dakika geçerlidir. Kalan deneme hakkı: ' + d.sms.tries_left + '.';
}

function showSms(d, parola, sent) {
  $('parola-box').hidden = !parola;
  if (parola) $('parola').textContent = parola;
  $('sms-mobile').textContent = d.mobile || '';
  $('sms-intro').textContent = d.step === 'recovering'
    ? 'Başvuru formunuza dönebilmeniz için başvuru formunda yazdığınız cep telefonuna SMS Onay Kodu gönderildi.'
    : 'Formun onaylanması için aşağıdaki cep telefonu numarasına SMS Onay Kodu gönderilecektir. "Gönder" butonuna basınız.';
  const hasCode = sent || (d.sms && d.sms.expires_in > 0 && d.sms.tries_left > 0);
  $('sms-form').hidden = !hasCode;
  $('sms-status').textContent = hasCode ? smsStatus(d) : '';
  $('sms-send').textContent = hasCode ? 'Tekrar Gönder' : 'Gönder';
  show('s-sms');
}

$('sms-send').addEventListener('click', async () => {
  showError('');
  $('sms-send').disabled = true;
  try {
    const d = await api.post('/api/v1/basvuru/sms', {});
    $('sms-form').hidden = false;
    $('sms-status').textContent = 'SMS Onay Kodu gönderildi. ' + smsStatus(d);
    $('sms-send').textContent = 'Tekrar Gönder';
    $('sms-code').focus();
  } catch (e) {
    showError(e.message);
  } finally {
    $('sms-send').disabled = false;
  }
});

$('sms-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  showError('');
  $('sms-ok').disabled = true;
  try {
    const d = await api.post('/api/v1/basvuru/sms/dogrula', { code: $('sms-code').value.trim() });
    await route(d);
  } catch (e) {
    showError(e.message);
  } finally {
    $('sms-ok').disabled = false;
  }
});

// --- 4. İmzalama Yönteminin Belirlenmesi ---------------------------------
function showMethod(d, parola) {
  // E-Onaylı only when the SMS code went to the holder's number on record
  const on = !!d.eonay_active && d.eonay_usable !== false;
  const wrongMobile = !!d.eonay_active && d.eonay_usable === false;
  document.querySelectorAll('[data-eonay-on]').forEach((el) => { el.hidden = !on; });
  document.querySelectorAll('[data-eonay-off]').forEach((el) => { el.hidden = on || wrongMobile; });
  document.querySelectorAll('[data-eonay-mobile]').forEach((el) => { el.hidden = !wrongMobile; });
  $('m-eonay-btn').disabled = !on;
  if (parola) {
    const note = h('div', { class: 'notice ok' }, 'Yeni Başvuru Formu Erişim Parolanız: ', h('strong', { class: 'parola' }, parola),
      '. Lütfen not ediniz; bir daha gösterilmeyecektir.');
    $('s-method').insertBefore(note, $('s-method').children[1]);
  }
  show('s-method');
}

async function choose(method) {
  showError('');
  try {
    await route(await api.post('/api/v1/basvuru/yontem', { method }));
  } catch (e) {
    showError(e.message);
  }
}
$('m-eonay-btn').addEventListener('click', () => choose('eonay'));
$('m-paper-btn').addEventListener('click', () => choose('paper'));

const ceremony = createCeremony($('ceremony'), {
  intro: 'Başvuru formunuzu ve Sertifika Sahibi Taahhütnamesini e-imzanızla imzalamak için e-İmza uygulamasını çalıştırmanız gerekmektedir.',
  start: () => api.post('/api/v1/basvuru/yontem', { method: 'esign' }),
  onSigned: async () => {
    try {
      await route(await api.post('/api/v1/basvuru/yontem/tamam', {}));
    } catch (e) {
      showError(e.message);
    }
  },
  onBack: () => show('s-method'),
});
$('m-esign-btn').addEventListener('click', async () => {
  showError('');
  try {
    await ceremony.begin();
    show('s-esign');
  } catch (e) {
    showError(e.message);
  }
});

// --- 5. Sonuç --------------------------------------------------------------
const RESULT = {
  eonay: ['E-Onaylama Sonucu', 'Başvuru formu e-onaylama işlemi başarıyla tamamlandı. Başvuru formunuz sistemimize ulaştı.',
    'e-onaylı başvuru işlemleriniz tamamlanmıştır. e-imzanız hazırlanarak kurye ile başvuru formunda belirttiğiniz kurum adresinde size teslim edilecektir.'],
  esign: ['E-İmzalama Sonucu', 'Başvuru formu elektronik imzalama işlemi başarıyla tamamlandı. Başvuru formunuz sistemimize ulaştı.',
    'Elektronik imzalı başvuru işlemleriniz tamamlanmıştır. e-imzanız hazırlanarak kurye ile başvuru formunda belirttiğiniz kurum adresinde size teslim edilecektir.'],
  paper: ['Islak İmzalı Başvuru', 'Başvuru formunuz ve Sertifika Sahibi Taahhütnameniz hazırlandı.',
    'Formu indirip yazdırınız, her iki sayfayı ıslak imza ile imzalayarak merkezimize gönderiniz. İmzalı form merkezimize ulaştığında başvurunuz işleme alınacaktır.'],
};

function showResult(d) {
  const r = RESULT[d.method] || ['Başvuru Durumu', 'Başvurunuz sistemimizde kayıtlıdır.', ''];
  $('result-h').textContent = r[0];
  $('result-text').textContent = r[1];
  $('result-more').textContent = r[2];
  $('result-pdf').hidden = d.method !== 'paper';
  $('result-state').textContent = d.application ? 'Başvuru durumu: ' + d.application.state_label : '';
  show('s-result');
}

// --- where the browser is ------------------------------------------------
async function route(d, opts) {
  if (!d || !d.step) return showEntry();
  if (d.institution && d.institution.code !== kurum) return showEntry();
  switch (d.step) {
    case 'entered': return showForm();
    case 'confirmed':
    case 'recovering': return showSms(d, d.parola, opts && opts.sent);
    case 'sms_verified':
      if (d.method === 'paper') return showResult(d);
      return showMethod(d, d.parola);
    default: return showResult(d);
  }
}

async function init() {
  await ensureSession();
  try {
    const k = await api.get('/api/v1/basvuru/kurum/' + encodeURIComponent(kurum));
    $('kurum-name').textContent = k.name;
  } catch (e) {
    showError(e.message);
    return;
  }
  let d = null;
  try {
    d = await api.get('/api/v1/basvuru');
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) throw e;
  }
  await route(d);
}

init().catch((e) => showError(e.message));
