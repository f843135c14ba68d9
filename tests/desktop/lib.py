"""lib.py - helpers for the desktop tests: a real eonayd with the demo
world, a browser emulated over HTTP (session cookie + CSRF, as the pages
use the API), and the real eimza window driven through AT-SPI (the
accessibility bus GTK 4 talks to), with screenshots taken by ImageMagick's
`import` from the Xvfb screen.  run.sh starts Xvfb and a D-Bus session
with the AT-SPI bus first."""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
import urllib.error
import urllib.parse

import pyatspi
from gi.repository import GLib

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
BUILD = os.environ.get('EONAY_BUILDDIR', os.path.join(ROOT, 'build'))
SHOTS = os.path.join(ROOT, 'docs', 'screenshots')
SOFTHSM = '/usr/lib/softhsm/libsofthsm2.so'


def bin_path(name):
    sub = {'eonayd': 'server', 'eimza': 'eimza', 'eonayctl': 'ctl'}[name]
    return os.path.join(BUILD, 'src', sub, name)


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Server:
    """eonayd on a free port over a demo world (eonayctl demo)."""

    def __init__(self, extra=(), listen_host='127.0.0.1'):
        self.data = tempfile.mkdtemp(prefix='eonay-desktop-')
        out = subprocess.run([bin_path('eonayctl'), '--data', self.data, 'demo'],
                             check=True, capture_output=True).stdout
        self.demo = json.loads(out)
        self.softhsm_conf = self.demo['softhsm2_conf']
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.log = open(os.path.join(self.data, 'eonayd.log'), 'w')
        self.proc = subprocess.Popen([bin_path('eonayd'), '--data', self.data, '--listen',
                                      '%s:%d' % (listen_host, self.port)] + list(extra),
                                     stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(400):
            try:
                with urllib.request.urlopen(self.url + '/healthz', timeout=1) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.025)
        raise RuntimeError('eonayd did not start')

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(10)
        self.log.close()
        shutil.rmtree(self.data, ignore_errors=True)


class Browser:
    """The page's side of the ceremony, over HTTP."""

    def __init__(self, base, source=None):
        """source: the local address to connect from (another loopback
        address plays another computer)."""
        u = urllib.parse.urlsplit(base)
        self.host, self.port, self.source = u.hostname, u.port, source
        self.cookie = ''
        self.csrf = ''
        st, body = self.call('POST', '/api/v1/session', {})
        assert st == 201, (st, body)
        self.csrf = body['csrf_token']

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        c = http.client.HTTPConnection(self.host, self.port, timeout=60,
                                       source_address=(self.source, 0) if self.source else None)
        headers = {'Content-Type': 'application/json'}
        if self.cookie:
            headers['Cookie'] = self.cookie
        if self.csrf:
            headers['X-CSRF-Token'] = self.csrf
        c.request(method, path, body=data, headers=headers)
        r = c.getresponse()
        sc = r.getheader('Set-Cookie')
        if sc:
            self.cookie = sc.split(';', 1)[0]
        raw = r.read()
        c.close()
        try:
            return r.status, json.loads(raw)
        except ValueError:
            return r.status, raw

    def start_login(self, tckn):
        st, body = self.call('POST', '/api/v1/signing', {'purpose': 'login', 'tckn': tckn})
        assert st == 201, (st, body)
        return body['id'], body['code']

    def state(self, sid, seen=None):
        q = '/api/v1/signing/wait?id=' + sid + ('&state=' + seen if seen else '')
        st, body = self.call('GET', q)
        assert st == 200, (st, body)
        return body


def write_config(path, server, modules=(SOFTHSM,)):
    with open(path, 'w') as f:
        f.write('[server]\nurl = %s\n[card]\n' % server)
        for m in modules:
            f.write('module = %s\n' % m)


class Window:
    """A running eimza window found on the accessibility bus."""

    def __init__(self, args, env, launcher=None, timeout=20):
        """Starts eimza with args; or, with launcher (a command line such as
        xdg-open LINK, or a browser that follows a link), runs that and
        finds the eimza window it opened within timeout seconds (a
        launcher that fails first fails at once)."""
        self.log = tempfile.TemporaryFile()
        self.launched = launcher is not None
        self.pid = None
        before = set(self._eimza_pids())
        self.proc = subprocess.Popen(launcher or [bin_path('eimza')] + list(args), env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.app = None
        deadline = time.time() + timeout
        while time.time() < deadline and self.app is None:
            desktop = pyatspi.Registry.getDesktop(0)
            for i in range(desktop.childCount):
                a = desktop.getChildAtIndex(i)
                try:
                    pid = a.get_process_id() if a is not None else None
                    if pid == self.proc.pid or (self.launched and a.name == 'eimza'
                                                 and pid not in before):
                        self.app, self.pid = a, pid
                except Exception:
                    pass
            if self.app is None:
                rc = self.proc.poll()
                if rc is not None and (not self.launched or rc != 0):
                    raise RuntimeError('%s exited (%s): %s' % ('eimza' if not self.launched
                                       else self.proc.args[0], rc, self.output()))
                time.sleep(0.1)
        if self.app is None:
            raise RuntimeError('eimza window not on the AT-SPI bus: %s' % self.output())

    @staticmethod
    def _eimza_pids():
        out = []
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            try:
                out.append(desktop.getChildAtIndex(i).get_process_id())
            except Exception:
                pass
        return out

    def output(self):
        if self.log.closed:
            return ''
        self.log.seek(0)
        return self.log.read().decode(errors='replace')

    def _walk(self, node, out, showing_only):
        try:
            n = node.childCount
        except Exception:
            return
        for i in range(n):
            c = node.getChildAtIndex(i)
            if c is None:
                continue
            st = c.getState()
            if showing_only and not st.contains(pyatspi.STATE_VISIBLE):
                continue
            out.append(c)
            self._walk(c, out, showing_only)

    def nodes(self, showing_only=True):
        out = []
        self._walk(self.app, out, showing_only)
        return out

    def texts(self):
        """Every visible label's text (and accessible names) on screen."""
        out = []
        for n in self.nodes():
            try:
                if n.getRole() == pyatspi.ROLE_LABEL:
                    t = n.queryText()
                    out.append(t.getText(0, t.characterCount))
                elif n.name:
                    out.append(n.name)
            except NotImplementedError:
                if n.name:
                    out.append(n.name)
        return '\n'.join(out)

    def wait_text(self, text, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if text in self.texts():
                    return
            except GLib.GError:
                pass    # a node went away while we walked (a dialog closing)
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError('not on screen: %r\nscreen:\n%s\neimza:\n%s'
                             % (text, self.texts(), self.output()))

    def button(self, name):
        for n in self.nodes():
            if n.getRole() in (pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON,
                               pyatspi.ROLE_CHECK_BOX) and n.name == name:
                return n
        raise AssertionError('no button %r on screen:\n%s' % (name, self.texts()))

    def sensitive(self, name):
        return self.button(name).getState().contains(pyatspi.STATE_SENSITIVE)

    def click(self, name):
        b = self.button(name)
        assert b.getState().contains(pyatspi.STATE_SENSITIVE), 'button %r is disabled' % name
        try:
            act = b.queryAction()
            n = act.nActions
        except NotImplementedError:
            n = 0
        for i in range(n):
            if act.getName(i) in ('click', 'press', 'activate', 'toggle'):
                act.doAction(i)
                return
        # No action (GTK 4.8's check buttons): a mouse click in its middle.
        # The window is at 0,0 on the bare Xvfb screen (no window manager).
        e = b.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
        subprocess.run(['xdotool', 'mousemove', '--sync', str(e.x + min(e.width // 2, 12)),
                        str(e.y + e.height // 2), 'click', '1'], check=True)

    def keypad(self, digits):
        for d in digits:
            self.click(d)
            time.sleep(0.05)

    def shot(self, name):
        os.makedirs(SHOTS, exist_ok=True)
        time.sleep(0.4)     # let the frame be drawn
        path = os.path.join(SHOTS, name)
        wid = subprocess.run(['xdotool', 'search', '--onlyvisible', '--pid', str(self.pid)],
                             check=True, capture_output=True).stdout.split()[0].decode()
        subprocess.run(['import', '-window', wid, path], check=True)
        return path

    def close(self):
        if self.launched and self.pid:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            self.pid = None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.log.closed:
            return ''
        out = self.output()
        self.log.close()
        return out


DAMM = ['0317598642', '7092154863', '4206871359', '1750983426', '6123045978',
        '3674209581', '5869720134', '8945362017', '9438617205', '2581436790']


def with_check_digit(digits15):
    """digits15 + its Damm check digit (src/common/checkdigit.c)."""
    interim = 0
    for ch in digits15:
        interim = int(DAMM[interim][int(ch)])
    return digits15 + str(interim)
