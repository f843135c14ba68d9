// test-lifecycle.mjs - the holder's own pages (issue 11): Şifreli Giriş,
// Sertifika Listeleme, Askıdan İndirme, Askıya Alma, Sertifikamı İptal Et,
// Başvuru Durum Sorgulama, İletişim Bilgilerim, and the footer's İletişim
// and Yasal Uyarı. The on-hold demo holder AYŞE DEMİR opens her new
// certificate, suspends it, opens it again and revokes it, through the
// pages; the e-signature login works only while it is open. Screenshots in
// docs/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import {
  startServer, stopServer, launch, openPage, pageBasics, screenshot, viewports, overflows,
  eimzaSign, readCode,
} from './lib.mjs';

const AYSE = '10000000078';
const WORD = 'elma-armut-42';
let srv, browser;

before(async () => {
  srv = await startServer(['--set', 'portal.support_phone=0 850 000 00 00',
                           '--set', 'portal.support_email=yardim@eonay.example',
                           '--set', 'notify.interval=1'], { demo: true });
  browser = await launch();
});
after(async () => { await browser?.close(); await stopServer(srv); });

// Answers the tests provoke on purpose.
function unexpected(problems) {
  return problems.filter((p) => !/http 401: .*\/api\/v1\/login\/password$/.test(p) &&
                                !/http 400: .*\/api\/v1\/contact$/.test(p) &&
                                !/console: Failed to load resource/.test(p));
}

async function basics(page, title) {
  const b = await pageBasics(page);
  assert.equal(b.lang, 'tr');
  assert.match(b.title, title);
  assert.deepEqual(b.unlabeled, []);
  assert.equal(await overflows(page), false, 'horizontal overflow');
}

async function passwordLogin(page, word = WORD) {
  await page.goto(srv.url + '/sifreli-giris.html');
  await page.getByLabel('T.C. Kimlik No').fill(AYSE);
  await page.getByLabel('Güvenlik Sözcüğü').fill(word);
  await page.getByRole('button', { name: 'GİRİŞ' }).click();
}

// An e-signature login of AYŞE with her card in a fresh context: eimza's result.
async function esignLogin() {
  const { context, page } = await openPage(browser, srv.url);
  await page.goto(srv.url + '/eimzali-giris.html');
  await page.getByLabel('T.C. Kimlik No').fill(AYSE);
  await page.getByRole('button', { name: 'GİRİŞ' }).click();
  const { digits } = await readCode(page);
  const r = await eimzaSign(srv, digits, { args: ['--token', 'DEMO-0002'] });
  if (r.status === 0) await page.waitForURL('**/islemler.html');
  await context.close();
  return r;
}

async function statusOf(page) {
  await page.goto(srv.url + '/sertifikalar.html');
  const row = page.locator('#certs tbody tr').first();
  await row.waitFor();
  return (await row.locator('.status-cell').innerText()).trim();
}

test('Şifreli Giriş, then the new certificate opened, suspended, opened, revoked', async () => {
  const { context, page, problems } = await openPage(browser, srv.url, viewports.desktop);

  // Giriş: the Şifreli Giriş choice is live
  await page.goto(srv.url + '/giris.html');
  await page.getByRole('link', { name: 'Şifreli Giriş' }).click();
  await page.waitForURL('**/sifreli-giris.html');
  await page.waitForFunction(() => document.title.includes('—'));
  await basics(page, /Şifreli Giriş/);
  await screenshot(page, 'sifreli-giris-1280x800');

  // wrong word: one message, whatever was wrong
  await passwordLogin(page, 'yanlis-sozcuk');
  await page.getByText('T.C. Kimlik No veya güvenlik sözcüğü hatalı.').waitFor();
  assert.equal(await page.getByLabel('Güvenlik Sözcüğü').inputValue(), '');
  await screenshot(page, 'sifreli-giris-hata-1280x800');

  await passwordLogin(page);
  await page.waitForURL('**/islemler.html');
  await page.getByText('Sayın').waitFor();
  assert.match(await page.locator('[data-user-name]').first().innerText(), /AYŞE DEMİR/);
  for (const name of ['Başvuru Durum Sorgulama', 'Sertifika Listeleme', 'Askıdan İndirme',
                      'Sertifikamı İptal Et', 'Askıya Alma', 'İletişim Bilgilerim']) {
    assert.equal(await page.getByRole('link', { name: new RegExp(name) }).count(), 1, name);
  }
  await screenshot(page, 'islemler-nes-1280x800');

  // Sertifika Listeleme: the new card's certificate, on hold
  await page.getByRole('link', { name: /Sertifika Listeleme/ }).click();
  await page.waitForURL('**/sertifikalar.html');
  await page.locator('#certs tbody tr').first().waitFor();
  await basics(page, /Sertifika Listeleme/);
  const row = await page.locator('#certs tbody tr').first().innerText();
  assert.match(row, /Askıda/);
  assert.match(row, /DEMO-0002/);
  assert.match(row, /PEM/);
  const pem = await page.evaluate(async (h) => (await fetch(h)).text(),
    await page.getByRole('link', { name: 'Sertifikayı PEM olarak indir' }).getAttribute('href'));
  assert.match(pem, /^-----BEGIN CERTIFICATE-----/);
  await screenshot(page, 'sertifikalar-askida-1280x800');

  // e-signature login refused while on hold
  let r = await esignLogin();
  assert.notEqual(r.status, 0);
  assert.match(r.stdout + r.stderr, /askıda/);

  // Askıdan İndirme
  await page.goto(srv.url + '/islemler.html');
  await page.getByRole('link', { name: /Askıdan İndirme/ }).click();
  await page.waitForURL('**/askidan-indirme.html');
  await page.locator('#choices input').first().waitFor();
  await basics(page, /Askıdan İndirme/);
  await screenshot(page, 'askidan-indirme-1280x800');
  await page.getByRole('button', { name: 'Askıdan İndir' }).click();
  await page.getByText('Sertifikanız askıdan indirildi ve kullanıma açıldı.').waitFor();
  await page.getByText('Askıda bir sertifikanız bulunmamaktadır.').waitFor();
  await screenshot(page, 'askidan-indirme-sonuc-1280x800');
  assert.equal(await statusOf(page), 'Kullanımda');
  await screenshot(page, 'sertifikalar-1280x800');
  r = await esignLogin();
  assert.equal(r.status, 0, r.stderr);

  // Askıya Alma
  await page.goto(srv.url + '/askiya-alma.html');
  await page.locator('#choices input').first().waitFor();
  await basics(page, /Askıya Alma/);
  await screenshot(page, 'askiya-alma-1280x800');
  await page.getByRole('button', { name: 'Askıya Al' }).click();
  await page.getByText('Sertifikanız askıya alındı.').waitFor();
  await screenshot(page, 'askiya-alma-sonuc-1280x800');
  assert.equal(await statusOf(page), 'Askıda');
  r = await esignLogin();
  assert.notEqual(r.status, 0);

  // and open again
  await page.goto(srv.url + '/askidan-indirme.html');
  await page.getByRole('button', { name: 'Askıdan İndir' }).click();
  await page.getByText('Sertifikanız askıdan indirildi ve kullanıma açıldı.').waitFor();

  // Sertifikamı İptal Et: reason, typed confirmation, final
  await page.goto(srv.url + '/sertifika-iptal.html');
  await page.locator('#choices input').first().waitFor();
  await basics(page, /Sertifikamı İptal Et/);
  const serial = await page.locator('#choices input').first().getAttribute('value');
  await page.getByLabel('İptal Nedeni').selectOption('1');
  await page.getByLabel('Onay').fill('yanlış');
  await page.getByRole('button', { name: 'Sertifikamı İptal Et' }).click();
  await page.getByText('Onay metni seri numarasının son 6 karakteri ile aynı değil.').waitFor();
  await page.getByLabel('Onay').fill(serial.slice(-6).toUpperCase());
  await screenshot(page, 'sertifika-iptal-1280x800');
  await page.getByRole('button', { name: 'Sertifikamı İptal Et' }).click();
  await page.getByText('Sertifikanız iptal edildi.').waitFor();
  await page.getByText('İptal edilebilecek bir sertifikanız bulunmamaktadır.').waitFor();
  await screenshot(page, 'sertifika-iptal-sonuc-1280x800');
  assert.match(await statusOf(page), /İptal edildi \(Kart kayıp, çalıntı/);
  await screenshot(page, 'sertifikalar-iptal-1280x800');
  await page.goto(srv.url + '/askiya-alma.html');
  await page.getByText('Askıya alınabilecek (kullanımda olan) bir sertifikanız bulunmamaktadır.').waitFor();
  r = await esignLogin();
  assert.notEqual(r.status, 0);
  assert.match(r.stdout + r.stderr, /iptal/);

  // the notifications went to the spool
  let spool = [];
  for (let i = 0; i < 50 && spool.length < 4; i++) {
    spool = readdirSync(srv.data + '/spool');
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(spool.length, 4, `spool: ${spool}`);

  assert.deepEqual(unexpected(problems), []);
  await context.close();
});

test('Başvuru Durum Sorgulama and İletişim Bilgilerim', async () => {
  const { context, page, problems } = await openPage(browser, srv.url, viewports.desktop);
  await passwordLogin(page);
  await page.waitForURL('**/islemler.html');

  await page.getByRole('link', { name: /Başvuru Durum Sorgulama/ }).click();
  await page.waitForURL('**/basvurular.html');
  await page.getByText('Adınıza kayıtlı bir sertifika başvurusu bulunmamaktadır.').waitFor();
  await basics(page, /Başvuru Durum Sorgulama/);
  await screenshot(page, 'basvurular-bos-1280x800');
  // the back office records two (until the application portal does)
  srv.ctl('application', 'add', AYSE, 'new', 'delivered');
  srv.ctl('application', 'add', AYSE, 'lost', 'shipped');
  await page.reload();
  await page.locator('#apps tbody tr').nth(1).waitFor();
  const apps = await page.locator('#apps tbody').innerText();
  assert.match(apps, /Yeni/);
  assert.match(apps, /Teslim edildi/);
  assert.match(apps, /Kayıp Çalıntı/);
  assert.match(apps, /Kargoya verildi/);
  assert.equal(await page.locator('#empty').isHidden(), true);
  await screenshot(page, 'basvurular-1280x800');

  await page.goto(srv.url + '/islemler.html');
  await page.getByRole('link', { name: /İletişim Bilgilerim/ }).click();
  await page.waitForURL('**/iletisim-bilgileri.html');
  await page.waitForFunction(() => document.getElementById('email').value !== '');
  await basics(page, /İletişim Bilgilerim/);
  assert.equal(await page.getByRole('textbox', { name: 'E-posta' }).inputValue(), 'ayse.demir@example.org');
  assert.equal(await page.getByLabel('Cep Telefonu').inputValue(), '5320000078');
  // the server checks the fields and names the one in error
  await page.getByLabel('Cep Telefonu').fill('0312 123 45 67');
  await page.getByRole('button', { name: 'Kaydet' }).click();
  await page.locator('#mobile-error', { hasText: 'Cep Telefonu alanı geçersiz' }).waitFor();
  assert.equal(await page.getByLabel('Cep Telefonu').getAttribute('aria-invalid'), 'true');
  await screenshot(page, 'iletisim-bilgileri-hata-1280x800');
  await page.getByLabel('Cep Telefonu').fill('0 (532) 123 45 67');
  await page.getByLabel('İş Telefonu (isteğe bağlı)').fill('0312 000 00 00');
  await page.getByLabel('SMS').check();
  await page.getByRole('button', { name: 'Kaydet' }).click();
  await page.getByText('İletişim bilgileriniz kaydedildi.').waitFor();
  assert.equal(await page.getByLabel('Cep Telefonu').inputValue(), '5321234567');
  await screenshot(page, 'iletisim-bilgileri-1280x800');
  await page.reload();
  await page.waitForFunction(() => document.getElementById('mobile').value === '5321234567');
  assert.equal(await page.getByLabel('SMS').isChecked(), true);

  assert.deepEqual(unexpected(problems), []);
  await context.close();
});

test('footer: İletişim and Yasal Uyarı', async () => {
  const { context, page, problems } = await openPage(browser, srv.url, viewports.desktop);
  await page.goto(srv.url + '/');
  await page.getByRole('link', { name: 'İletişim', exact: true }).click();
  await page.waitForURL('**/iletisim.html');
  await page.getByText('0 850 000 00 00').waitFor();
  assert.equal(await page.getByRole('link', { name: 'yardim@eonay.example' }).getAttribute('href'),
               'mailto:yardim@eonay.example');
  await basics(page, /İletişim/);
  await screenshot(page, 'iletisim-1280x800');
  await page.getByRole('link', { name: 'Yasal Uyarı' }).click();
  await page.waitForURL('**/yasal-uyari.html');
  await page.getByRole('heading', { name: 'Yasal Uyarı' }).waitFor();
  await basics(page, /Yasal Uyarı/);
  await screenshot(page, 'yasal-uyari-1280x800');
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});

test('the pages on a phone', async () => {
  const { context, page, problems } = await openPage(browser, srv.url, viewports.phone);
  await page.goto(srv.url + '/sifreli-giris.html');
  await page.getByLabel('Güvenlik Sözcüğü').waitFor();
  await basics(page, /Şifreli Giriş/);
  await screenshot(page, 'sifreli-giris-390x844');
  await passwordLogin(page);
  await page.waitForURL('**/islemler.html');
  for (const [file, title, shot] of [
    ['sertifikalar.html', /Sertifika Listeleme/, 'sertifikalar-390x844'],
    ['askiya-alma.html', /Askıya Alma/, null],
    ['askidan-indirme.html', /Askıdan İndirme/, null],
    ['sertifika-iptal.html', /Sertifikamı İptal Et/, null],
    ['basvurular.html', /Başvuru Durum Sorgulama/, null],
    ['iletisim-bilgileri.html', /İletişim Bilgilerim/, 'iletisim-bilgileri-390x844'],
    ['iletisim.html', /İletişim/, null],
    ['yasal-uyari.html', /Yasal Uyarı/, null],
  ]) {
    await page.goto(srv.url + '/' + file);
    await page.locator('h1').waitFor();
    await page.waitForFunction(() => document.title.includes('—'));
    await page.waitForLoadState('networkidle');
    await basics(page, title);
    if (shot) await screenshot(page, shot);
  }
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});
