"""bench_startup.py - eimza start-up times (docs/PERFORMANCE.md), not a
test: `eimza --version` cold start (a new process each run: start to
exit), and the window on screen from process start (`eimza` with no
command, which executes eimza-gui: start to the MapNotify of its top-level
window, _NET_WM_PID = the process, on the X server), each the median of
20 runs.  The window is measured with the accessibility bridge (GTK_A11Y=
atspi, the AT-SPI bus running, as on a desktop) and without it
(GTK_A11Y=none), the two alternating run by run so that both see the same
load; `uptime` is printed before and after.

The map is waited for with Xlib (ctypes, a blocking wait on the X
connection), not by polling, so that the measurement takes no CPU from
the program it measures.

Run under run.sh (Xvfb, D-Bus, AT-SPI bus):
  tests/desktop/run.sh $PWD/tests/desktop/bench_startup.py [RUNS]"""
import ctypes
import ctypes.util
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 20
eimza = lib.bin_path('eimza')

X = ctypes.CDLL(ctypes.util.find_library('X11'))
X.XOpenDisplay.restype = ctypes.c_void_p
X.XOpenDisplay.argtypes = [ctypes.c_char_p]
X.XDefaultRootWindow.restype = ctypes.c_ulong
X.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
X.XSelectInput.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_long]
X.XConnectionNumber.argtypes = [ctypes.c_void_p]
X.XPending.argtypes = [ctypes.c_void_p]
X.XNextEvent.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
X.XFlush.argtypes = [ctypes.c_void_p]
X.XInternAtom.restype = ctypes.c_ulong
X.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
X.XGetWindowProperty.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_long,
                                 ctypes.c_long, ctypes.c_int, ctypes.c_ulong,
                                 ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_int),
                                 ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_ulong),
                                 ctypes.POINTER(ctypes.c_void_p)]
X.XFree.argtypes = [ctypes.c_void_p]
MAP_NOTIFY = 19
SUBSTRUCTURE_NOTIFY_MASK = 1 << 19
XA_CARDINAL = 6


class XMapEvent(ctypes.Structure):
    _fields_ = [('type', ctypes.c_int), ('serial', ctypes.c_ulong), ('send_event', ctypes.c_int),
                ('display', ctypes.c_void_p), ('event', ctypes.c_ulong),
                ('window', ctypes.c_ulong), ('override_redirect', ctypes.c_int)]


class XEvent(ctypes.Union):
    _fields_ = [('type', ctypes.c_int), ('xmap', XMapEvent), ('pad', ctypes.c_long * 24)]


dpy = X.XOpenDisplay(None)
if not dpy:
    raise SystemExit('no X display (run under tests/desktop/run.sh)')
root = X.XDefaultRootWindow(dpy)
NET_WM_PID = X.XInternAtom(dpy, b'_NET_WM_PID', 0)
X.XSelectInput(dpy, root, SUBSTRUCTURE_NOTIFY_MASK)
X.XFlush(dpy)
xfd = X.XConnectionNumber(dpy)


def window_pid(w):
    typ, fmt, n, after = ctypes.c_ulong(), ctypes.c_int(), ctypes.c_ulong(), ctypes.c_ulong()
    data = ctypes.c_void_p()
    if X.XGetWindowProperty(dpy, w, NET_WM_PID, 0, 1, 0, XA_CARDINAL, ctypes.byref(typ),
                            ctypes.byref(fmt), ctypes.byref(n), ctypes.byref(after),
                            ctypes.byref(data)) != 0 or not data.value:
        return None
    pid = ctypes.cast(data, ctypes.POINTER(ctypes.c_ulong))[0] if n.value else None
    X.XFree(data)
    return pid


def sched(pid):
    """(ms on a CPU, ms waiting for one) of pid's live threads so far
    (/proc/PID/task/*/schedstat)."""
    run = wait = 0
    for tid in os.listdir('/proc/%d/task' % pid):
        try:
            with open('/proc/%d/task/%s/schedstat' % (pid, tid)) as f:
                r, w, _ = f.read().split()
            run, wait = run + int(r), wait + int(w)
        except (FileNotFoundError, ValueError):
            pass
    return run / 1e6, wait / 1e6


def wait_mapped(pid, t0, timeout=15):
    """ms from t0 to the MapNotify of a top-level window of pid."""
    ev = XEvent()
    while True:
        while X.XPending(dpy):
            X.XNextEvent(dpy, ctypes.byref(ev))
            if ev.type == MAP_NOTIFY:
                t = time.perf_counter()
                if window_pid(ev.xmap.window) == pid:
                    return (t - t0) * 1000
        left = timeout - (time.perf_counter() - t0)
        if left <= 0:
            raise SystemExit('window of %d did not appear' % pid)
        select.select([xfd], [], [], left)


def uptime():
    return subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()


print('before: ' + uptime())
# /bin/true the same way: what starting any process costs here (fork,
# exec, the dynamic loader, Python's subprocess), for scale.
version, true, version_cpu = [], [], []
for _ in range(N):
    for cmd, out in (([eimza, '--version'], version), (['/bin/true'], true)):
        t = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        out.append((time.perf_counter() - t) * 1000)
        p.returncode = os.waitstatus_to_exitcode(status)
        assert p.returncode == 0, cmd
        if out is version:
            version_cpu.append((ru.ru_utime + ru.ru_stime) * 1000)

tmp = tempfile.mkdtemp(prefix='eimza-bench-')
conf = os.path.join(tmp, 'eimza.conf')
lib.write_config(conf, 'http://127.0.0.1:9')
window = {'atspi': [], 'none': []}
cpu = {'atspi': [], 'none': []}
queued = {'atspi': [], 'none': []}
for i in range(2 * N):
    a11y = 'atspi' if i % 2 == 0 else 'none'
    env = dict(os.environ, EIMZA_CONFIG=conf, GTK_A11Y=a11y)
    t = time.perf_counter()
    p = subprocess.Popen([eimza], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    window[a11y].append(wait_mapped(p.pid, t))
    run, wait = sched(p.pid)
    cpu[a11y].append(run)
    queued[a11y].append(wait)
    p.terminate()
    p.wait()
os.unlink(conf)
os.rmdir(tmp)
print('after:  ' + uptime())


def line(what, v, fmt):
    print(('%-48s median ' + fmt + ' ms (min ' + fmt + ', max ' + fmt + ', first '
           + fmt + ', n=%d)') % (what, statistics.median(v), min(v), max(v), v[0], len(v)))


line('eimza --version (start to exit)', version, '%.1f')
line('  its CPU time (user + system)', version_cpu, '%.1f')
line('/bin/true (start to exit, for scale)', true, '%.1f')
line('window on screen (GTK_A11Y=atspi, AT-SPI bus)', window['atspi'], '%.0f')
line('  its threads on a CPU until mapped', cpu['atspi'], '%.0f')
line('  its threads waiting for a CPU (load)', queued['atspi'], '%.0f')
line('window on screen (GTK_A11Y=none)', window['none'], '%.0f')
line('  its threads on a CPU until mapped', cpu['none'], '%.0f')
line('  its threads waiting for a CPU (load)', queued['none'], '%.0f')
