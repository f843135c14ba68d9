"""test_window.py - the e-İmza window end to end under Xvfb: a real
eonayd over the demo world (SoftHSM cards), a browser emulated over HTTP,
the real eimza window opened by an eimza:// link or with a typed code,
driven through AT-SPI (keypad buttons, İMZALA) and the X keyboard
(xdotool), with a screenshot of every screen in docs/screenshots/.

Run by run.sh (Xvfb + D-Bus + AT-SPI bus); registered in meson as the
suite "desktop"."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

AHMET = '10000000146'
AYSE = '10000000078'
PIN = '123456'


def xdo(*args):
    subprocess.run(['xdotool'] + list(args), check=True, capture_output=True)


def x_type_focused(*keys):
    """Presses keys in whatever window has the focus."""
    xdo('key', *keys)


def x_type(win, text, focus=True):
    """Types on the X keyboard into the eimza window (the physical keyboard)."""
    if focus:
        out = subprocess.run(['xdotool', 'search', '--sync', '--onlyvisible', '--pid',
                              str(win.pid)], check=True, capture_output=True).stdout.split()
        xdo('windowfocus', '--sync', out[0].decode())
    for ch in text:
        if ch == '\n':
            xdo('key', 'Return')
        else:
            xdo('type', '--delay', '30', ch)
        time.sleep(0.03)


class Listener:
    """A TCP port that counts who connects (a server that must never be
    contacted)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.count = 0
        self.stop = False
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop:
            try:
                c, _ = self.sock.accept()
                self.count += 1
                c.close()
            except socket.timeout:
                pass

    def close(self):
        self.stop = True
        self.t.join()
        self.sock.close()


class WindowTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = lib.Server()
        cls.tmp = tempfile.mkdtemp(prefix='eimza-desktop-')
        cls.conf = os.path.join(cls.tmp, 'eimza.conf')
        lib.write_config(cls.conf, cls.srv.url)

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def env(self, conf=None, softhsm=None):
        return dict(os.environ, EIMZA_CONFIG=conf or self.conf,
                    SOFTHSM2_CONF=softhsm or self.srv.softhsm_conf)

    def open(self, args, **kw):
        w = lib.Window(args, self.env(**kw))
        self.addCleanup(w.close)
        return w

    def assert_signed(self, b, sid):
        st = b.state(sid, 'waiting')
        if st['state'] == 'code_used':
            st = b.state(sid, 'code_used')
        self.assertEqual(st['state'], 'signed', st)
        self.assertTrue(st.get('authenticated'), st)

    # --- the whole ceremony from a link ------------------------------
    def test_1_link_keypad_sign(self):
        b = lib.Browser(self.srv.url)
        sid, code = b.start_login(AHMET)
        w = self.open(['eimza://sign?code=' + code])
        w.wait_text('İmzalanacak Metin 1:')
        w.wait_text('Kullanıcı servislerine elektronik imzalı olarak girme işlemi onaylıyorum.')
        w.wait_text('AHMET YILMAZ — T.C. 100******46')
        screen = w.texts()
        for t in ('Sözleşme', 'Oluşturma Tarihi:', 'İmzalama Tarihi:', 'Kalan Süre:',
                  'Sertifika Seçimi', 'PIN Kodu', 'bir web tarayıcısından başlatıldı'):
            self.assertIn(t, screen)
        self.assertNotIn('Dikkat: Bu işlem başka bir bilgisayardan', screen)
        # the countdown moves
        first = [l for l in screen.splitlines() if l.startswith('Kalan Süre:')][0]
        time.sleep(2.2)
        second = [l for l in w.texts().splitlines() if l.startswith('Kalan Süre:')][0]
        self.assertNotEqual(first, second)
        self.assertFalse(w.sensitive('İMZALA'))
        w.shot('eimza-sozlesme.png')
        w.keypad('1239')
        w.click('Sil')
        w.click('Temizle')
        w.keypad(PIN)
        w.wait_text('●' * len(PIN))
        self.assertNotIn('●' * (len(PIN) + 1), w.texts())
        self.assertNotIn(PIN, w.texts())     # never echoed
        self.assertTrue(w.sensitive('İMZALA'))
        w.shot('eimza-pin.png')
        w.click('İMZALA')
        w.wait_text('İşleminiz Başarılıdır.')
        w.wait_text('Giriş işleminiz tamamlanmıştır.')
        w.shot('eimza-sonuc.png')
        self.assert_signed(b, sid)
        # İmzalı İçeriği kaydet: the file chooser, a full path typed in
        saved = os.path.join(self.tmp, 'giris.p7s')
        w.click('İmzalı İçeriği kaydet')
        time.sleep(1.5)
        x_type_focused('ctrl+a')
        x_type(w, saved + '\n', focus=False)
        w.wait_text('İmzalı içerik kaydedildi: ' + saved)
        r = subprocess.run([lib.bin_path('eimza'), 'verify', '--ca',
                            os.path.join(self.srv.data, 'pki', 'root.crt'), saved],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn('TOTAL-PASSED', r.stdout)
        w.click('Uygulamayı Kapat')
        self.assertEqual(w.proc.wait(10), 0)

    # --- typed code, wrong PIN, right PIN with the same code ---------
    def test_2_typed_code_wrong_pin_then_right(self):
        b = lib.Browser(self.srv.url)
        sid, code = b.start_login(AHMET)
        w = self.open([])
        w.wait_text('Tarayıcınızda bulunan doğrulama kodunu bu kutucuğa giriniz ve ileri '
                    'butonuna tıklayınız.')
        self.assertFalse(w.sensitive('İleri'))
        w.shot('eimza-kod.png')
        typo = code[:14] + code[15] + code[14] if code[14] != code[15] else \
            code[:15] + ('1' if code[15] == '0' else '0')
        x_type(w, ' '.join(typo[i:i + 4] for i in range(0, 16, 4)))
        w.wait_text('Doğrulama kodu hatalı yazılmış.')
        self.assertFalse(w.sensitive('İleri'))
        w.shot('eimza-kod-hatali.png')
        # pasted, as copied from the page ("Kodu kopyalamak için tıklayınız")
        subprocess.run(['xclip', '-selection', 'clipboard'], check=True,
                       input=' '.join(code[i:i + 4] for i in range(0, 16, 4)).encode())
        xdo('key', 'ctrl+a', 'BackSpace', 'ctrl+v')
        w.wait_text('Kod doğru yazılmış.')
        xdo('key', 'ctrl+a', 'BackSpace')
        w.wait_text('Doğrulama kodu 16 rakamdan oluşur.')
        x_type(w, code[:4] + ' ' + code[4:8] + '-' + code[8:])
        w.wait_text('Kod doğru yazılmış.')
        w.click('İleri')
        w.wait_text('İmzalanacak Metin 1:')
        w.wait_text('AHMET YILMAZ — T.C. 100******46')
        x_type(w, '999999\n')              # the physical keyboard, Enter = İMZALA
        w.wait_text('PIN Hatalı')
        w.wait_text('PIN hatalı.')
        self.assertNotIn('999999', w.texts())
        w.shot('eimza-pin-hatali.png')
        self.assertEqual(b.state(sid, 'waiting')['state'], 'code_used')
        w.click("PIN'i Tekrar Gir")
        w.wait_text('PIN Kodu')
        self.assertNotIn('●', w.texts())   # the wrong PIN is gone
        w.keypad(PIN)
        w.click('İMZALA')
        w.wait_text('İşleminiz Başarılıdır.')
        self.assert_signed(b, sid)

    # --- the server refuses: its message, never its code -------------
    def test_3_refused_on_hold(self):
        b = lib.Browser(self.srv.url)
        sid, code = b.start_login(AYSE)
        w = self.open(['--uri', 'eimza://sign?code=' + code])
        w.wait_text('AYŞE DEMİR — T.C. 100******78')
        w.keypad(PIN)
        w.click('İMZALA')
        w.wait_text('İşleminiz Kabul Edilmedi')
        w.wait_text('Sertifikanız askıda.')
        self.assertNotIn('cert_on_hold', w.texts())
        w.shot('eimza-reddedildi.png')

    # --- no card, card inserted, Tekrar Dene ---------------------------
    def test_4_no_card_then_inserted(self):
        tokens = os.path.join(self.tmp, 'tokens')
        os.makedirs(tokens)
        hsm = os.path.join(self.tmp, 'softhsm2-empty.conf')
        with open(hsm, 'w') as f:
            f.write('directories.tokendir = %s\nobjectstore.backend = file\n' % tokens)
        b = lib.Browser(self.srv.url)
        sid, code = b.start_login(AHMET)
        w = self.open(['eimza://sign?code=' + code], softhsm=hsm)
        w.wait_text('Kartınızı takınız')
        w.shot('eimza-kart-yok.png')
        # "insert" the demo card: its token directory appears
        src = None
        for line in open(self.srv.softhsm_conf):
            if line.startswith('directories.tokendir'):
                src = line.split('=', 1)[1].strip()
        for d in os.listdir(src):   # the token directories (not the production lock)
            if os.path.isdir(os.path.join(src, d)):
                shutil.copytree(os.path.join(src, d), os.path.join(tokens, d))
        w.click('Tekrar Dene')
        w.wait_text('AHMET YILMAZ — T.C. 100******46')
        w.keypad(PIN)
        w.click('İMZALA')
        w.wait_text('İşleminiz Başarılıdır.')
        self.assert_signed(b, sid)

    # --- hostile links: a clear message, no traffic to anyone ---------
    def test_5_hostile_links(self):
        trap = Listener()
        self.addCleanup(trap.close)
        conf = os.path.join(self.tmp, 'trap.conf')
        lib.write_config(conf, 'http://127.0.0.1:%d' % trap.port)
        good = lib.with_check_digit('424242424242424')
        bad = good[:15] + str((int(good[15]) + 1) % 10)
        links = [
            'eimza://127.0.0.1:%d/sign?code=%s' % (self.srv.port, good),
            'eimza://evil.example/sign?code=' + good,
            'eimza://sign?code=%s&server=http://evil.example' % good,
            'eimza://sign@evil.example?code=' + good,
            'eimza://sign?code=' + '1' * 200,
            'eimza://sign?code=12345',
            'eimza://sign?code=' + bad,               # check digit wrong
            'eimza:sign?code=' + good,
            'https://evil.example/?code=' + good,
            'eimza://sign?code=%s#x' % good,
        ]
        for i, link in enumerate(links):
            w = self.open([link] if i == 0 else ['--uri', link], conf=conf)
            w.wait_text('Bağlantı Açılmadı')
            if i == 0:
                w.wait_text('başka bir sunucu adresi')
                w.shot('eimza-baglanti.png')
            w.close()
        self.assertEqual(trap.count, 0)

    # --- the server cannot be reached ---------------------------------
    def test_6_unreachable(self):
        conf = os.path.join(self.tmp, 'down.conf')
        lib.write_config(conf, 'http://127.0.0.1:%d' % lib.free_port())
        w = self.open(['eimza://sign?code=' + lib.with_check_digit('424242424242424')],
                      conf=conf)
        w.wait_text('Sunucuya Ulaşılamadı')
        self.assertTrue(w.sensitive('Tekrar Dene'))
        w.shot('eimza-sunucu-yok.png')

    # --- the desktop hands the link over: .desktop file + xdg-open ------
    def test_8_xdg_open_link(self):
        home = os.path.join(self.tmp, 'xdg')
        apps = os.path.join(home, 'data', 'applications')
        os.makedirs(apps)
        os.makedirs(os.path.join(home, 'config'))
        with open(os.path.join(lib.ROOT, 'src', 'eimza', 'eimza.desktop')) as f:
            entry = f.read()
        self.assertIn('MimeType=x-scheme-handler/eimza;', entry)
        with open(os.path.join(apps, 'eimza.desktop'), 'w') as f:
            f.write(entry.replace('Exec=eimza %u', 'Exec=%s %%u' % lib.bin_path('eimza')))
        env = self.env()
        env.update(XDG_DATA_HOME=os.path.join(home, 'data'),
                   XDG_CONFIG_HOME=os.path.join(home, 'config'), XDG_CURRENT_DESKTOP='X-Generic',
                   DE='generic', BROWSER='false')
        subprocess.run(['xdg-mime', 'default', 'eimza.desktop', 'x-scheme-handler/eimza'],
                       env=env, check=True)
        q = subprocess.run(['xdg-mime', 'query', 'default', 'x-scheme-handler/eimza'], env=env,
                           check=True, capture_output=True, text=True).stdout.strip()
        self.assertEqual(q, 'eimza.desktop')
        b = lib.Browser(self.srv.url)
        sid, code = b.start_login(AHMET)
        w = lib.Window([], env, launcher=['xdg-open', 'eimza://sign?code=' + code])
        self.addCleanup(w.close)
        w.wait_text('AHMET YILMAZ — T.C. 100******46')
        w.keypad(PIN)
        w.click('İMZALA')
        w.wait_text('İşleminiz Başarılıdır.')
        self.assert_signed(b, sid)

    # --- started from another network: red warning, explicit yes -----
    def test_7_relay_warning(self):
        b = lib.Browser(self.srv.url, source='127.0.1.1')
        sid, code = b.start_login(AHMET)
        w = self.open(['eimza://sign?code=' + code])
        w.wait_text('Dikkat: Bu işlem başka bir bilgisayardan başlatılmış olabilir.')
        w.keypad(PIN)
        self.assertFalse(w.sensitive('İMZALA'))
        w.click('Ayrıntılar')
        w.wait_text('İşlemi başlatan tarayıcının adresi: 127.0.1.1')
        w.wait_text('Bu uygulamanın sunucuya göründüğü adres: 127.0.0.1')
        w.shot('eimza-uyari.png')
        w.click('Bu işlemi kendi tarayıcımda ben başlattım.')
        time.sleep(0.3)
        self.assertTrue(w.sensitive('İMZALA'))
        w.click('İMZALA')
        w.wait_text('İşleminiz Başarılıdır.')

    # --- PIN Oluşturma / Kilit Çözme (last: AHMET's PIN changes) -------
    def test_9_pin_reset(self):
        def sign(code, pin):
            return subprocess.run([lib.bin_path('eimza'), 'sign', '--server', self.srv.url,
                                   '--code', code, '--pin-stdin', '--yes'],
                                  input=(pin + '\n').encode(), env=self.env(),
                                  capture_output=True)

        b = lib.Browser(self.srv.url)
        sid, code = b.start_login(AHMET)
        r = sign(code, PIN)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assert_signed(b, sid)
        st, body = b.call('GET', '/api/v1/session')
        b.csrf = body['csrf_token']
        st, body = b.call('POST', '/api/v1/signing', {'purpose': 'pin-reset'})
        self.assertEqual(st, 201, body)
        w = self.open(['eimza://sign?code=' + body['code']])
        w.wait_text('Kartımın PIN kodunun yenilenmesini')
        w.wait_text('AHMET YILMAZ — T.C. 100******46')   # the card was read
        w.wait_text('Kartınız için yeni PIN kodunu giriniz')
        self.assertFalse(w.sensitive("PIN'İ YENİLE"))
        x_type(w, '111111\n')              # the rules: refused on the spot
        w.wait_text('Yeni PIN Uygun Değil')
        w.click("PIN'i Tekrar Gir")
        w.wait_text('Kartınız için yeni PIN kodunu giriniz')
        x_type(w, '271828\n')              # the keyboard; Enter = PIN'İ YENİLE
        w.wait_text('Yeni PIN kodunu tekrar giriniz.')
        self.assertNotIn('●', w.texts())   # the first entry is not shown
        w.shot('eimza-pin-yenile.png')
        x_type(w, '271828\n')
        w.wait_text('PIN işleminiz tamamlanmıştır.', timeout=30)
        self.assertNotIn('271828', w.texts())
        w.shot('eimza-pin-sonuc.png')
        # the new PIN signs, the old one no longer does
        b2 = lib.Browser(self.srv.url)
        code2 = b2.start_login(AHMET)[1]
        self.assertEqual(sign(code2, PIN).returncode, 5)
        r = sign(code2, '271828')
        self.assertEqual(r.returncode, 0, r.stderr)


class CountdownTest(unittest.TestCase):
    """A short code lifetime: Kalan Süre reaches zero and İMZALA is off."""

    def test_countdown_disables_signing(self):
        srv = lib.Server(extra=['--set', 'codes.lifetime=8'])
        self.addCleanup(srv.stop)
        tmp = tempfile.mkdtemp(prefix='eimza-desktop-')
        self.addCleanup(shutil.rmtree, tmp, True)
        conf = os.path.join(tmp, 'eimza.conf')
        lib.write_config(conf, srv.url)
        b = lib.Browser(srv.url)
        sid, code = b.start_login(AHMET)
        late = lib.Browser(srv.url).start_login(AHMET)[1]   # left to expire
        w = lib.Window(['eimza://sign?code=' + code],
                       dict(os.environ, EIMZA_CONFIG=conf, SOFTHSM2_CONF=srv.softhsm_conf))
        self.addCleanup(w.close)
        w.wait_text('AHMET YILMAZ — T.C. 100******46')
        w.keypad(PIN)
        self.assertTrue(w.sensitive('İMZALA'))
        w.wait_text('Kalan Süre: 0 saniye', timeout=15)
        time.sleep(0.3)
        self.assertFalse(w.sensitive('İMZALA'))
        self.assertNotIn('●', w.texts())   # the PIN is wiped at zero
        w.wait_text('İmzalama süresi doldu.')
        w.shot('eimza-sure-doldu.png')
        w.click('Yeni Kod Gir')
        w.wait_text('Tarayıcınızda bulunan doğrulama kodunu bu kutucuğa giriniz')
        self.assertFalse(w.sensitive('İleri'))
        w.close()
        # a code that died before it was entered: Süre Doldu, Yeni Kod Gir
        w = lib.Window(['eimza://sign?code=' + late],
                       dict(os.environ, EIMZA_CONFIG=conf, SOFTHSM2_CONF=srv.softhsm_conf))
        self.addCleanup(w.close)
        w.wait_text('Süre Doldu')
        w.wait_text('Doğrulama kodunun süresi dolmuş.')
        self.assertNotIn('code_expired', w.texts())
        w.shot('eimza-kod-suresi-doldu.png')
        w.click('Yeni Kod Gir')
        w.wait_text('Tarayıcınızda bulunan doğrulama kodunu bu kutucuğa giriniz')


if __name__ == '__main__':
    prog = unittest.main(verbosity=2, exit=False)
    res = prog.result
    bad = len(res.failures) + len(res.errors)
    # The counts scripts/test reads (as from node's TAP reporter).
    print('# pass %d' % (res.testsRun - bad - len(res.skipped)))
    print('# fail %d' % bad)
    sys.exit(1 if bad else 0)
