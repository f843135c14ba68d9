"""bench_startup.py - eimza start-up times (docs/PERFORMANCE.md), not a
test: `eimza --version` cold start, and the window on screen from process
start (Doğrulama Kodu page mapped on the X server), each the median of 20
runs.  Run under run.sh:  tests/desktop/run.sh $PWD/tests/desktop/bench_startup.py"""
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

N = 20
eimza = lib.bin_path('eimza')

version = []
for _ in range(N):
    t = time.perf_counter()
    subprocess.run([eimza, '--version'], check=True, capture_output=True)
    version.append((time.perf_counter() - t) * 1000)

conf = '/tmp/eimza-bench.conf'
lib.write_config(conf, 'http://127.0.0.1:9')
env = dict(os.environ, EIMZA_CONFIG=conf)
window = []
for _ in range(N):
    t = time.perf_counter()
    p = subprocess.Popen([eimza], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while True:
        r = subprocess.run(['xdotool', 'search', '--onlyvisible', '--pid', str(p.pid)],
                           capture_output=True)
        if r.returncode == 0 and r.stdout.strip():
            break
        if time.perf_counter() - t > 10:
            raise SystemExit('window did not appear (run %d, exit %s): %s' % (len(window), p.poll(), p.stderr.read()))
    window.append((time.perf_counter() - t) * 1000)
    p.terminate()
    p.wait()
os.unlink(conf)

print('eimza --version: median %.1f ms (min %.1f, max %.1f)'
      % (statistics.median(version), min(version), max(version)))
print('window on screen: median %.0f ms (min %.0f, max %.0f)'
      % (statistics.median(window), min(window), max(window)))
