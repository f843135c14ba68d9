// lib.mjs - browser test helpers: a real eonayd on a free port with a fresh
// data directory, Debian's Chromium through playwright-core, and the checks
// every page must pass (no console errors, no request to another host,
// lang="tr", a title, a label for every input). With { demo: true } the
// data directory gets `eonayctl demo` first (holders, cards, SoftHSM), and
// eimzaSign() runs the real e-İmza application against that world.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');
export const builddir = process.env.EONAY_BUILDDIR || path.join(root, 'build');
// On the PostgreSQL pass (EONAY_TEST_STORE_URL set, see scripts/pg) each
// server gets a database of its own, and the screenshots go to a temporary
// directory: docs/screenshots comes from the SQLite pass.
const storeUrl = process.env.EONAY_TEST_STORE_URL || '';
export const shotsdir = storeUrl
  ? mkdtempSync(path.join(tmpdir(), 'eonay-shots-'))
  : path.join(root, 'docs', 'screenshots');
if (storeUrl) process.on('exit', () => rmSync(shotsdir, { recursive: true, force: true }));

// The URL of database name on the server of EONAY_TEST_STORE_URL.
function dbUrl(name) {
  const m = storeUrl.match(/^(postgres(?:ql)?:\/\/[^/?]*)(\/[^?]*)?(\?.*)?$/);
  if (!m) throw new Error(`EONAY_TEST_STORE_URL is not a postgresql:// URL: ${storeUrl}`);
  return `${m[1]}/${name}${m[3] || ''}`;
}

function psql(sql) {
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', storeUrl, '-c', sql],
               { stdio: ['ignore', 'ignore', 'inherit'] });
}

// A fresh database for data directory data, named after it, written to
// DATA/eonay.conf so that eonayd and eonayctl on it use it.
function storeFor(data) {
  if (!storeUrl) return;
  const name = path.basename(data);
  psql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  psql(`CREATE DATABASE "${name}"`);
  writeFileSync(path.join(data, 'eonay.conf'), `[store]\nurl = ${dbUrl(name)}\n`);
}

export function bin(name) {
  const sub = { eonayd: 'server', eimza: 'eimza', eonayctl: 'ctl' }[name];
  return path.join(builddir, 'src', sub, name);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

export async function startServer(extraArgs = [], opts = {}) {
  const data = mkdtempSync(path.join(tmpdir(), 'eonay-browser-'));
  storeFor(data);
  let demo = null;
  if (opts.demo) {
    demo = JSON.parse(execFileSync(bin('eonayctl'), ['--data', data, 'demo']).toString());
  }
  const port = opts.port || await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Every page of every test comes from 127.0.0.1: the per-address limits
  // are raised here and tested in tests/e2e (test-attacks, test-proxy).
  const limits = ['--set', 'session.creates_per_client=100000', '--set', 'codes.starts_per_client=100000',
                  '--set', 'codes.starts_per_holder=100000'];
  const proc = spawn(bin('eonayd'), ['--data', data, '--listen', `127.0.0.1:${port}`, ...limits, ...extraArgs],
                     { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  proc.on('error', (e) => { log += `spawn: ${e.message}\n`; });
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) {
        return {
          url, data, proc, demo, log: () => log,
          softhsmConf: demo ? demo.softhsm2_conf : null,
          ctl: (...a) => execFileSync(bin('eonayctl'), ['--data', data, ...a]).toString(),
        };
      }
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 25));
  }
  proc.kill('SIGKILL');
  throw new Error(`eonayd did not start: ${log}`);
}

export async function stopServer(s) {
  if (!s) return;
  s.proc.kill('SIGTERM');
  await new Promise((r) => s.proc.once('exit', r));
  rmSync(s.data, { recursive: true, force: true });
  if (storeUrl) psql(`DROP DATABASE IF EXISTS "${path.basename(s.data)}" WITH (FORCE)`);
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A page that records console errors and requests to other hosts.
export async function openPage(browser, baseUrl, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport, locale: 'tr-TR' });
  const page = await context.newPage();
  const problems = [];
  const origin = new URL(baseUrl).origin;
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/yok-boyle-bir-sayfa')) problems.push(`http ${r.status()}: ${r.url()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:')) problems.push(`other host: ${u}`);
  });
  return { context, page, problems };
}

// The basics every page must have.
export async function pageBasics(page) {
  return page.evaluate(() => {
    const unlabeled = [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => el.type !== 'hidden')
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') &&
                      !el.getAttribute('aria-labelledby'))
      .map((el) => el.id || el.name || el.outerHTML.slice(0, 60));
    return { lang: document.documentElement.lang, title: document.title, unlabeled };
  });
}

export async function screenshot(page, name) {
  mkdirSync(shotsdir, { recursive: true });
  await page.screenshot({ path: path.join(shotsdir, `${name}.png`), fullPage: true });
}

export const viewports = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
};

// Runs the real e-İmza application with `args` and `input` on stdin, with
// the demo world's SoftHSM. Resolves to { status, stdout, stderr } (never
// rejects on a non-zero exit).
export function runEimza(srv, args, input) {
  return new Promise((resolve, reject) => {
    const p = spawn(bin('eimza'), args, { env: { ...process.env, SOFTHSM2_CONF: srv.softhsmConf },
                                          stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('error', reject);
    p.on('close', (status) => resolve({ status, stdout, stderr }));
    // eimza refuses a dead code before it asks for the PIN and may exit
    // before reading stdin: the write then fails with EPIPE, which is its
    // refusal, not the test's error (the exit status tells).
    p.stdin.on('error', (e) => { if (e.code !== 'EPIPE') reject(e); });
    p.stdin.end(input + '\n');
  });
}

// `eimza sign --server URL --code CODE --pin-stdin --yes`.
export function eimzaSign(srv, code, { pin = '123456', args = [] } = {}) {
  return runEimza(srv, ['sign', '--server', srv.url, '--code', code, '--pin-stdin', '--yes', ...args], pin);
}

// The Doğrulama Kodu as the page shows it (groups of four), and its digits.
export async function readCode(page) {
  const el = page.locator('.code-box .code[data-code]');
  await el.waitFor();
  const shown = (await el.textContent()).trim();
  return { shown, digits: shown.replace(/\s+/g, '') };
}

// Waits until the page shows a code other than `old` and returns it.
export async function readNewCode(page, old) {
  await page.waitForFunction((o) => {
    const el = document.querySelector('.code-box .code[data-code]');
    return el && el.textContent.replace(/\s+/g, '') !== o;
  }, old);
  return readCode(page);
}

// E-imzalı Giriş through the pages: T.C. Kimlik No, GİRİŞ, the code read
// from the page, signed by eimza; ends on the İşlemler Menüsü.
export async function loginAs(page, srv, tckn = '10000000146') {
  await page.goto(srv.url + '/eimzali-giris.html');
  await page.getByLabel('T.C. Kimlik No').fill(tckn);
  await page.getByRole('button', { name: 'GİRİŞ' }).click();
  const { digits } = await readCode(page);
  const r = await eimzaSign(srv, digits);
  if (r.status !== 0) throw new Error(`eimza failed (${r.status}): ${r.stderr}`);
  await page.waitForURL('**/islemler.html');
  await page.getByText('Sayın').waitFor();
}

// No horizontal scrolling (phone).
export async function overflows(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
}
