#!/bin/sh
# tests/desktop/run.sh - runs a desktop test (python3, pyatspi) on its own
# Xvfb screen, in its own D-Bus session with the AT-SPI accessibility bus,
# so the real eimza window can be driven like a holder drives it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
test=${1:-$here/test_window.py}
[ $# -gt 0 ] && shift
py=/usr/bin/python3  # Debian's: python3-pyatspi is installed for it
for p in Xvfb xdotool xclip dbus-run-session import $py; do
  command -v $p >/dev/null 2>&1 || { echo "desktop test: $p missing (scripts/deps)"; exit 77; }
done
$py -c "import pyatspi" 2>/dev/null || { echo "desktop test: python3-pyatspi missing"; exit 77; }
# Xvfb picks a free display and writes its number once it accepts clients.
tmp=$(mktemp -d)
# -noreset: the server must not reset between two clients (a window
# closing and the next one opening would find it restarting).
# XVFB_SCREEN: the screen's size (a browser beside the window needs more).
Xvfb -displayfd 3 -screen 0 "${XVFB_SCREEN:-1024x768x24}" -nolisten tcp -noreset 3>"$tmp/display" >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true; rm -rf "$tmp"' EXIT INT TERM
for i in $(seq 200); do [ -s "$tmp/display" ] && break; sleep 0.05; done
n=$(cat "$tmp/display")
[ -n "$n" ] || { echo "desktop test: Xvfb did not start"; exit 1; }
export DISPLAY=:$n GDK_BACKEND=x11 NO_AT_BRIDGE=0 GTK_A11Y=atspi LANG=C.UTF-8
unset WAYLAND_DISPLAY
dbus-run-session -- sh -c '
  /usr/libexec/at-spi-bus-launcher --launch-immediately >/dev/null 2>&1 &
  launcher=$!
  sleep 0.5
  py=$1; shift; "$py" "$0" "$@"; rc=$?
  kill $launcher 2>/dev/null
  exit $rc' "$test" "$py" "$@"
