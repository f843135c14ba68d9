// sertifikalar.js - Sertifika Listeleme: serial, validity, status (active,
// on hold, revoked with its reason, expired), card serial, and the
// certificate to download as PEM or DER.
import { requireLogin, showError } from './api.js';
import { cell, formatDay, groupSerial, listCertificates, statusBadge } from './sertifika.js';

function link(href, text, label) {
  const a = document.createElement('a');
  a.href = href;
  a.textContent = text;
  a.setAttribute('download', '');
  a.setAttribute('aria-label', label);
  return a;
}

requireLogin().then(async (s) => {
  if (!s) return;
  document.querySelectorAll('[data-authed]').forEach((el) => { el.hidden = false; });
  try {
    const certs = await listCertificates();
    const table = document.getElementById('certs');
    const body = table.querySelector('tbody');
    document.getElementById('empty').hidden = certs.length > 0;
    table.hidden = certs.length === 0;
    for (const c of certs) {
      const tr = document.createElement('tr');
      body.appendChild(tr);
      tr.dataset.serial = c.serial;
      const code = document.createElement('code');
      code.textContent = groupSerial(c.serial);
      cell(tr, code);
      cell(tr, formatDay(c.not_before) + ' – ' + formatDay(c.not_after));
      cell(tr, statusBadge(c));
      cell(tr, c.card_serial || '—');
      const dl = cell(tr, link('/api/v1/certificates/' + c.serial + '/pem', 'PEM',
        'Sertifikayı PEM olarak indir'));
      dl.appendChild(document.createTextNode(' · '));
      dl.appendChild(link('/api/v1/certificates/' + c.serial + '/der', 'DER',
        'Sertifikayı DER olarak indir'));
    }
  } catch (e) {
    showError(e.message);
  }
});
