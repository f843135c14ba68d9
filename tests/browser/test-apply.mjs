// test-apply.mjs - the application portal (issue 16) in Chromium on the demo
// world: /basvuru/meb, Kullanıcı Girişi (captcha: the test answer), the
// Başvuru Formu built from the server's field table (errors next to the
// fields, typed values kept), the SMS Onay Kodu read from the spool, the
// signing method and the result: Islak İmzalı (PDF), Elektronik İmzalı
// with the real eimza, E-Onaylı after an E-Onay given on the E-Onay page;
// "Başvuru Formu Erişim Parolamı Bilmiyorum"; then the Islak İmzalı
// application through the back office to a card in use (Şifreli Giriş,
// Askıdan İndirme, eimza pin, E-imzalı Giriş). Screenshots of every screen
// in docs/screenshots/basvuru-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import {
  startServer, stopServer, launch, openPage, pageBasics, screenshot, viewports, overflows,
  eimzaSign, runEimza, readCode, loginAs, shotsdir,
} from './lib.mjs';

const ANSWER = 'TEST42';
let srv, browser;

before(async () => {
  srv = await startServer(['--set', `apply.captcha_test_answer=${ANSWER}`, '--set', 'notify.interval=1',
                           '--set', 'apply.entries_per_client=1000'], { demo: true });
  browser = await launch();
});
after(async () => { await browser?.close(); await stopServer(srv); });

// Answers the tests provoke on purpose.
function unexpected(problems) {
  return problems.filter((p) => !/http (403|422|409): .*\/api\/v1\/basvuru\/(giris|form|yontem)$/.test(p) &&
                                !/console: Failed to load resource/.test(p));
}

async function basics(page) {
  const b = await pageBasics(page);
  assert.equal(b.lang, 'tr');
  assert.match(b.title, /Nitelikli Elektronik Sertifika Başvurusu/);
  assert.deepEqual(b.unlabeled, []);
  assert.equal(await overflows(page), false, 'horizontal overflow');
}

// The SMS Onay Kodu codes spooled to mobile, oldest first.
function spoolCodes(mobile) {
  const dir = path.join(srv.data, 'spool');
  let files = [];
  try { files = readdirSync(dir).filter((f) => f.endsWith('.msg')); } catch { return []; }
  const out = [];
  for (const f of files) {
    const t = readFileSync(path.join(dir, f), 'utf8');
    const m = t.match(/Onay Kodunuz: (\d{6})/);
    if (m && t.includes(`\nTo: ${mobile}\n`)) out.push(m[1]);
  }
  return out;
}

const seen = new Set();
async function newCode(mobile) {
  for (let i = 0; i < 200; i++) {
    const fresh = spoolCodes(mobile).filter((c) => !seen.has(c));
    if (fresh.length) { seen.add(fresh[0]); return fresh[0]; }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no SMS code to ${mobile}`);
}

async function entry(page, who) {
  await page.locator('#e-tckn').fill(who.tckn);
  await page.locator('#e-ad').fill(who.ad);
  await page.locator('#e-soyad').fill(who.soyad);
  await page.locator('#e-yer').fill(who.yer);
  await page.locator('#e-tarih').fill(who.tarih);
  await page.locator('#e-captcha').fill(ANSWER);
  await page.getByRole('button', { name: 'Giriş', exact: true }).click();
}

async function fillForm(page, who, over = {}) {
  const v = Object.assign({
    reason: 'new', reader: 'mini', validity: '3', word: 'gizli-soz-123', word2: 'gizli-soz-123',
    sicil: '4242', unit: 'Bilgi İşlem Dairesi', title: 'Öğretmen',
    address: 'Atatürk Bulvarı No: 98, Bakanlıklar', il: 'ANKARA', ilce: 'ÇANKAYA', postal_code: '06648',
    email: 'basvuran@example.org', work_phone: '0312 413 10 00', work_ext: '1234', mobile: who.mobile,
    operator: 'turkcell', home_phone: '',
  }, over);
  for (const [k, val] of Object.entries(v)) {
    const el = page.locator(`#f-${k}`);
    if (await el.getAttribute('readonly') !== null) continue;
    if (await el.evaluate((e) => e.tagName === 'SELECT')) await el.selectOption(val);
    else await el.fill(val);
  }
  await page.locator('#f-info_channel-both').check();
}

// Entry → form → Form Onayla → SMS → the method page.
async function toMethod(page, who, reason, size) {
  await page.goto(`${srv.url}/basvuru/meb`);
  await page.getByRole('heading', { name: 'Kullanıcı Girişi' }).waitFor();
  await entry(page, who);
  await page.getByRole('heading', { name: 'Başvuru Formu' }).waitFor();
  await fillForm(page, who, { reason });
  await page.getByRole('button', { name: 'Form Onayla' }).click();
  await page.getByRole('heading', { name: 'SMS Onay Kodu' }).waitFor();
  await page.getByRole('button', { name: 'Gönder' }).click();
  await page.locator('#sms-code').waitFor();
  if (size) await screenshot(page, `basvuru-sms-${size}`);
  await page.locator('#sms-code').fill(await newCode(who.mobile));
  await page.getByRole('button', { name: 'Tamam' }).click();
  await page.getByRole('heading', { name: /İmzalama Yönteminin Belirlenmesi/ }).waitFor();
}

const MEHMET = { tckn: '10000000214', ad: 'Mehmet', soyad: 'KAYA', yer: 'Ankara', tarih: '17.05.1980', mobile: '5321234567' };
const AHMET = { tckn: '10000000146', ad: 'AHMET', soyad: 'YILMAZ', yer: 'İSTANBUL', tarih: '12.03.1975', mobile: '5320000146' };

test('Islak İmzalı: entry, form with errors, SMS code, PDF; then Parolamı Bilmiyorum', async () => {
  const size = '1280x800';
  const { context, page, problems } = await openPage(browser, srv.url, viewports.desktop);
  await page.goto(`${srv.url}/basvuru/meb`);
  await page.getByRole('heading', { name: 'Kullanıcı Girişi' }).waitFor();
  await page.locator('#s-entry img[src^="data:image/png"]').waitFor();
  assert.equal((await page.locator('#kurum-name').innerText()).trim(), 'T.C. Millî Eğitim Bakanlığı');
  await basics(page);
  assert.ok((await page.locator('#s-entry').innerText()).includes('Resimdeki Yazıyı Giriniz'));
  await screenshot(page, `basvuru-giris-${size}`);

  // a mismatch: one message, whichever field
  await entry(page, { ...MEHMET, tarih: '18.05.1980' });
  const err = page.locator('[data-page-error]');
  await err.waitFor({ state: 'visible' });
  assert.match(await err.innerText(), /Girdiğiniz kimlik bilgileri doğrulanamadı/);
  await screenshot(page, `basvuru-giris-hata-${size}`);

  // the captcha is new after every try; the right answer now
  await page.locator('#e-tarih').fill(MEHMET.tarih);
  await page.locator('#e-captcha').fill(ANSWER);
  await page.getByRole('button', { name: 'Giriş', exact: true }).click();
  await page.getByRole('heading', { name: 'Başvuru Formu' }).waitFor();
  // read-only identity from the registry, the institution's name
  assert.equal(await page.locator('#f-tckn').inputValue(), MEHMET.tckn);
  assert.equal(await page.locator('#f-given_name').getAttribute('readonly'), '');
  assert.equal(await page.locator('#f-institution_name').inputValue(), 'T.C. Millî Eğitim Bakanlığı');
  assert.equal((await page.locator('#f-il option').count()), 82);	// Seçiniz + 81 il
  await basics(page);
  await screenshot(page, `basvuru-form-${size}`);

  // errors next to the fields; what was typed stays
  await fillForm(page, MEHMET, { postal_code: '1234', email: 'mehmet@', word2: 'baska-soz-999' });
  await page.getByRole('button', { name: 'Form Onayla' }).click();
  await page.locator('#postal_code-error:not(:empty)').waitFor();
  assert.match(await page.locator('#postal_code-error').innerText(), /Posta Kodu 5 rakamdan/);
  assert.match(await page.locator('#email-error').innerText(), /e-posta/);
  assert.match(await page.locator('#word2-error').innerText(), /aynı değil/);
  assert.equal(await page.locator('#mobile-error').innerText(), '');
  assert.equal(await page.locator('#f-unit').inputValue(), 'Bilgi İşlem Dairesi');
  assert.equal(await page.locator('#f-postal_code').inputValue(), '1234');
  assert.equal(await page.locator('#f-ilce').inputValue(), 'ÇANKAYA');
  assert.equal(await page.locator('#f-postal_code').getAttribute('aria-invalid'), 'true');
  await screenshot(page, `basvuru-form-hata-${size}`);

  await page.locator('#f-postal_code').fill('06648');
  await page.locator('#f-email').fill('mehmet.kaya@example.org');
  await page.locator('#f-word2').fill('gizli-soz-123');
  await page.getByRole('button', { name: 'Form Onayla' }).click();
  await page.getByRole('heading', { name: 'SMS Onay Kodu' }).waitFor();
  const parola = (await page.locator('#parola').innerText()).trim();
  assert.match(parola, /^[a-z2-9]{10}$/);
  assert.equal((await page.locator('#sms-mobile').innerText()).trim(), '532 *** ** 67');
  await screenshot(page, `basvuru-sms-gonder-${size}`);
  await page.getByRole('button', { name: 'Gönder' }).click();
  await page.locator('#sms-code').waitFor();
  assert.match(await page.locator('#sms-status').innerText(), /gönderildi/);
  await screenshot(page, `basvuru-sms-${size}`);
  await page.locator('#sms-code').fill(await newCode(MEHMET.mobile));
  await page.getByRole('button', { name: 'Tamam' }).click();

  // the method page: no E-Onay, so E-Onaylı is not offered
  await page.getByRole('heading', { name: /İmzalama Yönteminin Belirlenmesi/ }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'E-Onaylı Başvuru' }).isDisabled(), true);
  assert.match(await page.locator('#m-eonay').innerText(), /E-Onay'ınız etkin olmadığı için/);
  await basics(page);
  await screenshot(page, `basvuru-yontem-${size}`);
  await page.getByRole('button', { name: 'Islak İmzalı Başvuru' }).click();
  await page.getByRole('heading', { name: 'Islak İmzalı Başvuru', exact: true }).waitFor();
  assert.match(await page.locator('#result-state').innerText(), /Islak imzalı başvuru formunuz bekleniyor/);
  await screenshot(page, `basvuru-sonuc-islak-${size}`);
  // the PDF, as the link gives it, read back with pdftotext
  const pdf = await page.request.get(`${srv.url}/api/v1/basvuru/pdf`);
  assert.equal(pdf.status(), 200);
  const file = path.join(srv.data, 'basvuru.pdf');
  writeFileSync(file, await pdf.body());
  const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
  assert.match(text, /Nitelikli Elektronik Sertifika Başvuru Formu/);
  assert.match(text, /MEHMET/);
  assert.match(text, /mehmet\.kaya@example\.org/);
  assert.match(text, /SERTİFİKA SAHİBİ TAAHHÜTNAMESİ/);
  // its two pages as pictures, next to the screenshots
  execFileSync('pdftoppm', ['-r', '60', '-png', file, path.join(shotsdir, 'basvuru-pdf')]);
  assert.deepEqual(unexpected(problems), []);
  await context.close();

  // Parolamı Bilmiyorum, in another browser: the registry, the form's cep
  // number, and an SMS code to it
  const b2 = await openPage(browser, srv.url, viewports.desktop);
  await b2.page.goto(`${srv.url}/basvuru/meb`);
  await b2.page.getByRole('heading', { name: 'Kullanıcı Girişi' }).waitFor();
  await b2.page.getByRole('link', { name: 'Başvuru Formu Erişim Parolamı Bilmiyorum' }).click();
  await b2.page.getByRole('heading', { name: 'Başvuru Formu Erişim Parolamı Bilmiyorum' }).waitFor();
  await b2.page.locator('#s-recover img[src^="data:image/png"]').waitFor();
  await b2.page.locator('#r-tckn').fill(MEHMET.tckn);
  await b2.page.locator('#r-ad').fill(MEHMET.ad);
  await b2.page.locator('#r-soyad').fill(MEHMET.soyad);
  await b2.page.locator('#r-yer').fill(MEHMET.yer);
  await b2.page.locator('#r-tarih').fill(MEHMET.tarih);
  // the number of the form, written as people write it
  await b2.page.locator('#r-cep').fill('0' + MEHMET.mobile.replace(/^(\d{3})(\d{3})(\d{2})(\d{2})$/, '$1 $2 $3 $4'));
  await b2.page.locator('#r-captcha').fill(ANSWER);
  await basics(b2.page);
  await screenshot(b2.page, `basvuru-parola-unuttum-${size}`);
  await b2.page.getByRole('button', { name: 'SMS Onay Kodu Gönder' }).click();
  await b2.page.getByRole('heading', { name: 'SMS Onay Kodu' }).waitFor();
  await b2.page.locator('#sms-code').fill(await newCode(MEHMET.mobile));
  await b2.page.getByRole('button', { name: 'Tamam' }).click();
  await b2.page.getByRole('heading', { name: /İmzalama Yönteminin Belirlenmesi/ }).waitFor();
  const note = await b2.page.locator('#s-method .notice').innerText();
  assert.match(note, /Yeni Başvuru Formu Erişim Parolanız: [a-z2-9]{10}/);
  assert.ok(!note.includes(parola));
  await screenshot(b2.page, `basvuru-parola-yeni-${size}`);
  assert.deepEqual(unexpected(b2.problems), []);
  await b2.context.close();
});

test('Elektronik İmzalı Başvuru with the real eimza, then E-Onaylı after an E-Onay', async () => {
  const size = '1280x800';
  const { context, page, problems } = await openPage(browser, srv.url, viewports.desktop);
  await toMethod(page, AHMET, 'other');
  await page.getByRole('button', { name: 'Elektronik İmzalı Başvuru' }).click();
  await page.getByRole('heading', { name: 'Elektronik İmzalı Başvuru', exact: true }).waitFor();
  const { digits } = await readCode(page);
  await basics(page);
  await screenshot(page, `basvuru-eimza-kod-${size}`);
  const r = await eimzaSign(srv, digits);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /NİTELİKLİ ELEKTRONİK SERTİFİKA BAŞVURU FORMU/);
  assert.match(r.stdout, /SERTİFİKA SAHİBİ TAAHHÜTNAMESİ/);
  await page.getByRole('heading', { name: 'E-İmzalama Sonucu' }).waitFor();
  assert.equal((await page.locator('#result-text').innerText()).trim(),
               'Başvuru formu elektronik imzalama işlemi başarıyla tamamlandı. Başvuru formunuz sistemimize ulaştı.');
  assert.match(await page.locator('#result-state').innerText(), /Başvuru durumu: /);
  await screenshot(page, `basvuru-sonuc-eimza-${size}`);
  assert.deepEqual(unexpected(problems), []);
  await context.close();

  // E-Onay given on the E-Onay page, then the next application is E-Onaylı
  const h = await openPage(browser, srv.url, viewports.desktop);
  await loginAs(h.page, srv);
  await h.page.goto(`${srv.url}/eonay.html`);
  await h.page.getByRole('heading', { name: 'e-Onay İşlemleri (1/2)' }).waitFor();
  await h.page.getByLabel('KABUL EDİYORUM').check();
  await h.page.getByRole('button', { name: 'Devam' }).click();
  const c = await readCode(h.page);
  assert.equal((await eimzaSign(srv, c.digits)).status, 0);
  await h.page.getByRole('heading', { name: 'E-Onay İşlem Sonucu' }).waitFor();
  await h.context.close();

  const a = await openPage(browser, srv.url, viewports.desktop);
  await toMethod(a.page, AHMET, 'renewal');
  assert.equal(await a.page.getByRole('button', { name: 'E-Onaylı Başvuru' }).isEnabled(), true);
  await screenshot(a.page, `basvuru-yontem-eonay-${size}`);
  await a.page.getByRole('button', { name: 'E-Onaylı Başvuru' }).click();
  await a.page.getByRole('heading', { name: 'E-Onaylama Sonucu' }).waitFor();
  assert.equal((await a.page.locator('#result-text').innerText()).trim(),
               'Başvuru formu e-onaylama işlemi başarıyla tamamlandı. Başvuru formunuz sistemimize ulaştı.');
  await screenshot(a.page, `basvuru-sonuc-eonay-${size}`);
  assert.deepEqual(unexpected(a.problems), []);
  await a.context.close();
});

test('the portal on a phone, and an unknown institution', async () => {
  const size = '390x844';
  const { context, page } = await openPage(browser, srv.url, viewports.phone);
  await page.goto(`${srv.url}/basvuru/meb`);
  await page.getByRole('heading', { name: 'Kullanıcı Girişi' }).waitFor();
  await page.locator('#s-entry img[src^="data:image/png"]').waitFor();
  await basics(page);
  await screenshot(page, `basvuru-giris-${size}`);
  // AYŞE's registry entry; her form on a phone
  await entry(page, { tckn: '10000000078', ad: 'AYŞE', soyad: 'DEMİR', yer: 'İZMİR', tarih: '28.11.1986' });
  await page.getByRole('heading', { name: 'Başvuru Formu' }).waitFor();
  await basics(page);
  await screenshot(page, `basvuru-form-${size}`);
  const resp = await page.goto(`${srv.url}/basvuru/yok`);
  assert.equal(resp.status(), 404);
  await context.close();
});

// The rest of MEHMET's life (his Islak İmzalı application of the first
// test): the back office receives the paper, approves, produces, ships,
// delivers; he logs in with the güvenlik sözcüğü of his form, sees the
// application delivered, opens the new certificate, gives the new card a
// PIN with `eimza pin` and logs in with it by e-signature.
test('Islak İmzalı to a card in use: back office, Şifreli Giriş, Askıdan İndirme, PIN, E-imzalı Giriş', async () => {
  const apps = JSON.parse(srv.ctl('application', 'list', '--json', MEHMET.tckn));
  const app = (Array.isArray(apps) ? apps : apps.applications)[0];
  assert.equal(app.state, 'awaiting_paper');
  for (const step of [['paper-received'], ['approve'], ['produce'],
                      ['ship', '--courier', 'Yurtiçi Kargo', '--tracking', '2026120100077'], ['deliver']]) {
    srv.ctl('application', step[0], app.id, ...step.slice(1));
  }
  const shown = JSON.parse(srv.ctl('application', 'show', app.id, '--json'));
  assert.equal(shown.state, 'delivered');
  const label = shown.card;

  const { context, page, problems } = await openPage(browser, srv.url, viewports.desktop);
  await page.goto(srv.url + '/sifreli-giris.html');
  await page.getByLabel('T.C. Kimlik No').fill(MEHMET.tckn);
  await page.getByLabel('Güvenlik Sözcüğü').fill('gizli-soz-123');
  await page.getByRole('button', { name: 'GİRİŞ' }).click();
  await page.waitForURL('**/islemler.html');
  await page.getByRole('link', { name: /Başvuru Durum Sorgulama/ }).click();
  await page.waitForURL('**/basvurular.html');
  await page.locator('#apps tbody tr').first().waitFor();
  assert.match(await page.locator('#apps tbody').innerText(), /Yeni[\s\S]*Teslim edildi/);
  await screenshot(page, 'basvuru-durum-teslim-1280x800');

  await page.goto(srv.url + '/askidan-indirme.html');
  await page.locator('#choices input').first().waitFor();
  await page.getByRole('button', { name: 'Askıdan İndir' }).click();
  await page.getByText('Sertifikanız askıdan indirildi ve kullanıma açıldı.').waitFor();

  await page.goto(srv.url + '/pin-olusturma.html');
  await page.getByRole('button', { name: 'Devam' }).click();
  await page.getByRole('heading', { name: 'PIN Oluşturma/Kilit Çözme Ekranı' }).waitFor();
  const { digits } = await readCode(page);
  const newPin = '482915';
  const r = await eimzaPin(digits, newPin, label);
  assert.equal(r.status, 0, r.stderr);
  await page.getByRole('heading', { name: 'PIN Oluşturma/Kilit Çözme Sonucu' }).waitFor();
  assert.deepEqual(unexpected(problems), []);
  await context.close();

  const second = await openPage(browser, srv.url, viewports.desktop);
  await second.page.goto(srv.url + '/eimzali-giris.html');
  await second.page.getByLabel('T.C. Kimlik No').fill(MEHMET.tckn);
  await second.page.getByRole('button', { name: 'GİRİŞ' }).click();
  const c = await readCode(second.page);
  const s = await eimzaSign(srv, c.digits, { pin: newPin, args: ['--token', label] });
  assert.equal(s.status, 0, s.stderr);
  await second.page.waitForURL('**/islemler.html');
  await second.page.getByText('Sayın').waitFor();
  assert.match(await second.page.locator('[data-user-name]').first().innerText(), /MEHMET KAYA/);
  await second.context.close();
});

function eimzaPin(code, newPin, token) {
  return runEimza(srv, ['pin', '--server', srv.url, '--code', code, '--token', token,
                        '--new-pin-stdin', '--yes'], newPin);
}
