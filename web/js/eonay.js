// eonay.js - E-Onay İşlemleri: (1/2) the explanation and KABUL EDİYORUM,
// (2/2) the shared code screen (purpose eonay-give), the result; when E-Onay
// is active, since when, and its cancellation (purpose eonay-cancel). The
// history of give / cancel below.
import { api, requireLogin, showError, formatDate } from './api.js';
import { createCeremony } from './ceremony.js';

const $ = (id) => document.getElementById(id);
const sections = ['give-1', 'cancel-1', 'sign-2', 'result'];
const status = $('eonay-status');
const accept = $('accept');
const giveNext = $('give-next');

const RESULT = {
  'eonay-give': 'Seçiminiz kaydedildi. Yeni yapacağınız başvurularda başvuru formunu doldurduktan sonra imzalama tipi olarak E-Onay seçmeniz yeterli olacaktır.',
  'eonay-cancel': 'E-Onay iptal işleminiz tamamlanmıştır. Yeni yapacağınız başvurularda başvuru formunu elektronik imza ile imzalamanız ya da ıslak imzalı olarak göndermeniz gerekecektir.',
};

let eonay = null;
let purpose = null;

function show(id, focus) {
  for (const s of sections) $(s).hidden = s !== id;
  if (focus) {
    const h = $(id).querySelector('h2');
    if (h) h.focus();
  }
}

function render(data) {
  eonay = data;
  status.classList.toggle('ok', !!data.active);
  if (data.active) {
    status.textContent = 'E-Onay\'ınız ' + formatDate(data.since) + ' tarihinden beri etkindir.';
  } else {
    status.textContent = 'E-Onay\'ınız etkin değil. Aşağıdaki adımlarla E-Onay verebilirsiniz.';
  }
  const ex = $('explanation');
  ex.replaceChildren(...(data.explanation && data.explanation.paragraphs || []).map((t) => {
    const p = document.createElement('p');
    p.textContent = t;
    return p;
  }));
  const hist = data.history || []; // newest first, as the server lists them
  const tbody = $('history-table').querySelector('tbody');
  tbody.replaceChildren(...hist.map((h) => {
    const tr = document.createElement('tr');
    const cells = [h.action === 'give' ? 'E-Onay verildi' : h.action === 'cancel' ? 'E-Onay iptal edildi' : h.action,
                   formatDate(h.at), h.text_version ? String(h.text_version) : '—'];
    for (const c of cells) {
      const td = document.createElement('td');
      td.textContent = c;
      tr.append(td);
    }
    return tr;
  }));
  $('history-table').hidden = hist.length === 0;
  $('history-empty').hidden = hist.length !== 0;
}

function showStart() {
  accept.checked = false;
  giveNext.disabled = true;
  show(eonay.active ? 'cancel-1' : 'give-1');
}

async function load() {
  render(await api.get('/api/v1/eonay'));
}

const ceremony = createCeremony($('ceremony'), {
  intro: 'e-Onay işlemini imzalamak için e-İmza uygulamasını çalıştırmanız gerekmektedir.',
  start: () => api.post('/api/v1/signing', purpose === 'eonay-give'
    ? { purpose, accepted: true, explanation_version: eonay.explanation.version }
    : { purpose }),
  onSigned: async () => {
    $('result-text').textContent = RESULT[purpose];
    try { await load(); } catch (e) { showError(e.message); }
    show('result', true);
  },
  onBack: () => showStart(),
});

async function begin(p) {
  purpose = p;
  showError('');
  $('sign-2-h').textContent = p === 'eonay-give' ? 'e-Onay İşlemleri (2/2)' : 'E-Onay İptali (2/2)';
  try {
    await ceremony.begin();
    show('sign-2', true);
  } catch (e) {
    showError(e.message);
  }
}

accept.addEventListener('change', () => { giveNext.disabled = !accept.checked; });
giveNext.addEventListener('click', () => { if (accept.checked) begin('eonay-give'); });
$('cancel-next').addEventListener('click', () => begin('eonay-cancel'));

requireLogin().then(async (s) => {
  if (!s) return;
  let ok = true;
  try {
    await load();
  } catch (e) {
    ok = false;
    showError(e.message);
    status.hidden = true;
  }
  document.querySelectorAll('[data-authed]').forEach((el) => { el.hidden = false; });
  if (ok) showStart();
});
