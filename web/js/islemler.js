// islemler.js - the İşlemler Menüsü of a logged-in holder.
import { requireLogin } from './api.js';

requireLogin().then((s) => {
  if (!s) return;
  document.querySelectorAll('[data-authed]').forEach((el) => { el.hidden = false; });
});
