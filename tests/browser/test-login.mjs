// test-login.mjs - E-imzalı Giriş end to end: the Giriş choice, the T.C.
// Kimlik No checks, the code screen (copy, countdown, Tekrar Kod Al, the
// "kod uygulamaya girildi" state), the real eimza signing with the code read
// from the page, the İşlemler Menüsü, a refused signature (card on hold) and
// logout. Screenshots of every screen at both sizes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopServer, launch, openPage, pageBasics, screenshot, viewports,
  eimzaSign, readCode, readNewCode, loginAs, overflows,
} from './lib.mjs';

const AHMET = '10000000146';
const AYSE = '10000000078';

let srv, browser;
before(async () => {
  srv = await startServer(['--set', 'codes.claims_per_client=1000'], { demo: true });
  browser = await launch();
});
after(async () => { await browser?.close(); await stopServer(srv); });

async function basics(page) {
  const b = await pageBasics(page);
  assert.equal(b.lang, 'tr');
  assert.ok(b.title.length > 0);
  assert.deepEqual(b.unlabeled, []);
  assert.equal(await overflows(page), false, 'horizontal overflow');
}

for (const [vpName, vp] of Object.entries(viewports)) {
  const size = `${vp.width}x${vp.height}`;

  test(`Giriş choice page (${vpName})`, async () => {
    const { context, page, problems } = await openPage(browser, srv.url, vp);
    await page.goto(srv.url + '/');
    await page.getByRole('link', { name: 'Giriş', exact: true }).first().click();
    await page.waitForURL('**/giris.html');
    await page.getByRole('heading', { name: 'Giriş', exact: true }).waitFor();
    await page.waitForFunction(() => document.title.includes('—'));
    await basics(page);
    const text = await page.locator('main').innerText();
    assert.match(text, /Sertifikanızı kullanıma açmak için lütfen "Şifreli Giriş" seçeneğini kullanınız\. Kullanıma açılmış bir E-imza sertifikanız var ise "Şifreli Giriş" ya da "E-imzalı Giriş" seçeneğini kullanabilirsiniz\./);
    // Şifreli Giriş leads to its page (test-lifecycle.mjs)
    const sfr = page.locator('.card', { has: page.getByRole('heading', { name: 'Şifreli Giriş' }) });
    assert.equal(await sfr.locator('a[href="/sifreli-giris.html"]').count(), 1);
    // E-Devlet ile Giriş leads to its page (test-edevlet.mjs)
    const edv = page.locator('.card', { has: page.getByRole('heading', { name: 'E-Devlet ile Giriş' }) });
    assert.equal(await edv.locator('a[href="/edevlet-giris.html"]').count(), 1);
    await screenshot(page, `giris-${size}`);
    await page.getByRole('link', { name: 'E-imzalı Giriş' }).click();
    await page.waitForURL('**/eimzali-giris.html');
    await page.getByLabel('T.C. Kimlik No').waitFor();
    await page.waitForFunction(() => document.title.includes('—'));
    await basics(page);
    await screenshot(page, `eimzali-giris-${size}`);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test(`wrong T.C. Kimlik No is explained (${vpName})`, async () => {
    const { context, page, problems } = await openPage(browser, srv.url, vp);
    const requests = [];
    page.on('request', (r) => { if (r.url().includes('/api/v1/signing')) requests.push(r.url()); });
    await page.goto(srv.url + '/eimzali-giris.html');
    const input = page.getByLabel('T.C. Kimlik No');
    const error = page.locator('#tckn-error');
    // as typed: letters, a leading 0
    await input.fill('1234a');
    await assert.doesNotReject(error.filter({ hasText: 'yalnızca rakamlardan' }).waitFor());
    await input.fill('0');
    await assert.doesNotReject(error.filter({ hasText: '0 ile başlayamaz' }).waitFor());
    // incomplete: no message while typing, one on GİRİŞ
    await input.fill('1000000');
    assert.equal((await error.textContent()).trim(), '');
    await page.getByRole('button', { name: 'GİRİŞ' }).click();
    await assert.doesNotReject(error.filter({ hasText: '11 haneli olmalıdır' }).waitFor());
    // wrong check digits, as soon as the 11th digit is typed
    await input.fill('');
    await input.pressSequentially('10000000147');
    await assert.doesNotReject(error.filter({ hasText: 'kontrol haneleri tutmuyor' }).waitFor());
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    await page.getByRole('button', { name: 'GİRİŞ' }).click();
    assert.equal(await page.locator('#step-code').isHidden(), true);
    assert.deepEqual(requests, [], 'a wrong number never reaches the server');
    await screenshot(page, `eimzali-giris-hata-${size}`);
    // a valid one clears the message
    await input.fill(AHMET);
    assert.equal((await error.textContent()).trim(), '');
    assert.equal(await input.getAttribute('aria-invalid'), null);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test(`full E-imzalı Giriş ends on the menu (${vpName})`, async () => {
    const { context, page, problems } = await openPage(browser, srv.url, vp);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.url });
    await page.goto(srv.url + '/eimzali-giris.html');
    await page.getByLabel('T.C. Kimlik No').fill(AHMET);
    await page.getByRole('button', { name: 'GİRİŞ' }).click();
    await page.getByRole('heading', { name: 'E-imzalı Giriş Ekranı' }).waitFor();
    const { shown, digits } = await readCode(page);
    assert.match(shown, /^\d{4} \d{4} \d{4} \d{4}$/);
    const main = page.locator('main');
    const text = await main.innerText();
    for (const s of ['kartınızı bilgisayarınıza takınız', 'e-İmza uygulamasını açınız',
                     'Doğrulama Kodunu kopyalayıp e-İmza uygulamasına giriniz',
                     'imzalama işlemini gerçekleştiriniz',
                     'Uyarı: İmzalama işlemi aşamasında bu sayfayı kapatmayınız',
                     'Kodu kopyalamak için tıklayınız', 'Tekrar Kod Al']) {
      assert.ok(text.includes(s), `missing: ${s}`);
    }
    assert.ok(text.includes(`eimza sign --server ${srv.url} --code ${digits}`));
    assert.equal(await page.locator('.steps a[href="/eimza.html"]').count(), 1);
    // the installed application opens this link with the code (and nothing else)
    const open = page.getByRole('link', { name: 'e-İmza Uygulamasını Aç' });
    assert.equal(await open.getAttribute('href'), `eimza://sign?code=${digits}`);
    // count what the screen reader region says meanwhile
    await page.evaluate(() => {
      window.__announced = 0;
      new MutationObserver(() => { window.__announced++; })
        .observe(document.querySelector('.code-box [aria-live="polite"]'), { childList: true, characterData: true, subtree: true });
    });
    const secs = async () => Number(/Kalan süre: (\d+) saniye/.exec(await page.locator('.countdown').innerText())[1]);
    const s0 = await secs();
    assert.ok(s0 > 280 && s0 <= 300, `remaining ${s0}`);
    await basics(page);
    // copy: the 16 digits go to the clipboard, with a visible confirmation
    await page.getByRole('button', { name: /Kodu kopyalamak için tıklayınız/ }).click();
    await assert.doesNotReject(page.getByText('Kod kopyalandı').waitFor());
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), digits);
    // the countdown counts down, and the screen reader region is not updated every second
    await page.waitForFunction((x) => Number(document.querySelector('.countdown .secs').textContent) < x, s0);
    assert.equal(await page.locator('.countdown').getAttribute('aria-live'), 'off');
    assert.equal(await page.evaluate(() => window.__announced), 0, 'no announcement every second');
    await screenshot(page, `eimzali-giris-kod-${size}`);
    // the real e-İmza application with the code read from the page
    const r = await eimzaSign(srv, digits);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /İşleminiz Başarılıdır\. Giriş işleminiz tamamlanmıştır\./);
    await page.waitForURL('**/islemler.html');
    await assert.doesNotReject(page.getByText('Sayın AHMET YILMAZ').waitFor());
    await page.waitForFunction(() => document.title.includes('—'));
    await basics(page);
    const menu = await main.innerText();
    assert.ok(menu.includes('Lütfen aşağıdaki butonları kullanarak yapmak istediğiniz işlemi seçiniz.'));
    const items = {
      'Başvuru Durum Sorgulama': 'NES (e-İmza) başvurunuzun durumunu sorgulamak için tıklayınız.',
      'Sertifika Listeleme': 'Nitelikli Elektronik Sertifikalarınıza ait detaylara ulaşmak için tıklayınız.',
      'Askıdan İndirme': 'Askıya alınmış sertifikanızı tekrar kullanıma açmak için tıklayınız.',
      'PIN Oluşturma/Kilit Çözme': 'Kartınızın kilidini çözmek ve yeni bir PIN üretmek için tıklayınız.',
      'Sertifikamı İptal Et': 'Sertifikanızı tekrar kullanılmayacak şekilde iptal etmek için tıklayınız.',
      'E-Onay İşlemleri': 'Elektronik imzalı onay vererek işlemlerinizi kolaylaştırmak için tıklayınız.',
      'Askıya Alma': 'Kullanıma açık sertifikalarınızı askıya almak için tıklayınız.',
    };
    const found = await page.locator('ul.menu:first-of-type .menu-item').evaluateAll((els) => els.map((e) => ({
      title: e.querySelector('.mi-title').firstChild.textContent.trim(),
      text: e.querySelector('.mi-text').textContent.trim(),
      link: e.tagName === 'A' ? e.getAttribute('href') : null,
      soon: !!e.querySelector('.soon'),
    })));
    assert.deepEqual(found.map((f) => f.title), Object.keys(items));
    const links = {
      'Başvuru Durum Sorgulama': '/basvurular.html',
      'Sertifika Listeleme': '/sertifikalar.html',
      'Askıdan İndirme': '/askidan-indirme.html',
      'Sertifikamı İptal Et': '/sertifika-iptal.html',
      'E-Onay İşlemleri': '/eonay.html',
      'Askıya Alma': '/askiya-alma.html',
      'PIN Oluşturma/Kilit Çözme': '/pin-olusturma.html',
    };
    for (const f of found) {
      assert.equal(f.text, items[f.title]);
      if (links[f.title]) assert.equal(f.link, links[f.title]);
      else { assert.equal(f.link, null); assert.equal(f.soon, true); }
    }
    // and the holder's contact details (test-lifecycle.mjs)
    assert.equal(await page.getByRole('link', { name: /İletişim Bilgilerim/ }).getAttribute('href'),
                 '/iletisim-bilgileri.html');
    await screenshot(page, `islemler-${size}`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

for (const [vpName, vp] of Object.entries(viewports)) {
  test(`the code screen shows when the application has taken the code (${vpName})`, async () => {
    const { context, page, problems } = await openPage(browser, srv.url, vp);
    await page.goto(srv.url + '/eimzali-giris.html');
    await page.getByLabel('T.C. Kimlik No').fill(AHMET);
    await page.getByRole('button', { name: 'GİRİŞ' }).click();
    const { shown } = await readCode(page);
    // what eimza does first: claim the code (spaces allowed)
    const claim = await fetch(srv.url + '/api/v1/app/claim', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code: shown }),
    });
    assert.equal(claim.status, 200);
    await assert.doesNotReject(page.locator('.cer-state', { hasText: 'Kod uygulamaya girildi, imza bekleniyor' }).waitFor());
    await screenshot(page, `eimzali-giris-kod-girildi-${vp.width}x${vp.height}`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('Tekrar Kod Al kills the old code', async () => {
  const { context, page, problems } = await openPage(browser, srv.url);
  await page.goto(srv.url + '/eimzali-giris.html');
  await page.getByLabel('T.C. Kimlik No').fill(AHMET);
  await page.getByRole('button', { name: 'GİRİŞ' }).click();
  const first = await readCode(page);
  await page.getByRole('button', { name: 'Tekrar Kod Al' }).click();
  const second = await readNewCode(page, first.digits);
  assert.notEqual(second.digits, first.digits);
  const secs = Number(await page.locator('.countdown .secs').textContent());
  assert.ok(secs > 290, `countdown restarted: ${secs}`);
  const old = await eimzaSign(srv, first.digits);
  assert.equal(old.status, 3, old.stderr);
  assert.match(old.stderr, /Bu doğrulama kodu yenilenmiş\. Lütfen tarayıcınızda görünen yeni kodu kullanınız\./);
  // the page still waits on the new code, which works
  assert.equal(page.url().endsWith('/eimzali-giris.html'), true);
  const r = await eimzaSign(srv, second.digits);
  assert.equal(r.status, 0, r.stderr);
  await page.waitForURL('**/islemler.html');
  await page.getByText('Sayın AHMET YILMAZ').waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

for (const [vpName, vp] of Object.entries(viewports)) {
  test(`refused signature: card on hold (${vpName})`, async () => {
    const { context, page, problems } = await openPage(browser, srv.url, vp);
    await page.goto(srv.url + '/eimzali-giris.html');
    await page.getByLabel('T.C. Kimlik No').fill(AYSE);
    await page.getByRole('button', { name: 'GİRİŞ' }).click();
    const { digits } = await readCode(page);
    const r = await eimzaSign(srv, digits);
    assert.equal(r.status, 4, r.stderr);
    const alert = page.getByRole('alert').filter({ hasText: 'Sertifikanız askıda' });
    await assert.doesNotReject(alert.waitFor());
    assert.match(await alert.innerText(), /Askıdan İndirme/);
    // the dead code is gone; instead of a Tekrar Kod Al that would be
    // refused the same way, the step that helps: Şifreli Giriş, then
    // Askıdan İndirme
    assert.equal(await page.locator('.code-box .code[data-code]').count(), 0);
    assert.equal(await page.getByRole('button', { name: /Doğrulama Kodu/ }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Tekrar Kod Al' }).isVisible(), false);
    assert.equal(await page.locator('.cer-help').getByRole('link', { name: 'Şifreli Giriş' }).getAttribute('href'),
                 '/sifreli-giris.html');
    assert.equal(await page.getByRole('link', { name: 'Askıdan İndirme' }).getAttribute('href'), '/askidan-indirme.html');
    await screenshot(page, `eimzali-giris-red-${vp.width}x${vp.height}`);
    // Geri: the T.C. Kimlik No form again; a new start shows a live code
    await page.getByRole('button', { name: 'Geri' }).click();
    await page.getByRole('button', { name: 'GİRİŞ' }).click();
    const again = await readCode(page);
    assert.notEqual(again.digits, digits);
    assert.equal(await alert.count(), 0);
    assert.equal(await page.locator('.cer-help').isVisible(), false);
    assert.equal(await page.getByRole('button', { name: 'Tekrar Kod Al' }).isVisible(), true);
    assert.equal(page.url().endsWith('/eimzali-giris.html'), true);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('logout ends the session', async () => {
  const { context, page, problems } = await openPage(browser, srv.url);
  await loginAs(page, srv, AHMET);
  await page.getByRole('button', { name: 'Çıkış' }).click();
  await page.waitForURL(srv.url + '/');
  await page.getByRole('heading', { name: 'Online İşlemler' }).waitFor();
  // the server forgot it: the cookie no longer opens the menu
  const cookies = await context.cookies();
  assert.equal(cookies.filter((c) => c.name === 'eonay_sid').length, 0);
  await page.goto(srv.url + '/islemler.html');
  await page.waitForURL('**/giris.html');
  await page.goto(srv.url + '/eonay.html');
  await page.waitForURL('**/giris.html');
  assert.deepEqual(problems, []);
  await context.close();
});
