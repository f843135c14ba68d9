// basvurular.js - Başvuru Durum Sorgulama: the holder's applications and
// their states, from /api/v1/applications.
import { api, formatDate, requireLogin, showError } from './api.js';
import { cell } from './sertifika.js';

// The Turkish labels come with each application (kind_label, state_label:
// one table, in src/domain/applications.c).

requireLogin().then(async (s) => {
  if (!s) return;
  document.querySelectorAll('[data-authed]').forEach((el) => { el.hidden = false; });
  try {
    const { applications } = await api.get('/api/v1/applications');
    const table = document.getElementById('apps');
    const body = table.querySelector('tbody');
    document.getElementById('empty').hidden = applications.length > 0;
    table.hidden = applications.length === 0;
    for (const a of applications) {
      const tr = document.createElement('tr');
      body.appendChild(tr);
      const code = document.createElement('code');
      code.textContent = a.id.slice(0, 8).toUpperCase();
      cell(tr, code);
      cell(tr, a.kind_label || a.kind);
      cell(tr, formatDate(a.created_at));
      cell(tr, a.state_label || a.state);
      cell(tr, formatDate(a.updated_at));
    }
  } catch (e) {
    showError(e.message);
  }
});
