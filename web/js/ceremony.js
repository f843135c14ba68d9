// ceremony.js - the code screen shared by every signed operation (E-imzalı
// Giriş, E-Onay verme and iptal, PIN Oluşturma/Kilit Çözme): the numbered
// instructions, the Doğrulama Kodu in groups of four (click to copy), "Kalan
// süre: N saniye", Tekrar Kod Al, and the long-poll on /api/v1/signing/wait
// that moves the page on when the e-İmza application has signed.  While the
// code is in the application the page says what the application reported
// (a wrong PIN, a "no": the same code still works); after a refusal it
// shows the step that helps, not a Tekrar Kod Al that would fail the same
// way.
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

// What the application reported while it holds the code (app_event).
const EVENT_TEXT = {
  pin_wrong: 'PIN hatalı, tekrar deneyiniz. Doğrulama kodu geçerliliğini koruyor; uygulamada PIN\'i yeniden girebilir ya da aynı kodu tekrar girebilirsiniz.',
  pin_locked: 'Kartınızın PIN kodu bloke oldu. Kilidi çözmek için "PIN Oluşturma/Kilit Çözme" işlemini kullanınız.',
  declined: 'İşlem uygulamada onaylanmadı. İsterseniz aynı kodu uygulamaya tekrar girebilirsiniz.',
  no_cert: 'Takılı kartta bu işlem için uygun sertifika bulunamadı. Kendi kartınızı takıp aynı kodu tekrar giriniz.',
};

// After a refusal: the step that helps. renew: whether a new code can help.
const HELP = {
  cert_on_hold: {
    text: 'Sertifikanız askıda olduğu için e-imza ile işlem yapılamıyor. Şifreli Giriş ile giriş yapıp "Askıdan İndirme" işlemiyle sertifikanızı kullanıma açınız.',
    links: [['Şifreli Giriş', '/sifreli-giris.html'], ['Askıdan İndirme', '/askidan-indirme.html']],
    renew: false,
  },
  cert_revoked: {
    text: 'Sertifikanız iptal edilmiş; bu kartla imza atılamaz. Yeni bir sertifika için başvuru yapınız. Şifreli Giriş ile sertifikalarınızı görebilirsiniz.',
    links: [['Şifreli Giriş', '/sifreli-giris.html']],
    renew: false,
  },
  cert_unknown: {
    text: 'Kartınızdaki sertifika merkezimizce verilmemiş görünüyor. Merkezimizden aldığınız kartı takınız.',
    links: [],
    renew: true,
  },
  signer_mismatch: {
    text: 'İmza, bu işlemi başlatan kişinin kartıyla atılmamış. Kendi kartınızı takıp yeni bir kod alınız.',
    links: [],
    renew: true,
  },
  eonay_already_active: { text: 'E-Onay\'ınız zaten etkin.', links: [['E-Onay İşlemleri', '/eonay.html']], renew: false },
  eonay_not_active: { text: 'Etkin bir E-Onay\'ınız bulunmuyor.', links: [['E-Onay İşlemleri', '/eonay.html']], renew: false },
  card_mismatch: {
    text: 'Takılı kart size ait değil. Kendi kartınızı takıp yeni bir kod alınız.',
    links: [],
    renew: true,
  },
};

let counter = 0;

/**
 * createCeremony(container, options)
 *   options.start()    -> Promise of the POST /api/v1/signing answer
 *   options.onSigned(answer) called once, when the session is signed
 *   options.onBack()   optional: shows a "Geri" button
 *   options.intro      optional paragraph above the instructions
 *   options.title      heading of the code screen
 *   options.steps      optional: the numbered instructions (array of nodes
 *                      or strings) instead of the signing ones
 *   options.command    optional: the command line shown ("pin" for eimza pin)
 *   options.stateText  optional: texts by state over the signing ones
 * Returns { begin(): Promise, stop() }. begin() rejects with the ApiError of
 * the first start() so that the caller can show it next to its form.
 */
export function createCeremony(container, options) {
  const uid = 'cer' + (++counter);
  const origin = window.location.origin;

  let sess = null;          // the signing session we poll
  let codeKnown = false;    // false after a replacement from elsewhere
  let last = null;          // last state seen
  let lastEvent = '';       // last app_event seen (while code_used)
  let generation = 0;       // bumps on every new session / stop
  let controller = null;    // aborts the running long-poll
  let deadline = 0;         // performance.now() at which the code dies
  let timer = 0;
  let lastShown = -1;
  let busy = false;

  // --- the DOM ---------------------------------------------------------
  const cmdCode = h('span', { class: 'cmd-code' }, '…');
  const command = options.command || 'sign';
  const stateText = Object.assign({}, STATE_TEXT, options.stateText || {});
  const cmdLine = h('code', { class: 'cmd' }, 'eimza ' + command + ' --server ' + origin + ' --code ', cmdCode);
  const steps = options.steps ? h('ol', { class: 'steps' },
    ...options.steps.map((x) => (typeof x === 'function' ? x(cmdLine) : h('li', {}, x)))) : h('ol', { class: 'steps' },
    h('li', {}, 'Elektronik imzalama sertifikanızın bulunduğu kartınızı bilgisayarınıza takınız.'),
    h('li', {}, 'e-İmza uygulamasını açınız. Henüz kurmadıysanız kurulum ve kullanım bilgisi için ',
      h('a', { href: '/eimza.html', target: '_blank', rel: 'noopener' }, 'tıklayınız'),
      ' (yeni pencerede açılır). Uygulama Java gerektirmez, anında çalışır.'),
    h('li', {}, 'Aşağıda görülen Doğrulama Kodunu kopyalayıp e-İmza uygulamasına giriniz. Komut satırından:',
      cmdLine),
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
  const help = h('div', { class: 'cer-help', hidden: true });
  const renewBtn = h('button', { type: 'button', class: 'btn secondary renew' }, 'Tekrar Kod Al');
  const actions = h('div', { class: 'actions' }, renewBtn);
  let backBtn = null;
  if (options.onBack) {
    backBtn = h('button', { type: 'button', class: 'btn secondary' }, 'Geri');
    actions.append(backBtn);
  }

  const box = h('section', { class: 'code-box', 'aria-labelledby': uid + '-h' },
    h('h3', { id: uid + '-h' }, 'Doğrulama Kodu'),
    copyBtn, copied, openApp, countdown, announcer, problem, state, help, actions);

  const root = h('div', { class: 'ceremony' },
    options.intro ? h('p', { class: 'cer-intro' }, options.intro) : null,
    h('div', { class: 'cer-grid' },
      h('div', { class: 'cer-steps' }, steps), box));
  container.replaceChildren(root);

  // --- helpers ---------------------------------------------------------
  function setState(name, text) {
    state.dataset.state = name;
    state.textContent = text || stateText[name] || '';
  }
  function setHelp(entry) {
    help.replaceChildren();
    help.hidden = !entry;
    renewBtn.hidden = !!entry && !entry.renew;
    if (!entry) return;
    help.append(h('p', {}, entry.text));
    if (entry.links.length) {
      help.append(h('div', { class: 'actions' },
        ...entry.links.map(([label, href]) => h('a', { class: 'btn', href }, label))));
    }
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
    openApp.hidden = false;  // the window takes every act's code, pin-reset too
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
    lastEvent = '';
    showCode(s);
    setProblem('');
    setHelp(null);
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
        const q = '?id=' + encodeURIComponent(sess.id) + (last ? '&state=' + encodeURIComponent(last) : '') +
          (last === 'code_used' && lastEvent ? '&event=' + encodeURIComponent(lastEvent) : '');
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
      case 'code_used': {
        if (typeof ans.remaining === 'number') setDeadline(ans.remaining);
        const ev = ans.state === 'code_used' ? (ans.app_event || '') : '';
        if (ev !== lastEvent && EVENT_TEXT[ev]) announce(EVENT_TEXT[ev]);
        lastEvent = ev;
        if (codeKnown) {
          setState(ev ? 'app-' + ev : ans.state, EVENT_TEXT[ev]);
          if (ev === 'pin_locked') {
            setHelp({ text: 'Kartınızın kilidini çözüp yeni bir PIN oluşturabilirsiniz (giriş yapmanız gerekir: Şifreli Giriş).',
                      links: [['PIN Oluşturma/Kilit Çözme', '/pin-olusturma.html']], renew: true });
          } else {
            setHelp(null);
          }
        }
        return 'more';
      }
      case 'signed':
        stopTimer();
        setState('signed');
        generation++;
        options.onSigned(ans);
        return 'done';
      case 'rejected': {
        stopTimer(0);
        killCode();
        const r = ans.result || {};
        const entry = HELP[r.code];
        setState('rejected', entry && !entry.renew
          ? 'İşleminiz tamamlanamadı. Aşağıdaki adımla devam ediniz.'
          : 'İşleminiz tamamlanamadı. Yeni bir kod almak için "Tekrar Kod Al" butonuna tıklayınız.');
        setProblem(r.message || 'İmzanız kabul edilmedi.');
        setHelp(entry || null);
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
    setHelp(null);
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
