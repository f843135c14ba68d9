// islemler.js - the İşlemler Menüsü of a logged-in holder.
import { requireLogin } from './api.js';

requireLogin().then((s) => {
  if (!s) return;
  document.querySelectorAll('[data-authed]').forEach((el) => { el.hidden = false; });
  const how = { 'e-imza': 'E-imzalı Giriş', 'şifre': 'Şifreli Giriş', 'e-devlet': 'E-Devlet ile Giriş' };
  document.querySelectorAll('[data-login-method]').forEach((el) => {
    if (!how[s.login_method]) return;
    el.textContent = 'Giriş yönteminiz: ' + how[s.login_method];
    el.hidden = false;
  });
});
