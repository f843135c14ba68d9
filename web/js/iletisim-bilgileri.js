// iletisim-bilgileri.js - the holder's contact details and Bilgi Kanalı.
// The server checks every field (one field table, src/domain/contact.c) and
// names the first one in error; the page marks that field.
import { api, requireLogin, showError } from './api.js';

const FIELDS = ['email', 'mobile', 'work_phone', 'work_ext', 'home_phone'];
const form = document.getElementById('contact-form');
const saved = document.getElementById('saved');
const button = document.getElementById('save-btn');

function clearErrors() {
  form.querySelectorAll('.field-error').forEach((el) => { el.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
}

function fill(c) {
  for (const f of FIELDS) document.getElementById(f).value = c[f] || '';
  const ch = c.info_channel || (c.email ? 'email' : 'sms');
  const radio = document.getElementById('ch-' + ch);
  if (radio) radio.checked = true;
}

form.addEventListener('input', () => { saved.hidden = true; });
form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  showError('');
  clearErrors();
  const body = {};
  for (const f of FIELDS) body[f] = document.getElementById(f).value.trim();
  const ch = form.querySelector('input[name="info_channel"]:checked');
  body.info_channel = ch ? ch.value : '';
  button.disabled = true;
  try {
    fill(await api.post('/api/v1/contact', body));
    saved.hidden = false;
    saved.focus();
  } catch (e) {
    showError(e.message);
    const field = e.field || null;
    if (field) {
      const err = document.getElementById(field + '-error');
      if (err) err.textContent = e.message;
      const input = document.getElementById(field) || form.querySelector('input[name="' + field + '"]');
      if (input) {
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      }
    }
  } finally {
    button.disabled = false;
  }
});

requireLogin().then(async (s) => {
  if (!s) return;
  document.querySelectorAll('[data-authed]').forEach((el) => { el.hidden = false; });
  try {
    fill(await api.get('/api/v1/contact'));
  } catch (e) {
    showError(e.message);
  }
});
