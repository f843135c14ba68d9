// test-expiry.mjs - a code that runs out: eonayd with codes.lifetime=5; the
// page counts down, shows the expiry, eimza refuses the dead code, and
// Tekrar Kod Al gives a new code that logs in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopServer, launch, openPage, screenshot, viewports, eimzaSign, readCode, readNewCode,
} from './lib.mjs';

let srv, browser;
before(async () => {
  srv = await startServer(['--set', 'codes.lifetime=5'], { demo: true });
  browser = await launch();
});
after(async () => { await browser?.close(); await stopServer(srv); });

for (const [vpName, vp] of Object.entries(viewports)) {
  test(`an expired code and Tekrar Kod Al (${vpName})`, async () => {
    const { context, page, problems } = await openPage(browser, srv.url, vp);
    await page.goto(srv.url + '/eimzali-giris.html');
    await page.getByLabel('T.C. Kimlik No').fill('10000000146');
    await page.getByRole('button', { name: 'GİRİŞ' }).click();
    const first = await readCode(page);
    const secs = Number(await page.locator('.countdown .secs').textContent());
    assert.ok(secs <= 5 && secs >= 3, `remaining ${secs}`);
    // the server ends it; the page says so and the code is gone
    const expired = page.locator('.cer-state', { hasText: 'Doğrulama kodunun süresi doldu' });
    await expired.waitFor({ timeout: 10000 });
    assert.equal((await page.locator('.countdown').innerText()).trim(), 'Kalan süre: 0 saniye');
    assert.equal(await page.locator('.code-box .code[data-code]').count(), 0);
    await screenshot(page, `eimzali-giris-sure-doldu-${vp.width}x${vp.height}`);
    const dead = await eimzaSign(srv, first.digits, { args: ['--json'] });
    assert.equal(dead.status, 3, dead.stderr);
    assert.match(dead.stderr, /Doğrulama kodunun süresi dolmuş/);
    assert.doesNotMatch(dead.stderr, /code_expired/);   // machine codes only with --json
    assert.match(dead.stdout, /"code":"code_expired"/);
    // Tekrar Kod Al: a new code, which works
    await page.getByRole('button', { name: 'Tekrar Kod Al' }).click();
    const second = await readNewCode(page, first.digits);
    assert.equal(await expired.count(), 0);
    const r = await eimzaSign(srv, second.digits);
    assert.equal(r.status, 0, r.stderr);
    await page.waitForURL('**/islemler.html');
    await page.getByText('Sayın AHMET YILMAZ').waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });
}
