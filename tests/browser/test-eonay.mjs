// test-eonay.mjs - E-Onay İşlemleri: (1/2) explanation + KABUL EDİYORUM,
// (2/2) the code screen, signed by the real eimza with the code read from
// the page, the result; then, with E-Onay active, since when, the signed
// cancellation and its result; the history of both. At both sizes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopServer, launch, openPage, pageBasics, screenshot, viewports,
  eimzaSign, readCode, loginAs, overflows,
} from './lib.mjs';

let srv, browser;
before(async () => {
  srv = await startServer(['--set', 'codes.claims_per_client=1000'], { demo: true });
  browser = await launch();
});
after(async () => { await browser?.close(); await stopServer(srv); });

async function basics(page) {
  const b = await pageBasics(page);
  assert.equal(b.lang, 'tr');
  assert.match(b.title, /E-Onay İşlemleri/);
  assert.deepEqual(b.unlabeled, []);
  assert.equal(await overflows(page), false, 'horizontal overflow');
}

const GIVEN = 'Seçiminiz kaydedildi. Yeni yapacağınız başvurularda başvuru formunu doldurduktan sonra imzalama tipi olarak E-Onay seçmeniz yeterli olacaktır.';

let round = 0;
for (const [vpName, vp] of Object.entries(viewports)) {
  const size = `${vp.width}x${vp.height}`;
  test(`E-Onay give then cancel (${vpName})`, async () => {
    round++;
    const { context, page, problems } = await openPage(browser, srv.url, vp);
    await loginAs(page, srv);
    await page.getByRole('link', { name: /E-Onay İşlemleri/ }).last().click();
    await page.waitForURL('**/eonay.html');

    // (1/2)
    await page.getByRole('heading', { name: 'e-Onay İşlemleri (1/2)' }).waitFor();
    await page.waitForFunction(() => document.title.includes('—'));
    await basics(page);
    const expl = await page.locator('#explanation').innerText();
    assert.match(expl, /e-Onay sayesinde, elektronik imzalı onayınızın alınması koşuluyla/);
    assert.match(expl, /Bundan sonraki e-İmza başvurularımda e-Onaylı başvuruyu kullanabilmek için onay veriyorum\./);
    assert.match(await page.locator('#eonay-status').innerText(), /etkin değil/);
    const devam = page.getByRole('button', { name: 'Devam' });
    assert.equal(await devam.isDisabled(), true);
    const box = page.getByLabel('KABUL EDİYORUM');
    await box.check();
    assert.equal(await devam.isEnabled(), true);
    await box.uncheck();
    assert.equal(await devam.isDisabled(), true);
    await box.check();
    await screenshot(page, `eonay-1-${size}`);
    if (round === 1) {
      const hist = await page.locator('.history').innerText();
      assert.match(hist, /Henüz bir E-Onay işleminiz bulunmamaktadır/);
    }

    // (2/2): the same code screen as the login
    await devam.click();
    await page.getByRole('heading', { name: 'e-Onay İşlemleri (2/2)' }).waitFor();
    const { digits } = await readCode(page);
    const text = await page.locator('main').innerText();
    assert.ok(text.includes('e-Onay işlemini imzalamak için e-İmza uygulamasını çalıştırmanız gerekmektedir.'));
    assert.ok(text.includes('Kodu kopyalamak için tıklayınız'));
    assert.match(text, /Kalan süre: \d+ saniye/);
    await screenshot(page, `eonay-2-${size}`);
    let r = await eimzaSign(srv, digits);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /NES başvurularımın, imzalı başvuru formu göndermeye gerek kalmaksızın işleme alınmasını KABUL EDİYORUM/);
    await page.getByRole('heading', { name: 'E-Onay İşlem Sonucu' }).waitFor();
    assert.equal((await page.locator('#result-text').innerText()).trim(), GIVEN);
    // active since today, in Turkish
    const status = await page.locator('#eonay-status').innerText();
    assert.match(status, /E-Onay'ınız \d{1,2} (Ocak|Şubat|Mart|Nisan|Mayıs|Haziran|Temmuz|Ağustos|Eylül|Ekim|Kasım|Aralık) \d{4} \d{2}:\d{2} tarihinden beri etkindir\./);
    const rows = page.locator('#history-table tbody tr');
    assert.equal(await rows.count(), 2 * round - 1);
    assert.match(await rows.first().innerText(), /E-Onay verildi/);
    await screenshot(page, `eonay-sonuc-${size}`);

    // active: the page offers to cancel
    await page.reload();
    await page.getByRole('heading', { name: 'E-Onay İptali' }).waitFor();
    assert.match(await page.locator('#eonay-status').innerText(), /tarihinden beri etkindir/);
    assert.equal(await page.getByRole('heading', { name: 'e-Onay İşlemleri (1/2)' }).count(), 0);
    await basics(page);
    await screenshot(page, `eonay-aktif-${size}`);
    await page.getByRole('button', { name: 'E-Onay\'ı İptal Et' }).click();
    await page.getByRole('heading', { name: 'E-Onay İptali (2/2)' }).waitFor();
    const second = await readCode(page);
    assert.notEqual(second.digits, digits);
    r = await eimzaSign(srv, second.digits);
    assert.equal(r.status, 0, r.stderr);
    await page.getByRole('heading', { name: 'E-Onay İşlem Sonucu' }).waitFor();
    assert.match(await page.locator('#result-text').innerText(), /E-Onay iptal işleminiz tamamlanmıştır/);
    assert.match(await page.locator('#eonay-status').innerText(), /etkin değil/);
    assert.equal(await rows.count(), 2 * round);
    assert.match(await rows.first().innerText(), /E-Onay iptal edildi/);
    await screenshot(page, `eonay-iptal-sonuc-${size}`);

    // and E-Onay can be given again
    await page.reload();
    await page.getByRole('heading', { name: 'e-Onay İşlemleri (1/2)' }).waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });
}
