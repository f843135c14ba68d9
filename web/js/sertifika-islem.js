// sertifika-islem.js - Askıya Alma, Askıdan İndirme and Sertifikamı İptal Et
// (the page's <body data-op> says which): the certificates the act applies
// to, one chosen, then POST /api/v1/certificates/SERIAL/{hold,release,revoke}.
// Revocation asks for a reason and, typed, the serial's last 6 characters.
import { api, requireLogin, showError } from './api.js';
import { formatDay, groupSerial, listCertificates, statusBadge } from './sertifika.js';

const OPS = {
  hold: {
    from: ['active'],
    none: 'Askıya alınabilecek (kullanımda olan) bir sertifikanız bulunmamaktadır.',
    done: 'Sertifikanız askıya alındı. Askıdaki sertifika ile imza atılamaz; tekrar kullanmak için Askıdan İndirme işlemini yapınız.',
  },
  release: {
    from: ['hold'],
    none: 'Askıda bir sertifikanız bulunmamaktadır.',
    done: 'Sertifikanız askıdan indirildi ve kullanıma açıldı. Artık E-imzalı Giriş yapabilir ve imza atabilirsiniz.',
  },
  revoke: {
    from: ['active', 'hold'],
    none: 'İptal edilebilecek bir sertifikanız bulunmamaktadır.',
    done: 'Sertifikanız iptal edildi.',
  },
};

const op = document.body.dataset.op;
const spec = OPS[op];
const form = document.getElementById('op-form');
const choices = document.getElementById('choices');
const none = document.getElementById('none');
const done = document.getElementById('done');
const button = document.getElementById('op-btn');
const confirmInput = document.getElementById('confirm');
const confirmWant = document.getElementById('confirm-want');
const confirmError = document.getElementById('confirm-error');

if (confirmInput) {
  confirmInput.addEventListener('input', () => {
    confirmError.textContent = '';
    confirmInput.removeAttribute('aria-invalid');
  });
}

function selected() {
  const r = choices.querySelector('input[name="serial"]:checked');
  return r ? r.value : null;
}

function updateWant() {
  if (!confirmWant) return;
  const s = selected();
  confirmWant.textContent = s ? s.slice(-6).toUpperCase() : '—';
}

async function load() {
  const certs = (await listCertificates()).filter((c) => spec.from.includes(c.status));
  choices.replaceChildren();
  none.textContent = spec.none;
  none.hidden = certs.length > 0;
  form.hidden = certs.length === 0;
  certs.forEach((c, i) => {
    const id = 'c-' + c.serial;
    const div = document.createElement('div');
    div.className = 'choice';
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'serial';
    input.id = id;
    input.value = c.serial;
    if (i === 0) input.checked = true;
    input.addEventListener('change', updateWant);
    const label = document.createElement('label');
    label.htmlFor = id;
    const code = document.createElement('code');
    code.textContent = groupSerial(c.serial);
    label.append(code, ' — ', c.card_serial ? 'Kart ' + c.card_serial + ', ' : '',
      formatDay(c.not_after) + ' tarihine kadar geçerli ', statusBadge(c));
    div.append(input, label);
    choices.appendChild(div);
  });
  updateWant();
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  showError('');
  const serial = selected();
  if (!serial) return;
  const body = {};
  if (op === 'revoke') {
    const want = serial.slice(-6).toLowerCase();
    if (confirmInput.value.trim().toLowerCase() !== want) {
      confirmError.textContent = 'Onay metni seri numarasının son 6 karakteri ile aynı değil.';
      confirmInput.setAttribute('aria-invalid', 'true');
      confirmInput.focus();
      return;
    }
    confirmError.textContent = '';
    confirmInput.removeAttribute('aria-invalid');
    body.reason = Number(document.getElementById('reason').value);
    body.confirm = confirmInput.value.trim();
  }
  button.disabled = true;
  try {
    await api.post('/api/v1/certificates/' + serial + '/' + op, body);
    done.textContent = spec.done;
    done.hidden = false;
    if (confirmInput) confirmInput.value = '';
    try {
      await load();
    } catch (e) {
      if (e.status !== 401) throw e;
      // This session was opened with the certificate just suspended or
      // revoked: it ended with it.
      form.hidden = true;
      const a = document.createElement('a');
      a.href = '/giris.html';
      a.textContent = 'Giriş sayfasına gitmek için tıklayınız.';
      done.append(' Bu sertifika ile açılmış oturumunuz sonlandırıldı. ', a);
    }
    done.focus();
  } catch (e) {
    if (e.status === 401) {
      // Suspending or revoking the certificate this session was opened
      // with ends the session.
      window.location.assign('/giris.html');
      return;
    }
    showError(e.message);
  } finally {
    button.disabled = false;
  }
});

requireLogin().then(async (s) => {
  if (!s) return;
  document.querySelectorAll('[data-authed]').forEach((el) => { el.hidden = false; });
  try {
    await load();
  } catch (e) {
    showError(e.message);
  }
});
