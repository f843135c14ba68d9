// pin-olusturma.js - PIN Oluşturma/Kilit Çözme: the explanation (Kilit Çözme
// Ekranı), then the shared code screen (purpose pin-reset) with the seed's
// steps and `eimza pin`; when the card has confirmed its new PIN, the result.
import { api, requireLogin, showError } from './api.js';
import { createCeremony } from './ceremony.js';

const $ = (id) => document.getElementById(id);
const sections = ['pin-1', 'pin-2', 'pin-result'];

function show(id) {
  for (const s of sections) $(s).hidden = s !== id;
  const h = $(id).querySelector('h2');
  if (h) h.focus();
}

function li(...children) {
  const el = document.createElement('li');
  el.append(...children);
  return el;
}

function link(text, href) {
  const a = document.createElement('a');
  a.href = href;
  a.target = '_blank';
  a.rel = 'noopener';
  a.textContent = text;
  return a;
}

function strong(text) {
  const s = document.createElement('strong');
  s.textContent = text;
  return s;
}

const warn = (...c) => { const el = li(...c); el.className = 'warn-step'; return el; };

const ceremony = createCeremony($('ceremony'), {
  command: 'pin',
  steps: [
    'Elektronik imzalama sertifikanızın bulunduğu kartınızı bilgisayarınıza takınız.',
    () => li('e-İmza uygulamasını açınız. Henüz kurmadıysanız kurulum ve kullanım bilgisi için ',
      link('tıklayınız', '/eimza.html'), ' (yeni pencerede açılır).'),
    (cmd) => li('Aşağıda görülen Doğrulama Kodunu kopyalayıp e-İmza uygulamasına giriniz. Komut satırından:', cmd),
    'e-İmza uygulaması üzerinde PIN Değiştirme işlemini gerçekleştiriniz: yeni PIN kodunuzu iki kez giriniz.',
    () => warn(strong('Uyarı:'), ' PIN Değiştirme işlemi aşamasında bu sayfayı kapatmayınız ve kartınızı çıkarmayınız.'),
    () => warn(strong('Uyarı:'), ' PIN Değiştirme işlemi yalnızca merkezimizden alınan kartlar için yapılmaktadır.'),
  ].map((x) => (typeof x === 'string' ? () => li(x) : x)),
  stateText: {
    code_used: 'Kod uygulamaya girildi. Kartınıza yeni PIN yazılıyor; kartınızı çıkarmayınız.',
    signed: 'Kartınız yeni PIN kodunu onayladı.',
  },
  start: () => api.post('/api/v1/signing', { purpose: 'pin-reset' }),
  onSigned: () => { show('pin-result'); },
});

$('pin-next').addEventListener('click', async () => {
  showError('');
  $('pin-next').disabled = true;
  try {
    await ceremony.begin();
    show('pin-2');
  } catch (e) {
    showError(e.message);
  } finally {
    $('pin-next').disabled = false;
  }
});

requireLogin().then((s) => {
  if (!s) return;
  document.querySelectorAll('[data-authed]').forEach((el) => { el.hidden = false; });
});
