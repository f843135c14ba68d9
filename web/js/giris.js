// giris.js - the Giriş choice page: points a holder who is already logged in
// to the İşlemler Menüsü.
import { getSession } from './api.js';

getSession().then((s) => {
  if (!s || !s.authenticated) return;
  document.querySelectorAll('[data-user-name]').forEach((el) => { el.textContent = s.name || ''; });
  document.querySelectorAll('[data-already]').forEach((el) => { el.hidden = false; });
}).catch(() => { /* the choices work without it */ });
