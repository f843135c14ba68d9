// test-edevlet-refusals.mjs - every way an E-Devlet login is refused, over
// HTTP (no browser), each with its own code and Turkish message and an
// audit event.  Against the real provider (glewlwyd, scripts/idp): wrong
// and reused state, reused authorization code, unknown T.C. Kimlik No,
// the user cancelling (the provider's error answer on our callback),
// provider unreachable.  A small fake provider ONLY for what glewlwyd
// cannot be made to send: a token with another nonce, signed by a key not
// in the JWKS, expired, for another audience, with alg "none" (tokens
// signed with node's crypto, i.e. OpenSSL).  The fake also checks our PKCE
// (S256 of the verifier we send equals the challenge we sent).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes, sign as rsaSign } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { root, startServer, stopServer, freePort } from './lib.mjs';

// ---- a tiny cookie jar over fetch (no redirects followed) ----
class Browser {
  constructor() { this.jar = new Map(); }
  cookie() { return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '); }
  async get(url) {
    const r = await fetch(url, { redirect: 'manual', headers: { Cookie: this.cookie() } });
    for (const c of r.headers.getSetCookie()) {
      const [kv, ...attrs] = c.split(';');
      const i = kv.indexOf('=');
      const name = kv.slice(0, i).trim(), value = kv.slice(i + 1).trim();
      if (attrs.some((a) => /max-age=0\b/i.test(a.trim())) || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return r;
  }
  async post(url, body) {
    const r = await fetch(url, { method: 'POST', redirect: 'manual',
      headers: { Cookie: this.cookie(), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    for (const c of r.headers.getSetCookie()) {
      const kv = c.split(';')[0], i = kv.indexOf('=');
      this.jar.set(kv.slice(0, i).trim(), kv.slice(i + 1).trim());
    }
    return r;
  }
}

let idp, real, fake, fakeSrv, down;

async function startIdp(eonayPort) {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'eonay-idp-'));
  const out = execFileSync(path.join(root, 'scripts', 'idp'),
    [dir, '--port', String(port), '--redirect', `http://127.0.0.1:${eonayPort}/OAuth2/edevletsonuc`]).toString();
  const v = Object.fromEntries(out.trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2)));
  return { dir, port, origin: `http://127.0.0.1:${port}`, ...v };
}

// ---- the fake provider ----
const b64u = (b) => Buffer.from(b).toString('base64url');
function makeFake() {
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const f = { key, foreign, next: null, lastChallenge: null, lastVerifier: null, pkceOk: null };
  f.server = createServer((req, res) => {
    const url = new URL(req.url, f.iss);
    const json = (o, status = 200) => { res.writeHead(status, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(o)); };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json({ issuer: f.iss, authorization_endpoint: `${f.iss}/auth`, token_endpoint: `${f.iss}/token`,
                    jwks_uri: `${f.iss}/jwks`, id_token_signing_alg_values_supported: ['RS256'] });
    }
    if (url.pathname === '/jwks') {
      return json({ keys: [{ ...key.publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig', alg: 'RS256' }] });
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        const p = new URLSearchParams(body);
        f.lastVerifier = p.get('code_verifier');
        f.pkceOk = createHash('sha256').update(f.lastVerifier || '').digest('base64url') === f.lastChallenge &&
                   (req.headers.authorization || '').startsWith('Basic ');
        json({ token_type: 'bearer', access_token: 'x', id_token: f.next });
      });
      return undefined;
    }
    res.writeHead(404); res.end();
    return undefined;
  });
  return f;
}

function jws(header, claims, privateKey) {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
  if (!privateKey) return `${input}.`;
  return `${input}.${rsaSign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

function fakeToken(kind, nonce) {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: fake.iss, sub: 'u1', aud: 'eonay', azp: 'eonay', exp: now + 300, iat: now, nonce,
                   tckn: '10000000146', name: 'AHMET YILMAZ' };
  const header = { alg: 'RS256', typ: 'JWT', kid: 'k1' };
  switch (kind) {
    case 'good': return jws(header, claims, fake.key.privateKey);
    case 'nonce': return jws(header, { ...claims, nonce: 'some-other-request' }, fake.key.privateKey);
    case 'foreign': return jws({ ...header, kid: 'k-unknown' }, claims, fake.foreign.privateKey);
    case 'expired': return jws(header, { ...claims, iat: now - 900, exp: now - 600 }, fake.key.privateKey);
    case 'aud': return jws(header, { ...claims, aud: 'another-client', azp: 'another-client' }, fake.key.privateKey);
    case 'none': return jws({ alg: 'none', typ: 'JWT' }, claims, null);
    default: throw new Error(kind);
  }
}

before(async () => {
  const realPort = await freePort();
  idp = await startIdp(realPort);
  real = await startServer(['--set', `edevlet.issuer=${idp.IDP_ISSUER}`, '--set', 'edevlet.client_id=eonay',
                            '--set', `edevlet.client_secret=${idp.IDP_CLIENT_SECRET}`], { demo: true, port: realPort });
  fake = makeFake();
  const fp = await freePort();
  fake.iss = `http://127.0.0.1:${fp}`;
  await new Promise((r) => fake.server.listen(fp, '127.0.0.1', r));
  fakeSrv = await startServer(['--set', `edevlet.issuer=${fake.iss}`, '--set', 'edevlet.client_id=eonay',
                               '--set', 'edevlet.client_secret=fake-secret'], { demo: true });
  const closed = await freePort();
  down = await startServer(['--set', `edevlet.issuer=http://127.0.0.1:${closed}/nobody`, '--set', 'edevlet.client_id=eonay',
                            '--set', 'edevlet.client_secret=x']);
});
after(async () => {
  await stopServer(real); await stopServer(fakeSrv); await stopServer(down);
  fake?.server.close();
  if (idp) {
    execFileSync(path.join(root, 'scripts', 'idp'), [idp.dir, '--stop']);
    rmSync(idp.dir, { recursive: true, force: true });
  }
});

// Our start: the redirect to the provider, with its parameters.
async function start(b, srv) {
  const r = await b.get(`${srv.url}/api/v1/edevlet/start`);
  assert.equal(r.status, 303);
  const loc = new URL(r.headers.get('location'));
  assert.ok(b.jar.has('eonay_sid') && b.jar.has('eonay_edevlet'), 'session and binding cookies');
  return loc;
}

// Through the real provider's API as the user would through its pages:
// the URL of our callback with the code.
async function realAuthorize(loc, user = idp.IDP_USER) {
  const p = new Browser();
  const a = await p.post(`${idp.origin}/api/auth/`, { username: user, password: idp.IDP_PASSWORD });
  assert.equal(a.status, 200);
  const r = await p.get(`${loc.href}&g_continue`);
  assert.equal(r.status, 302);
  const cb = r.headers.get('location');
  assert.match(cb, /\/OAuth2\/edevletsonuc\?/);
  return cb;
}

// Our answer to the callback: the refusal code in the redirect, or 'ok'.
async function callback(b, url) {
  const r = await b.get(url);
  assert.equal(r.status, 303);
  const loc = r.headers.get('location');
  if (loc === '/islemler.html') return 'ok';
  const m = /^\/edevlet-giris\.html\?hata=([a-z_]+)$/.exec(loc);
  assert.ok(m, `unexpected redirect ${loc}`);
  return m[1];
}

const seen = new Map();	// code -> message: each refusal its own message
async function refused(srv, code) {
  const r = await fetch(`${srv.url}/api/v1/refusals/${code}`);
  assert.equal(r.status, 200);
  const { message } = await r.json();
  assert.ok(message.length > 10);
  for (const [c, m] of seen) if (c !== code) assert.notEqual(m, message, `${c} and ${code} share a message`);
  seen.set(code, message);
  const audit = srv.ctl('audit', 'list', '200');
  assert.ok(audit.includes(`"reason":"${code}"`), `audited: ${code}`);
}

test('real provider: a good login, then the same answer again (state and code reused)', async () => {
  const b = new Browser();
  const loc = await start(b, real);
  assert.equal(loc.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(loc.searchParams.get('response_type'), 'code');
  assert.ok(loc.searchParams.get('nonce') && loc.searchParams.get('state'));
  const cb = await realAuthorize(loc);
  assert.equal(await callback(b, cb), 'ok');
  const s = await (await b.get(`${real.url}/api/v1/session`)).json();
  assert.equal(s.login_method, 'e-devlet');
  assert.equal(s.name, 'AHMET YILMAZ');

  // the same callback again, from a browser that still has its binding
  const b2 = new Browser();
  const loc2 = await start(b2, real);
  const cb2 = await realAuthorize(loc2);
  assert.equal(await callback(b2, cb2), 'ok');
  // replayed with the binding cookie back in place: the code is refused first
  b2.jar.set('eonay_edevlet', 'x'); // a stale cookie does not matter: the code was seen
  assert.equal(await callback(b2, cb2), 'edevlet_code_reused');
  await refused(real, 'edevlet_code_reused');
});

test('real provider: state reused with another code, wrong state, someone else\'s state', async () => {
  const b = new Browser();
  const loc = await start(b, real);
  const cb = new URL(await realAuthorize(loc));
  const binding = b.jar.get('eonay_edevlet');
  assert.equal(await callback(b, cb.href), 'ok');
  // the state once more with a fresh code of the provider
  b.jar.set('eonay_edevlet', binding);
  const again = new URL(cb.href);
  again.searchParams.set('code', 'another-code-123');
  assert.equal(await callback(b, again.href), 'edevlet_state_used');
  await refused(real, 'edevlet_state_used');

  // a state we never gave
  const b3 = new Browser();
  await start(b3, real);
  assert.equal(await callback(b3, `${real.url}/OAuth2/edevletsonuc?state=forged&code=abc`), 'edevlet_state_invalid');
  await refused(real, 'edevlet_state_invalid');

  // another browser's state (login CSRF): refused, and the owner still can
  const victim = new Browser(), attacker = new Browser();
  const vloc = await start(victim, real);
  const vcb = await realAuthorize(vloc);
  assert.equal(await callback(attacker, vcb), 'edevlet_state_invalid');
  assert.equal(await callback(victim, vcb), 'ok');
});

test('real provider: unknown T.C. Kimlik No gets the neutral message', async () => {
  const b = new Browser();
  const loc = await start(b, real);
  assert.equal(await callback(b, await realAuthorize(loc, 'kayitsiz')), 'edevlet_unknown_person');
  await refused(real, 'edevlet_unknown_person');
  const s = await (await b.get(`${real.url}/api/v1/session`)).json();
  assert.equal(s.authenticated, false);
});

test('the user cancels at the provider (its access_denied answer)', async () => {
  const b = new Browser();
  const loc = await start(b, real);
  const state = loc.searchParams.get('state');
  assert.equal(await callback(b, `${real.url}/OAuth2/edevletsonuc?error=access_denied&state=${state}&error_description=User+cancelled`),
               'edevlet_cancelled');
  await refused(real, 'edevlet_cancelled');
  // that state is spent
  assert.equal(await callback(b, `${real.url}/OAuth2/edevletsonuc?state=${state}&code=x`), 'edevlet_state_used');
});

test('provider unreachable', async () => {
  const b = new Browser();
  const r = await b.get(`${down.url}/api/v1/edevlet/start`);
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/edevlet-giris.html?hata=edevlet_unreachable');
  await refused(down, 'edevlet_unreachable');
});

test('fake provider: a good token logs in, our PKCE is S256 of the verifier', async () => {
  const b = new Browser();
  const loc = await start(b, fakeSrv);
  fake.lastChallenge = loc.searchParams.get('code_challenge');
  fake.next = fakeToken('good', loc.searchParams.get('nonce'));
  assert.equal(await callback(b, `${fakeSrv.url}/OAuth2/edevletsonuc?state=${loc.searchParams.get('state')}&code=c-good`), 'ok');
  assert.equal(fake.pkceOk, true);
});

for (const [kind, code] of [['nonce', 'edevlet_token_nonce'], ['foreign', 'edevlet_token_key'],
                            ['expired', 'edevlet_token_expired'], ['aud', 'edevlet_token_audience'],
                            ['none', 'edevlet_token_alg']]) {
  test(`fake provider: ${kind} token refused as ${code}`, async () => {
    const b = new Browser();
    const loc = await start(b, fakeSrv);
    fake.lastChallenge = loc.searchParams.get('code_challenge');
    fake.next = fakeToken(kind, loc.searchParams.get('nonce'));
    const url = `${fakeSrv.url}/OAuth2/edevletsonuc?state=${loc.searchParams.get('state')}&code=c-${kind}-${randomBytes(4).toString('hex')}`;
    assert.equal(await callback(b, url), code);
    await refused(fakeSrv, code);
    const s = await (await b.get(`${fakeSrv.url}/api/v1/session`)).json();
    assert.equal(s.authenticated, false);
  });
}
