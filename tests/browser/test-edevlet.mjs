// test-edevlet.mjs - E-Devlet ile Giriş against a real OpenID Connect
// provider: glewlwyd (Debian) started by scripts/idp on loopback with its
// own SQLite database.  Giriş -> E-Devlet ile Giriş -> E-Devlet kapısına
// git -> the provider's login page -> back -> "Sayın AHMET YILMAZ" at the
// İşlemler Menüsü; a person who is no holder of ours comes back to our
// page with the neutral Turkish message.  Screenshots of our screens and
// of the provider's.  The refusals one by one are tests/e2e/test-edevlet.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  root, startServer, stopServer, launch, openPage, pageBasics, screenshot, freePort, overflows,
} from './lib.mjs';

let srv, browser, idp;

function startIdp(eonayPort) {
  return freePort().then((port) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'eonay-idp-'));
    const out = execFileSync(path.join(root, 'scripts', 'idp'),
      [dir, '--port', String(port), '--redirect', `http://127.0.0.1:${eonayPort}/OAuth2/edevletsonuc`]).toString();
    const v = Object.fromEntries(out.trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2)));
    return { dir, port, origin: `http://127.0.0.1:${port}`, ...v };
  });
}

before(async () => {
  const port = await freePort();
  idp = await startIdp(port);
  srv = await startServer(['--set', `edevlet.issuer=${idp.IDP_ISSUER}`, '--set', 'edevlet.client_id=eonay',
                           '--set', `edevlet.client_secret=${idp.IDP_CLIENT_SECRET}`], { demo: true, port });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await stopServer(srv);
  if (idp) {
    execFileSync(path.join(root, 'scripts', 'idp'), [idp.dir, '--stop']);
    rmSync(idp.dir, { recursive: true, force: true });
  }
});

// Problems on our pages only: the provider's pages are not ours.
function ours(problems) {
  return problems.filter((p) => !p.includes(idp.origin) && !p.startsWith('console:'));
}

async function providerLogin(page, user, password, shot) {
  await page.waitForURL(`${idp.origin}/**`);
  await page.locator('#username').waitFor();
  if (shot) await screenshot(page, shot);
  await page.fill('#username', user);
  await page.fill('#password', password);
  await page.click('#loginbut');
  await page.getByRole('button', { name: 'Continue' }).click();
}

test('E-Devlet ile Giriş through the real provider, to "Sayın AHMET YILMAZ"', async () => {
  const { context, page, problems } = await openPage(browser, srv.url);
  await page.goto(srv.url + '/giris.html');
  await page.getByRole('link', { name: 'E-Devlet ile Giriş' }).click();
  await page.waitForURL('**/edevlet-giris.html');
  await page.waitForFunction(() => document.title.includes('—'));
  const text = await page.locator('main').innerText();
  assert.match(text, /E-Devlet ile kimlik doğrulama yapabilmek için e-Devlet kapısına gitmeniz gerekmektedir/);
  for (const way of ['E-Devlet Şifresi', 'e-İmza', 'İnternet Bankacılığı', 'Mobil İmza', 'T.C. Kimlik Kartı'])
    assert.ok(text.includes(way), way);
  const b = await pageBasics(page);
  assert.equal(b.lang, 'tr');
  assert.equal(await overflows(page), false);
  await screenshot(page, 'edevlet-giris-1280x800');

  await page.getByRole('link', { name: 'E-Devlet kapısına git' }).click();
  await providerLogin(page, idp.IDP_USER, idp.IDP_PASSWORD, 'edevlet-kapisi-1280x800');
  await page.waitForURL(`${srv.url}/islemler.html`);
  await page.getByText('Sayın').waitFor();
  assert.equal((await page.locator('.greeting').innerText()).trim(), 'Sayın AHMET YILMAZ,');
  await page.getByText('Giriş yönteminiz: E-Devlet ile Giriş').waitFor();
  await screenshot(page, 'edevlet-islemler-1280x800');

  const s = await page.evaluate(() => fetch('/api/v1/session').then((r) => r.json()));
  assert.equal(s.authenticated, true);
  assert.equal(s.tckn, '10000000146');
  assert.equal(s.login_method, 'e-devlet');
  const audit = srv.ctl('audit', 'list', '5');
  assert.match(audit, /holder:10000000146.*session\.login.*ok.*e-devlet/);
  assert.deepEqual(ours(problems), []);
  await context.close();
});

test('a person who is no holder comes back with the neutral message', async () => {
  const { context, page, problems } = await openPage(browser, srv.url);
  await page.goto(srv.url + '/edevlet-giris.html');
  await page.getByRole('link', { name: 'E-Devlet kapısına git' }).click();
  await providerLogin(page, 'kayitsiz', idp.IDP_PASSWORD);
  await page.waitForURL(`${srv.url}/edevlet-giris.html?hata=edevlet_unknown_person`);
  const err = page.locator('[data-page-error]');
  await err.waitFor();
  assert.equal((await err.innerText()).trim(),
    'Giriş yapılamadı. Bu kimlik bilgileriyle kayıtlı bir sertifika sahibi bulunamadı.');
  await screenshot(page, 'edevlet-hata-1280x800');
  const s = await page.evaluate(() => fetch('/api/v1/session').then((r) => r.json()));
  assert.equal(s.authenticated, false);
  assert.deepEqual(ours(problems), []);
  await context.close();
});
