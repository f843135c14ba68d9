// eimzali-giris.js - E-imzalı Giriş: T.C. Kimlik No (checked as typed), then
// the E-imzalı Giriş Ekranı (the shared code screen, purpose "login"); when
// the e-İmza application has signed, on to the İşlemler Menüsü.
import { api, ensureSession, getSession, showError } from './api.js';
import { tcknProblem } from './tckn.js';
import { createCeremony } from './ceremony.js';

const form = document.getElementById('tckn-form');
const input = document.getElementById('tckn');
const error = document.getElementById('tckn-error');
const button = document.getElementById('giris-btn');
const stepTckn = document.getElementById('step-tckn');
const stepCode = document.getElementById('step-code');
const codeHeading = document.getElementById('code-h');

function setFieldError(message) {
  error.textContent = message || '';
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

input.addEventListener('input', () => {
  showError('');
  const v = input.value.trim();
  setFieldError(tcknProblem(v, true));
  input.classList.toggle('valid', v.length === 11 && !tcknProblem(v));
});
input.addEventListener('blur', () => {
  const v = input.value.trim();
  if (v !== '') setFieldError(tcknProblem(v));
});

let tckn = null;
const ceremony = createCeremony(document.getElementById('ceremony'), {
  start: async () => {
    await ensureSession();
    return api.post('/api/v1/signing', { purpose: 'login', tckn });
  },
  onSigned: () => { window.location.assign('/islemler.html'); },
  onBack: () => {
    stepCode.hidden = true;
    stepTckn.hidden = false;
    input.focus();
  },
});

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  showError('');
  const v = input.value.trim();
  const problem = tcknProblem(v);
  if (problem) {
    setFieldError(problem);
    input.focus();
    return;
  }
  setFieldError('');
  tckn = v;
  button.disabled = true;
  try {
    await ceremony.begin();
    stepTckn.hidden = true;
    stepCode.hidden = false;
    codeHeading.focus();
  } catch (e) {
    if (e.code === 'bad_tckn') {
      setFieldError(e.message);
      input.focus();
    } else {
      showError(e.message);
    }
  } finally {
    button.disabled = false;
  }
});

getSession().then((s) => {
  if (!s || !s.authenticated) return;
  document.querySelectorAll('[data-user-name]').forEach((el) => { el.textContent = s.name || ''; });
  document.querySelectorAll('[data-already]').forEach((el) => { el.hidden = false; });
}).catch(() => { /* the form works without it */ });
