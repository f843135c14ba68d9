"""test_handoff.py - the whole E-imzalı Giriş started in Chromium and
signed in the eimza window, handed over by the browser itself: Debian's
Chromium, headed on the Xvfb screen (chromium-link.mjs, playwright-core),
clicks the page's "e-İmza Uygulamasını Aç"; Chromium runs xdg-open, which
finds eimza.desktop registered for x-scheme-handler/eimza in a temporary
XDG_DATA_HOME and starts the real window with the code; the keypad types
the PIN (AT-SPI), İMZALA, and the page moves on to the İşlemler menu.
Screenshots of the screen with both windows: docs/screenshots/handoff-*.png.

Nothing outside the test's temporary directory is changed: the handler is
registered in a temporary HOME/XDG_DATA_HOME/XDG_CONFIG_HOME, and Chromium
is allowed to open eimza: links from the test server's origin by the
preference of its own fresh profile (chromium-link.mjs), not by a
system-wide policy.

Run by run.sh (Xvfb + D-Bus + AT-SPI bus); the meson test "handoff" of
the suite "desktop"."""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

AHMET = '10000000146'
PIN = '123456'
HERE = os.path.dirname(os.path.abspath(__file__))
BROWSER_DIR = os.path.join(lib.ROOT, 'tests', 'browser')
CHROMIUM = os.environ.get('CHROMIUM', '/usr/bin/chromium')
CHROMIUM_W, CHROMIUM_H = 960, 1000   # and the window (960 wide) beside it


def prerequisites():
    """None, or why the test cannot run here (a skip, 77)."""
    for p in ('node', 'npm', 'xdg-mime', 'xdg-open'):
        if shutil.which(p) is None:
            return '%s missing (scripts/deps)' % p
    if not os.access(CHROMIUM, os.X_OK):
        return '%s missing (scripts/deps)' % CHROMIUM
    return None


def alive(pid):
    """pid runs (not gone, not a zombie: xdg-open's children are not ours
    to reap)."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except FileNotFoundError:
        return False


def install_playwright():
    """playwright-core in tests/browser, as tests/browser/run.sh does."""
    if not os.path.isdir(os.path.join(BROWSER_DIR, 'node_modules', 'playwright-core')):
        subprocess.run(['npm', 'ci', '--no-audit', '--no-fund', '--loglevel=error'],
                       cwd=BROWSER_DIR, check=True, stdout=subprocess.DEVNULL)


class HandoffTest(unittest.TestCase):
    def setUp(self):
        self.srv = lib.Server()
        self.addCleanup(self.srv.stop)
        self.tmp = tempfile.mkdtemp(prefix='eimza-handoff-')
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def desktop_env(self):
        """A throw-away user: eimza.desktop (Exec = the built eimza) is the
        handler of x-scheme-handler/eimza in a temporary XDG_DATA_HOME, as
        the package registers it system-wide."""
        home = os.path.join(self.tmp, 'home')
        apps = os.path.join(home, 'data', 'applications')
        os.makedirs(apps)
        os.makedirs(os.path.join(home, 'config'))
        with open(os.path.join(lib.ROOT, 'src', 'eimza', 'eimza.desktop')) as f:
            entry = f.read()
        self.assertIn('Exec=eimza %u', entry)
        with open(os.path.join(apps, 'eimza.desktop'), 'w') as f:
            f.write(entry.replace('Exec=eimza %u', 'Exec=%s %%u' % lib.bin_path('eimza')))
        conf = os.path.join(self.tmp, 'eimza.conf')
        lib.write_config(conf, self.srv.url)
        env = dict(os.environ, HOME=home, XDG_DATA_HOME=os.path.join(home, 'data'),
                   XDG_CONFIG_HOME=os.path.join(home, 'config'),
                   XDG_CACHE_HOME=os.path.join(home, 'cache'),
                   XDG_CURRENT_DESKTOP='X-Generic', DE='generic', BROWSER='false',
                   EIMZA_CONFIG=conf, SOFTHSM2_CONF=self.srv.softhsm_conf,
                   CHROMIUM_WINDOW='%d,%d' % (CHROMIUM_W, CHROMIUM_H))
        subprocess.run(['xdg-mime', 'default', 'eimza.desktop', 'x-scheme-handler/eimza'],
                       env=env, check=True)
        q = subprocess.run(['xdg-mime', 'query', 'default', 'x-scheme-handler/eimza'],
                           env=env, check=True, capture_output=True, text=True).stdout.strip()
        self.assertEqual(q, 'eimza.desktop')
        return env

    @staticmethod
    def browser_line(w, prefix, timeout=90):
        """The first line of the browser driver's output starting with
        prefix (the driver writes to the window's launcher log)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            for line in w.output().splitlines():
                if line.startswith(prefix):
                    return line[len(prefix):].strip()
                if line.startswith('ERROR'):
                    raise AssertionError('browser: ' + line)
            if w.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError('browser did not report %r:\n%s' % (prefix, w.output()))

    @staticmethod
    def shot_screen(name):
        os.makedirs(lib.SHOTS, exist_ok=True)
        time.sleep(0.5)     # let both windows draw their last frame
        subprocess.run(['import', '-window', 'root', os.path.join(lib.SHOTS, name)], check=True)

    def test_chromium_link_opens_window(self):
        env = self.desktop_env()
        profile = os.path.join(self.tmp, 'chromium')
        # The launcher is the browser: the window it finds is the one
        # Chromium → xdg-open → eimza.desktop started.
        w = lib.Window([], env, timeout=120,
                       launcher=['node', os.path.join(HERE, 'chromium-link.mjs'),
                                 self.srv.url, profile, AHMET])
        self.addCleanup(w.close)
        code = self.browser_line(w, 'CODE ')
        self.assertRegex(code, r'^\d{16}$')
        self.browser_line(w, 'CLICKED')
        # the window was started with the page's link: eimza(-gui) URL
        with open('/proc/%d/cmdline' % w.pid, 'rb') as f:
            argv = f.read().decode().split('\0')
        self.assertIn('eimza://sign?code=' + code, argv)
        # straight to Sözleşme with the page's session (no code typed)
        w.wait_text('İmzalanacak Metin 1:')
        w.wait_text('AHMET YILMAZ — T.C. 100******46')
        w.wait_text('bir web tarayıcısından başlatıldı')
        self.assertNotIn('Dikkat: Bu işlem başka bir bilgisayardan', w.texts())
        self.browser_line(w, 'CLAIMED')        # the page saw the code taken
        # the window beside the browser, as a holder would arrange them
        wid = subprocess.run(['xdotool', 'search', '--onlyvisible', '--pid', str(w.pid)],
                             check=True, capture_output=True).stdout.split()[0].decode()
        subprocess.run(['xdotool', 'windowmove', '--sync', wid, str(CHROMIUM_W), '0'],
                       check=True, capture_output=True)
        w.keypad(PIN)
        w.wait_text('●' * len(PIN))
        self.assertNotIn(PIN, w.texts())
        self.shot_screen('handoff-1-kod-ve-pin.png')
        w.click('İMZALA')
        w.wait_text('İşleminiz Başarılıdır.')
        w.wait_text('Giriş işleminiz tamamlanmıştır.')
        menu = self.browser_line(w, 'MENU ')
        self.assertIn('Sayın AHMET YILMAZ', menu)
        self.shot_screen('handoff-2-islemler.png')
        w.click('Uygulamayı Kapat')
        deadline = time.time() + 10
        while time.time() < deadline and alive(w.pid):
            time.sleep(0.1)
        self.assertFalse(alive(w.pid), 'the window did not close')
        w.pid = None

if __name__ == '__main__':
    why = prerequisites()
    if why:
        print('handoff test: ' + why)
        sys.exit(77)
    install_playwright()
    prog = unittest.main(verbosity=2, exit=False)
    res = prog.result
    bad = len(res.failures) + len(res.errors)
    # The counts scripts/test reads (as from node's TAP reporter).
    print('# pass %d' % (res.testsRun - bad - len(res.skipped)))
    print('# fail %d' % bad)
    sys.exit(1 if bad else 0)
