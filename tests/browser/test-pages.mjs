// test-pages.mjs - the static pages: basics, accessibility, no other hosts,
// security headers as the browser sees them, screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, stopServer, launch, openPage, pageBasics, screenshot, viewports, overflows } from './lib.mjs';

let srv, browser;
before(async () => { srv = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await stopServer(srv); });

for (const [vpName, vp] of Object.entries(viewports)) {
  test(`landing page (${vpName})`, async () => {
    const { context, page, problems } = await openPage(browser, srv.url, vp);
    const resp = await page.goto(srv.url + '/');
    assert.equal(resp.status(), 200);
    assert.match(resp.headers()['content-security-policy'], /frame-ancestors 'none'/);
    await page.waitForFunction(() => document.title.includes('—'));
    const b = await pageBasics(page);
    assert.equal(b.lang, 'tr');
    assert.match(b.title, /Online İşlemler — Eonay Sertifikasyon Merkezi/);
    assert.deepEqual(b.unlabeled, []);
    await assert.doesNotReject(page.getByRole('heading', { name: 'Online İşlemler' }).waitFor());
    // nothing overflows horizontally on a phone
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false);
    await screenshot(page, `online-islemler-${vp.width}x${vp.height}`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

const pages = [
  ['/giris.html', 'Giriş', null],
  ['/eimzali-giris.html', 'E-imzalı Giriş', null],
  ['/edevlet-giris.html', 'E-Devlet ile Giriş', 'edevlet-giris'],
  ['/eimza.html', 'e-İmza Uygulaması', 'eimza'],
];
for (const [vpName, vp] of Object.entries(viewports)) {
  for (const [href, heading, shot] of pages) {
    test(`${href} basics (${vpName})`, async () => {
      const { context, page, problems } = await openPage(browser, srv.url, vp);
      const resp = await page.goto(srv.url + href);
      assert.equal(resp.status(), 200);
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      await page.waitForFunction(() => document.title.includes('—'));
      const b = await pageBasics(page);
      assert.equal(b.lang, 'tr');
      assert.match(b.title, new RegExp(`^${heading} — Eonay Sertifikasyon Merkezi$`));
      assert.deepEqual(b.unlabeled, []);
      // no inline script or style anywhere (the CSP would block them)
      const inline = await page.evaluate(() => ({
        scripts: [...document.scripts].filter((s) => !s.src).length,
        styles: document.querySelectorAll('style, [style]').length,
      }));
      assert.deepEqual(inline, { scripts: 0, styles: 0 });
      assert.equal(await overflows(page), false);
      if (shot) await screenshot(page, `${shot}-${vp.width}x${vp.height}`);
      assert.deepEqual(problems, []);
      await context.close();
    });
  }
}

test('the e-İmza page explains the commands with this server', async () => {
  const { context, page, problems } = await openPage(browser, srv.url);
  await page.goto(srv.url + '/eimza.html');
  const text = await page.locator('main').innerText();
  assert.match(text, /Java gerektirmez/);
  assert.ok(text.includes(`eimza sign --server ${srv.url} --code`));
  assert.match(text, /eimza certs/);
  assert.match(text, /eimza verify/);
  assert.deepEqual(problems, []);
  await context.close();
});

// The e-İmza page offers the package eonayd serves from downloads.dir:
// "İndirmek için tıklayınız" with its SHA-256; the file comes byte for byte.
test('the e-İmza page links the package with its SHA-256', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'eonay-downloads-'));
  const deb = Buffer.from(Array.from({ length: 150000 }, (_, i) => (i * 7919) >> 3 & 255));
  writeFileSync(path.join(dir, 'eimza_0.1.0_amd64.deb'), deb);
  writeFileSync(path.join(dir, 'eimza-dbgsym_0.1.0_amd64.deb'), 'debug symbols');
  const sum = createHash('sha256').update(deb).digest('hex');
  const s2 = await startServer(['--set', `downloads.dir=${dir}`]);
  try {
    for (const vp of [viewports.desktop, viewports.phone]) {
      const { context, page, problems } = await openPage(browser, s2.url, vp);
      await page.goto(s2.url + '/eimza.html');
      const link = page.getByRole('link', { name: 'İndirmek için tıklayınız' });
      await link.waitFor();
      assert.equal(await link.count(), 1);   // the application only, not its debug symbols
      assert.equal(await link.getAttribute('href'), '/downloads/eimza_0.1.0_amd64.deb');
      const item = page.locator('.download-list li');
      assert.match(await item.innerText(), new RegExp(`SHA-256: ${sum}`));
      assert.match(await item.innerText(), /eimza_0\.1\.0_amd64\.deb \(146 KB\)/);
      assert.equal(await page.locator('[data-no-downloads]').isVisible(), false);
      const got = await page.evaluate(async (href) => {
        const r = await fetch(href);
        const b = await crypto.subtle.digest('SHA-256', await r.arrayBuffer());
        return [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
      }, '/downloads/eimza_0.1.0_amd64.deb');
      assert.equal(got, sum);
      assert.equal(await overflows(page), false);
      await page.locator('#e2').scrollIntoViewIfNeeded();
      await screenshot(page, `eimza-indir-${vp.width}x${vp.height}`);
      assert.deepEqual(problems, []);
      await context.close();
    }
  } finally {
    await stopServer(s2);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without packages the e-İmza page says so and keeps the build instructions', async () => {
  const { context, page, problems } = await openPage(browser, srv.url);
  await page.goto(srv.url + '/eimza.html');
  await page.getByText('Bu sunucu henüz uygulama paketi sunmuyor').waitFor();
  assert.equal(await page.getByRole('link', { name: 'İndirmek için tıklayınız' }).count(), 0);
  assert.match(await page.locator('main').innerText(), /Kaynak koddan kurulum/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the holder pages send a visitor without a session to Giriş', async () => {
  const { context, page, problems } = await openPage(browser, srv.url);
  for (const href of ['/islemler.html', '/eonay.html']) {
    await page.goto(srv.url + href);
    await page.waitForURL('**/giris.html');
    await page.getByRole('heading', { name: 'Giriş', exact: true }).waitFor();
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('keyboard only: Giriş to the code screen', async () => {
  const { context, page, problems } = await openPage(browser, srv.url);
  await page.goto(srv.url + '/');
  // the skip link first, then the header link, then the navigation
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'İçeriğe geç');
  await page.goto(srv.url + '/eimzali-giris.html');
  const focusOn = () => page.evaluate(() => document.activeElement.id || document.activeElement.textContent.trim());
  for (let i = 0; i < 12 && (await focusOn()) !== 'tckn'; i++) await page.keyboard.press('Tab');
  assert.equal(await focusOn(), 'tckn');
  // the focus is visible
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.equal(outline, 'solid');
  await page.keyboard.type('10000000146');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'E-imzalı Giriş Ekranı' }).waitFor();
  assert.equal(await focusOn(), 'code-h');
  for (let i = 0; i < 6 && !(await focusOn()).includes('Kodu kopyalamak'); i++) await page.keyboard.press('Tab');
  assert.match(await focusOn(), /Kodu kopyalamak için tıklayınız/);
  await page.keyboard.press('Tab');
  assert.equal(await focusOn(), 'e-İmza Uygulamasını Aç');
  await page.keyboard.press('Tab');
  assert.equal(await focusOn(), 'Tekrar Kod Al');
  assert.deepEqual(problems, []);
  await context.close();
});

test('unknown page shows the 404 page', async () => {
  const { context, page, problems } = await openPage(browser, srv.url);
  const resp = await page.goto(srv.url + '/yok-boyle-bir-sayfa');
  assert.equal(resp.status(), 404);
  await page.getByRole('heading', { name: 'Sayfa bulunamadı' }).waitFor();
  const b = await pageBasics(page);
  assert.equal(b.lang, 'tr');
  assert.deepEqual(problems.filter((p) => !p.includes('404')), []);
  await context.close();
});

test('an inline script is blocked by the CSP', async () => {
  const { context, page } = await openPage(browser, srv.url);
  await page.goto(srv.url + '/');
  const ran = await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__inline = 1';
    document.body.appendChild(s);
    return window.__inline === 1;
  });
  assert.equal(ran, false);
  await context.close();
});
