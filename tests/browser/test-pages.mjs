// test-pages.mjs - the static pages: basics, accessibility, no other hosts,
// security headers as the browser sees them, screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, launch, openPage, pageBasics, screenshot, viewports } from './lib.mjs';

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
