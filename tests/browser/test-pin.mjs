// test-pin.mjs - PIN Oluşturma/Kilit Çözme and what the code screen says
// while the e-İmza application holds the code:
//   - E-imzalı Giriş: a wrong PIN ("PIN hatalı, tekrar deneyiniz"), then the
//     right PIN with the same code: logged in; a "no" in the application,
//     then yes: logged in
//   - a refusal shows the step that helps: the on-hold holder is pointed
//     to Şifreli Giriş and Askıdan İndirme, without a Tekrar Kod Al
//   - the PIN page from the İşlemler Menüsü: explanation, code screen with
//     `eimza pin`, a "no" in the application, then the reset by the real
//     eimza pin on SoftHSM and the result; the new PIN logs in
// At both sizes; screenshots in docs/screenshots/pin-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopServer, launch, openPage, pageBasics, screenshot, viewports,
  readCode, overflows, runEimza,
} from './lib.mjs';

let srv, browser;
let pin = '123456';   // AHMET's PIN, as the resets change it
before(async () => {
  srv = await startServer(['--set', 'codes.claims_per_client=1000'], { demo: true });
  browser = await launch();
});
after(async () => { await browser?.close(); await stopServer(srv); });

const eimza = (args, input) => runEimza(srv, args, input);
const sign = (code, p, extra = ['--pin-stdin', '--yes']) =>
  eimza(['sign', '--server', srv.url, '--code', code, ...extra], p);
const pinCmd = (code, p, extra = ['--new-pin-stdin', '--yes']) =>
  eimza(['pin', '--server', srv.url, '--code', code, ...extra], p);

async function stateText(page) {
  return (await page.locator('.cer-state').innerText()).trim();
}

async function startLogin(page, tckn) {
  await page.goto(srv.url + '/eimzali-giris.html');
  await page.getByLabel('T.C. Kimlik No').fill(tckn);
  await page.getByRole('button', { name: 'GİRİŞ' }).click();
  return readCode(page);
}

for (const [vpName, vp] of Object.entries(viewports)) {
  const size = `${vp.width}x${vp.height}`;

  test(`login: wrong PIN then right, no then yes, with one code (${vpName})`, async () => {
    const { context, page, problems } = await openPage(browser, srv.url, vp);
    const { digits } = await startLogin(page, '10000000146');
    let r = await sign(digits, '999999');
    assert.equal(r.status, 5, r.stderr);
    await page.waitForFunction(() => document.querySelector('.cer-state')?.textContent.includes('PIN hatalı'));
    assert.match(await stateText(page), /^PIN hatalı, tekrar deneyiniz\./);
    // the code is still shown and alive
    assert.equal((await readCode(page)).digits, digits);
    await screenshot(page, `pin-hatali-${size}`);
    r = await sign(digits, 'h', []);
    assert.equal(r.status, 8, r.stderr);
    await page.waitForFunction(() => document.querySelector('.cer-state')?.textContent.includes('onaylanmadı'));
    r = await sign(digits, pin);
    assert.equal(r.status, 0, r.stderr);
    await page.waitForURL('**/islemler.html');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test(`a refusal shows the step that helps (${vpName})`, async () => {
    const { context, page, problems } = await openPage(browser, srv.url, vp);
    const { digits } = await startLogin(page, '10000000078');   // AYŞE: card on hold
    const r = await sign(digits, '123456');
    assert.equal(r.status, 4, r.stderr);
    const help = page.locator('.cer-help');
    await help.waitFor();
    assert.match(await help.innerText(), /Askıdan İndirme/);
    assert.equal(await page.getByRole('link', { name: 'Şifreli Giriş' }).last().getAttribute('href'), '/sifreli-giris.html');
    assert.equal(await page.getByRole('link', { name: 'Askıdan İndirme' }).getAttribute('href'), '/askidan-indirme.html');
    assert.equal(await page.getByRole('button', { name: 'Tekrar Kod Al' }).isVisible(), false);
    assert.match(await page.locator('.cer-problem').innerText(), /Sertifikanız askıda/);
    await screenshot(page, `pin-askida-yardim-${size}`);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test(`PIN Oluşturma/Kilit Çözme (${vpName})`, async () => {
    const { context, page, problems } = await openPage(browser, srv.url, vp);
    const { digits: login } = await startLogin(page, '10000000146');
    let r = await sign(login, pin);
    assert.equal(r.status, 0, r.stderr);
    await page.waitForURL('**/islemler.html');
    await page.getByRole('link', { name: /PIN Oluşturma\/Kilit Çözme/ }).click();
    await page.waitForURL('**/pin-olusturma.html');
    await page.getByRole('heading', { name: 'Kilit Çözme Ekranı' }).waitFor();
    const b = await pageBasics(page);
    assert.equal(b.lang, 'tr');
    assert.match(b.title, /PIN Oluşturma\/Kilit Çözme/);
    assert.deepEqual(b.unlabeled, []);
    assert.equal(await overflows(page), false, 'horizontal overflow');
    await screenshot(page, `pin-1-${size}`);

    await page.getByRole('button', { name: 'Devam' }).click();
    await page.getByRole('heading', { name: 'PIN Oluşturma/Kilit Çözme Ekranı' }).waitFor();
    const { digits } = await readCode(page);
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(`eimza pin --server ${srv.url} --code ${digits}`));
    assert.ok(text.includes('PIN Değiştirme işlemi aşamasında bu sayfayı kapatmayınız'));
    // the window does the reset too: the same eimza:// link as for signing
    assert.equal(await page.getByRole('link', { name: 'e-İmza Uygulamasını Aç' }).getAttribute('href'),
                 `eimza://sign?code=${digits}`);
    assert.equal(await overflows(page), false, 'horizontal overflow');
    await screenshot(page, `pin-2-${size}`);

    // a PIN the rules refuse: nothing claimed, the page still waits
    r = await pinCmd(digits, '111111');
    assert.equal(r.status, 5, r.stderr);
    assert.match(await stateText(page), /bekleniyor/);
    // "no" in the application: the page says so, the code lives on
    const next = vpName === 'desktop' ? '271828' : '314159';
    r = await pinCmd(digits, next, ['--new-pin-stdin']);
    assert.equal(r.status, 8, r.stderr);
    await page.waitForFunction(() => document.querySelector('.cer-state')?.textContent.includes('onaylanmadı'));
    r = await pinCmd(digits, next);
    assert.equal(r.status, 0, r.stderr);
    // no SO PIN (16 digits) on screen; the session id is hex, so a run of
    // digits inside it has hex around it
    assert.doesNotMatch(r.stdout + r.stderr, /(?<![0-9a-f])\d{16}(?![0-9a-f])/, r.stdout + r.stderr);
    await page.getByRole('heading', { name: 'PIN Oluşturma/Kilit Çözme Sonucu' }).waitFor();
    await screenshot(page, `pin-sonuc-${size}`);
    pin = next;
    assert.deepEqual(problems, []);
    await context.close();

    // the new PIN logs in
    const second = await openPage(browser, srv.url, vp);
    const { digits: again } = await startLogin(second.page, '10000000146');
    r = await sign(again, pin);
    assert.equal(r.status, 0, r.stderr);
    await second.page.waitForURL('**/islemler.html');
    await second.context.close();
  });
}
