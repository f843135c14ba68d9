// chromium-link.mjs - the browser's half of test_handoff.py: Debian's
// Chromium, headed on the test's Xvfb screen, driven by playwright-core
// (installed in tests/browser), walks Giriş → E-imzalı Giriş → T.C. Kimlik
// No → the code page and clicks "e-İmza Uygulamasını Aç"; Chromium itself
// hands the eimza:// link to xdg-open, which starts the eimza window (the
// Python side drives it).  Then it waits until the page moves on to the
// İşlemler menu.  Progress goes to stdout, one line per step:
//   CODE <16 digits>   the code the page shows (and the link carries)
//   CLICKED            the link was clicked
//   CLAIMED            the page saw the application take the code
//   MENU <greeting>    the page reached the İşlemler menu
// and then it stays open (for the screenshot) until SIGTERM.
//
// usage: node chromium-link.mjs SERVER_URL PROFILE_DIR TCKN
// Chromium is allowed to open eimza: links from SERVER_URL's origin without
// its "Open xdg-open?" prompt through the profile's own preference
// (protocol_handler.allowed_origin_protocol_pairs, what "Always allow"
// stores), written into the fresh PROFILE_DIR: no system-wide policy.
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'browser', 'package.json'));
const { chromium } = require('playwright-core');

const [url, profile, tckn] = process.argv.slice(2);
const origin = new URL(url).origin;
const say = (line) => process.stdout.write(line + '\n');

mkdirSync(path.join(profile, 'Default'), { recursive: true });
writeFileSync(path.join(profile, 'Default', 'Preferences'), JSON.stringify({
  protocol_handler: { allowed_origin_protocol_pairs: { [origin]: { eimza: true } } },
}));

const [w, h] = (process.env.CHROMIUM_WINDOW || '960,1000').split(',').map(Number);
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: false,
  viewport: null,
  locale: 'tr-TR',
  handleSIGTERM: false,
  handleSIGINT: false,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync',
         '--window-position=0,0', `--window-size=${w},${h}`,
         '--test-type'],  // no "unsupported flag: --no-sandbox" bar over the page
});
let closing = false;
async function quit(rc) {
  if (closing) return;
  closing = true;
  await context.close().catch(() => {});
  process.exit(rc);
}
process.on('SIGTERM', () => quit(0));
process.on('SIGINT', () => quit(0));

try {
  const page = context.pages()[0] || await context.newPage();
  // Every request goes to the server, but the one eimza: navigation the
  // link makes (Chromium turns it over to xdg-open).
  const other = [], links = [];
  page.on('request', (r) => {
    const u = r.url();
    if (u.startsWith('eimza:')) links.push(u);
    else if (!u.startsWith(origin) && !u.startsWith('data:')) other.push(u);
  });
  await page.goto(url + '/');
  await page.getByRole('link', { name: 'Giriş', exact: true }).first().click();
  await page.waitForURL('**/giris.html');
  await page.getByRole('link', { name: 'E-imzalı Giriş' }).click();
  await page.waitForURL('**/eimzali-giris.html');
  await page.getByLabel('T.C. Kimlik No').fill(tckn);
  await page.getByRole('button', { name: 'GİRİŞ' }).click();
  const code = page.locator('.code-box .code[data-code]');
  await code.waitFor();
  const digits = (await code.textContent()).replace(/\s+/g, '');
  say(`CODE ${digits}`);
  const link = page.getByRole('link', { name: 'e-İmza Uygulamasını Aç' });
  const href = await link.getAttribute('href');
  if (href !== `eimza://sign?code=${digits}`) throw new Error(`link is ${href}`);
  await link.click();                      // Chromium → xdg-open → eimza
  say('CLICKED');
  await page.locator('.cer-state[data-state="code_used"]').waitFor({ timeout: 90000 });
  say('CLAIMED');
  await page.waitForURL('**/islemler.html', { timeout: 90000 });
  const hello = page.getByText('Sayın');
  await hello.first().waitFor();
  if (other.length) throw new Error(`requests to other hosts: ${other.join(' ')}`);
  if (links.join(' ') !== href) throw new Error(`eimza: navigations: ${links.join(' ')}`);
  say(`MENU ${(await hello.first().innerText()).replace(/\s+/g, ' ').trim()}`);
} catch (e) {
  say(`ERROR ${e.message.split('\n')[0]}`);
  await quit(1);
}
setInterval(() => {}, 1 << 30);           // stays for the screenshot, until SIGTERM
