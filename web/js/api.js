// api.js - the one way the pages talk to eonayd: a fetch wrapper that keeps
// the browser session's CSRF token and sends it on every state-changing call.
// Errors come back as ApiError with the server's machine code and its Turkish
// message (docs/API.md).

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || 'Beklenmeyen bir hata oluştu. Lütfen tekrar deneyiniz.');
    this.status = status;
    this.code = code || 'http_' + status;
  }
}

let csrfToken = null;

// Whether this browser has (probably) got a session. GET /api/v1/session
// answers 401 when there is none, which browsers log as an error; remembering
// that we created one spares the needless request on every public page.
const FLAG = 'eonay.session';
function setFlag(on) {
  try {
    if (on) window.localStorage.setItem(FLAG, '1');
    else window.localStorage.removeItem(FLAG);
  } catch { /* storage disabled: we just ask the server */ }
}
function hasFlag() {
  try { return window.localStorage.getItem(FLAG) === '1'; } catch { return true; }
}

async function call(method, path, body, options) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (options && options.signal) init.signal = options.signal;
  if (method !== 'GET' && method !== 'HEAD') {
    if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
  }
  let resp;
  try {
    resp = await fetch(path, init);
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'Sunucuya ulaşılamadı. İnternet bağlantınızı kontrol ediniz.');
  }
  let data = null;
  try { data = await resp.json(); } catch { data = null; }
  if (!resp.ok) {
    const err = data && data.error ? data.error : {};
    const e = new ApiError(resp.status, err.code, err.message);
    if (err.field) e.field = err.field; // the form field in error, when the server names one
    if (err.fields) e.fields = err.fields; // every field in error: {name: message} (Başvuru Formu)
    throw e;
  }
  return data;
}

export const api = {
  get: (path, options) => call('GET', path, undefined, options),
  post: (path, body, options) => call('POST', path, body === undefined ? {} : body, options),
  del: (path, options) => call('DELETE', path, undefined, options),
};

function remember(session) {
  if (session && session.csrf_token) csrfToken = session.csrf_token;
  return session;
}

// The current browser session, or null when there is none (401).
export async function getSession() {
  if (!hasFlag()) return null;
  try {
    const s = remember(await api.get('/api/v1/session'));
    setFlag(true);
    return s;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { setFlag(false); return null; }
    throw e;
  }
}

// A browser session, created (anonymous) when there is none yet.
export async function ensureSession() {
  const s = await getSession();
  if (s) return s;
  const created = remember(await api.post('/api/v1/session', {}));
  setFlag(true);
  return created;
}

// For pages of a logged-in holder: the session, or off to the Giriş page.
export async function requireLogin() {
  let s = null;
  try { s = await getSession(); } catch { s = null; }
  if (!s || !s.authenticated) {
    window.location.replace('/giris.html');
    return null;
  }
  fillAccount(s);
  return s;
}

export async function logout() {
  try {
    await api.del('/api/v1/session');
  } catch (e) {
    // An expired session is as good as a logged-out one.
    if (!(e instanceof ApiError) || (e.status !== 401 && e.status !== 403)) throw e;
  }
  csrfToken = null;
  setFlag(false);
  window.location.assign('/');
}

// Fills [data-user-name] and wires every [data-logout] button.
export function fillAccount(session) {
  document.querySelectorAll('[data-user-name]').forEach((el) => { el.textContent = session.name || ''; });
  document.querySelectorAll('[data-account]').forEach((el) => { el.hidden = false; });
  document.querySelectorAll('[data-logout]').forEach((btn) => {
    if (btn.dataset.bound) return;
    btn.dataset.bound = '1';
    btn.addEventListener('click', async () => {
      btn.disabled = true;
      try {
        await logout();
      } catch (e) {
        btn.disabled = false;
        showError(e.message);
      }
    });
  });
}

// A page-level error message in the [data-page-error] element.
export function showError(message) {
  const el = document.querySelector('[data-page-error]');
  if (!el) return;
  el.textContent = message;
  el.hidden = !message;
}

// "23 Kasım 2026 12:10" in Turkish, Istanbul time.
export function formatDate(unix) {
  return new Intl.DateTimeFormat('tr-TR', {
    day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit',
    timeZone: 'Europe/Istanbul',
  }).format(new Date(unix * 1000));
}
