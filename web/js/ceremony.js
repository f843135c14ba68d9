// ceremony.js - the code screen shared by every signed operation (E-imzalı
// Giriş, E-Onay verme and iptal): the numbered instructions, the Doğrulama
// Kodu in groups of four (click to copy), "Kalan süre: N saniye", Tekrar Kod
// Al, and the long-poll on /api/v1/signing/wait that moves the page on when
// the e-İmza application has signed.
import { api, ApiError } from './api.js';

// Small DOM builder: h('p', {class: 'x'}, 'text', child, ...)
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return el;
}

const DEAD_CODE = '•••• •••• •••• ••••';
const ANNOUNCE_AT = new Set([240, 180, 120, 60, 30, 10]);

const STATE_TEXT = {
  waiting: 'Doğrulama kodunun e-İmza uygulamasına girilmesi bekleniyor.',
  code_used: 'Kod uygulamaya girildi, imza bekleniyor.',
  signed: 'İmzanız doğrulandı. İşleminize devam ediliyor…',
  expired: 'Doğrulama kodunun süresi doldu. Yeni bir kod almak için "Tekrar Kod Al" butonuna tıklayınız.',
  replaced: 'Bu doğrulama kodu başka bir pencerede yenilendi ve artık geçersizdir. Bu pencerede yeni bir kod almak için "Tekrar Kod Al" butonuna tıklayınız.',
};

let counter = 0;

/**
 * createCeremony(container, options)
 *   options.start()    -> Promise of the POST /api/v1/signing answer
 *   options.onSigned(answer) called once, when the session is signed
 *   options.onBack()   optional: shows a "Geri" button
 *   options.intro      optional paragraph above the instructions
 *   options.title      heading of the code screen
 * Returns { begin(): Promise, stop() }. begin() rejects with the ApiError of
 * the first start() so that the caller can show it next to its form.
 */
export function createCeremony(container, options) {
  const uid = 'cer' + (++counter);
  const origin = window.location.origin;

  let sess = null;          // the signing session we poll
  let codeKnown = false;    // false after a replacement from elsewhere
  let last = null;          // last state seen
  let generation = 0;       // bumps on every new session / stop
  let controller = null;    // aborts the running long-poll
  let deadline = 0;         // performance.now() at which the code dies
  let timer = 0;
  let lastShown = -1;
  let busy = false;

  // --- the DOM ---------------------------------------------------------
  const cmdCode = h('span', { class: 'cmd-code' }, '…');
  const steps = h('ol', { class: 'steps' },
    h('li', {}, 'Elektronik imzalama sertifikanızın bulunduğu kartınızı bilgisayarınıza takınız.'),
    h('li', {}, 'e-İmza uygulamasını açınız. Henüz kurmadıysanız kurulum ve kullanım bilgisi için ',
      h('a', { href: '/eimza.html', target: '_blank', rel: 'noopener' }, 'tıklayınız'),
      ' (yeni pencerede açılır). Uygulama Java gerektirmez, anında çalışır.'),
    h('li', {}, 'Aşağıda görülen Doğrulama Kodunu kopyalayıp e-İmza uygulamasına giriniz. Komut satırından:',
      h('code', { class: 'cmd' }, 'eimza sign --server ' + origin + ' --code ', cmdCode)),
    h('li', {}, 'e-İmza uygulaması üzerinde imzalama işlemini gerçekleştiriniz.'),
    h('li', { class: 'warn-step' }, h('strong', {}, 'Uyarı:'), ' İmzalama işlemi aşamasında bu sayfayı kapatmayınız.'));

  const codeText = h('span', { class: 'code', id: uid + '-code' }, '…');
  const copyBtn = h('button', { type: 'button', class: 'code-btn', 'aria-describedby': uid + '-copied' },
    codeText, h('span', { class: 'copy-hint' }, 'Kodu kopyalamak için tıklayınız'));
  const copied = h('p', { class: 'copied', id: uid + '-copied', role: 'status' });
  // The installed e-İmza Uygulaması opens eimza:// links with the code
  // filled in; the link carries the code only, never a server address.
  const openApp = h('a', { class: 'btn open-app', href: '#', hidden: true }, 'e-İmza Uygulamasını Aç');
  const secs = h('strong', { class: 'secs' }, '—');
  const countdown = h('p', { class: 'countdown', role: 'timer', 'aria-live': 'off' }, 'Kalan süre: ', secs, ' saniye');
  const announcer = h('p', { class: 'sr-only', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const state = h('p', { class: 'cer-state', role: 'status', 'data-state': 'waiting' });
  const problem = h('p', { class: 'cer-problem', role: 'alert', hidden: true });
  const renewBtn = h('button', { type: 'button', class: 'btn secondary renew' }, 'Tekrar Kod Al');
  const actions = h('div', { class: 'actions' }, renewBtn);
  let backBtn = null;
  if (options.onBack) {
    backBtn = h('button', { type: 'button', class: 'btn secondary' }, 'Geri');
    actions.append(backBtn);
  }

  const box = h('section', { class: 'code-box', 'aria-labelledby': uid + '-h' },
    h('h3', { id: uid + '-h' }, 'Doğrulama Kodu'),
    copyBtn, copied, openApp, countdown, announcer, problem, state, actions);

  const root = h('div', { class: 'ceremony' },
    options.intro ? h('p', { class: 'cer-intro' }, options.intro) : null,
    h('div', { class: 'cer-grid' },
      h('div', { class: 'cer-steps' }, steps), box));
  container.replaceChildren(root);

  // --- helpers ---------------------------------------------------------
  function setState(name, text) {
    state.dataset.state = name;
    state.textContent = text || STATE_TEXT[name] || '';
  }
  function setProblem(text) {
    problem.textContent = text || '';
    problem.hidden = !text;
  }
  function showCode(s) {
    codeKnown = true;
    codeText.textContent = s.code_display;
    codeText.dataset.code = s.code;
    cmdCode.textContent = s.code;
    openApp.href = 'eimza://sign?code=' + encodeURIComponent(s.code);
    openApp.hidden = false;
    copyBtn.disabled = false;
    copyBtn.classList.remove('dead');
    renewBtn.classList.add('secondary');
    copyBtn.setAttribute('aria-label', 'Doğrulama Kodu ' + s.code_display + '. Kodu kopyalamak için tıklayınız');
    copied.textContent = '';
  }
  function killCode() {
    codeKnown = false;
    codeText.textContent = DEAD_CODE;
    delete codeText.dataset.code;
    cmdCode.textContent = '…';
    openApp.hidden = true;
    openApp.href = '#';
    copyBtn.disabled = true;
    copyBtn.classList.add('dead');
    renewBtn.classList.remove('secondary');
    copyBtn.setAttribute('aria-label', 'Geçerli bir doğrulama kodu yok');
    copied.textContent = '';
  }

  function announce(text) { announcer.textContent = text; }

  function setDeadline(remaining) {
    deadline = performance.now() + Math.max(0, remaining) * 1000;
    if (!timer) timer = window.setInterval(tick, 250);
    tick();
  }
  function stopTimer(show) {
    if (timer) window.clearInterval(timer);
    timer = 0;
    if (show !== undefined) { secs.textContent = String(show); lastShown = show; }
  }
  function tick() {
    const left = Math.max(0, Math.ceil((deadline - performance.now()) / 1000));
    if (left === lastShown) return;
    // announce crossings of the marks, not every second
    if (lastShown > left) {
      for (const mark of ANNOUNCE_AT) {
        if (mark <= lastShown - 1 && mark >= left && lastShown !== -1) {
          announce('Kalan süre: ' + mark + ' saniye');
        }
      }
    }
    lastShown = left;
    secs.textContent = String(left);
    if (left === 0) stopTimer();
  }

  // --- the session -----------------------------------------------------
  function adopt(s, announceText) {
    generation++;
    if (controller) controller.abort();
    sess = s;
    last = s.state || 'waiting';
    showCode(s);
    setProblem('');
    setState(last);
    lastShown = -1;
    setDeadline(typeof s.remaining === 'number' ? s.remaining : 0);
    announce(announceText || ('Doğrulama kodu ' + s.code_display + '. Kalan süre: ' + s.remaining + ' saniye.'));
    poll(generation);
  }

  function sleep(ms) { return new Promise((r) => window.setTimeout(r, ms)); }

  async function poll(gen) {
    let failures = 0;
    while (gen === generation) {
      controller = new AbortController();
      let ans;
      try {
        const q = '?id=' + encodeURIComponent(sess.id) + (last ? '&state=' + encodeURIComponent(last) : '');
        ans = await api.get('/api/v1/signing/wait' + q, { signal: controller.signal });
      } catch (e) {
        if (gen !== generation || (e && e.name === 'AbortError')) return;
        if (e instanceof ApiError && e.status !== 0 && e.status < 500 && e.status !== 429) {
          stopTimer();
          killCode();
          setState('error', '');
          setProblem(e.message);
          last = 'error';
          return;
        }
        failures++;
        setState('retry', 'Bağlantı kesildi, yeniden deneniyor…');
        await sleep(Math.min(10000, 1000 * failures));
        continue;
      }
      failures = 0;
      if (gen !== generation) return;
      if (handle(ans) === 'done') return;
    }
  }

  function handle(ans) {
    last = ans.state;
    switch (ans.state) {
      case 'waiting':
      case 'code_used':
        if (typeof ans.remaining === 'number') setDeadline(ans.remaining);
        if (codeKnown) setState(ans.state);
        return 'more';
      case 'signed':
        stopTimer();
        setState('signed');
        generation++;
        options.onSigned(ans);
        return 'done';
      case 'rejected': {
        stopTimer(0);
        killCode();
        setState('rejected', 'İşleminiz tamamlanamadı. Yeni bir kod almak için "Tekrar Kod Al" butonuna tıklayınız.');
        const r = ans.result || {};
        setProblem(r.message || 'İmzanız kabul edilmedi.');
        return 'done';
      }
      case 'expired':
        stopTimer(0);
        killCode();
        setState('expired');
        return 'done';
      case 'replaced':
        // Tekrar Kod Al in another window of this session: follow the new one.
        stopTimer();
        killCode();
        setState('replaced');
        if (ans.replaced_by) {
          sess = { id: ans.replaced_by };
          last = null;
          return 'more';
        }
        return 'done';
      default:
        setState('error', '');
        setProblem('Beklenmeyen bir durum oluştu. Lütfen yeni bir kod alınız.');
        return 'done';
    }
  }

  async function renew() {
    if (busy) return;
    busy = true;
    renewBtn.disabled = true;
    copied.textContent = '';
    try {
      let s;
      const closed = !sess || last === 'rejected' || last === 'signed' || last === 'error';
      if (closed) {
        s = await options.start();
      } else {
        try {
          s = await api.post('/api/v1/signing/renew', { id: sess.id });
        } catch (e) {
          if (!(e instanceof ApiError) || e.status !== 409) throw e;
          s = await options.start();
        }
      }
      adopt(s, 'Yeni doğrulama kodu alındı: ' + s.code_display + '. Önceki kod artık geçersizdir.');
    } catch (e) {
      setProblem(e.message);
    } finally {
      busy = false;
      renewBtn.disabled = false;
    }
  }

  async function copy() {
    const code = codeText.dataset.code;
    if (!code) return;
    let ok = false;
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(code);
        ok = true;
      }
    } catch { ok = false; }
    if (!ok) {
      // older browsers / no permission: copy from a temporary field
      const ta = h('textarea', { class: 'sr-only', 'aria-hidden': 'true', tabindex: '-1', readonly: true });
      ta.value = code;
      document.body.append(ta);
      ta.select();
      try { ok = document.execCommand('copy'); } catch { ok = false; }
      ta.remove();
      copyBtn.focus();
    }
    copied.textContent = ok
      ? 'Kod kopyalandı. e-İmza uygulamasına yapıştırabilirsiniz.'
      : 'Kod kopyalanamadı. Lütfen kodu kendiniz seçip kopyalayınız.';
    copied.classList.toggle('fail', !ok);
  }

  copyBtn.addEventListener('click', copy);
  renewBtn.addEventListener('click', renew);
  if (backBtn) backBtn.addEventListener('click', () => { stop(); options.onBack(); });

  function stop() {
    generation++;
    if (controller) controller.abort();
    stopTimer();
  }

  async function begin() {
    stop();
    killCode();
    setProblem('');
    setState('waiting', '');
    const s = await options.start();
    adopt(s);
    return s;
  }

  window.addEventListener('pagehide', stop);
  // back from the back/forward cache: the stopped poll would be stale
  window.addEventListener('pageshow', (ev) => { if (ev.persisted) window.location.reload(); });

  return { begin, stop, element: root };
}
