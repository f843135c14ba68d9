// edevlet-giris.js - the E-Devlet ile Giriş page: the way to the e-Devlet
// gateway, and the Turkish message when a login came back refused
// (?hata=CODE, set by GET /OAuth2/edevletsonuc; the message is the
// server's, from GET /api/v1/refusals/CODE).
import { api, ensureSession, showError } from './api.js';

const hata = new URLSearchParams(window.location.search).get('hata');
if (hata && /^[a-z_]{1,40}$/.test(hata)) {
  api.get('/api/v1/refusals/' + hata)
    .then((r) => showError(r.message))
    .catch(() => showError('E-Devlet ile giriş yapılamadı. Lütfen tekrar deneyiniz.'));
}

// The session first, so that the pages know this browser has one when it
// comes back logged in; the link works without it too.
document.querySelectorAll('[data-edevlet-go]').forEach((a) => {
  a.addEventListener('click', (ev) => {
    ev.preventDefault();
    ensureSession().catch(() => null).then(() => { window.location.assign(a.href); });
  });
});
