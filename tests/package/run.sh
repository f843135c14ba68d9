#!/usr/bin/env bash
# tests/package/run.sh - the Debian packages on this machine: builds them
# with scripts/package (lintian: no errors), installs them with apt, checks
# what a user and an operator get (eimza --version from /usr/bin, the
# eimza:// handler per xdg-mime, the conffiles, the system user and its
# data directory, the systemd unit per systemd-analyze, eonayd serving the
# installed pages and the eimza package it is given with its SHA-256), then
# purges them and checks that nothing is left and the machine's package set
# is as before.  Skips (77) when not root, without apt/dpkg, or when eimza
# or eonayd is installed already or has left its directories (it would not
# touch them).
set -uo pipefail
src=${EONAY_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root: it installs and purges the packages with apt"
for c in apt-get dpkg dpkg-query; do
  command -v "$c" >/dev/null 2>&1 || skip "no $c here: not a Debian system"
done
for p in eimza eonayd; do
  st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  case "$st" in
    "" | not-installed) ;;
    *) skip "$p is on this machine already ($st); not touching it" ;;
  esac
done
for d in /var/lib/eonay /etc/eonay /etc/eimza; do
  [ -e "$d" ] && skip "$d exists (kept from an earlier eonayd or eimza?); not touching it"
done

# The tools first (scripts/package would install them too), so that the
# package set compared at the end is the one with them.
"$src/scripts/deps" package || { echo "not ok - scripts/deps package"; exit 1; }

fails=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

tmp=$(mktemp -d /tmp/eonay-package.XXXXXX)
chmod 755 "$tmp"   # apt reads the .deb files as its own user
user_before=no
getent passwd eonay >/dev/null && user_before=yes
dpkg-query -W -f='${Package} ${Version} ${Status}\n' | sort >"$tmp/before.txt"
eonayd_pid=
installed=no
apt_opts=(-y -q --no-install-recommends -o DPkg::Lock::Timeout=300)
export DEBIAN_FRONTEND=noninteractive

cleanup() {
  [ -n "$eonayd_pid" ] && kill "$eonayd_pid" 2>/dev/null && wait "$eonayd_pid" 2>/dev/null
  if [ "$installed" = yes ]; then
    apt-get purge "${apt_opts[@]}" eimza eonayd >/dev/null 2>&1 || dpkg --purge eimza eonayd >/dev/null 2>&1
  fi
  rm -rf /var/lib/eonay
  if [ "$user_before" = no ] && getent passwd eonay >/dev/null; then
    userdel eonay 2>/dev/null; getent group eonay >/dev/null && groupdel eonay 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# 1. Build (scripts/package runs lintian and fails on an error).
t0=$(date +%s)
if ! "$src/scripts/package" "$tmp/out"; then
  echo "not ok - scripts/package"; exit 1
fi
t1=$(date +%s)
ok "scripts/package built the packages in $((t1 - t0)) s"
check "lintian reports no errors" bash -c "! grep -q '^E:' '$tmp/out/lintian.txt'"
grep '^W:' "$tmp/out/lintian.txt" | sed 's/^/# lintian /'
eimza_deb=$(ls "$tmp"/out/eimza_*.deb)
eonayd_deb=$(ls "$tmp"/out/eonayd_*.deb)
version=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" "$src/meson.build" | head -n1)
check "the packages carry meson.build's version $version" \
  test "$(dpkg-deb -f "$eimza_deb" Version)" = "$version" -a "$(dpkg-deb -f "$eonayd_deb" Version)" = "$version"

# 2. Install with apt; nothing but our two packages may come along.
extra=$(apt-get install -s "${apt_opts[@]}" "$eimza_deb" "$eonayd_deb" 2>/dev/null |
        awk '/^Inst / && $2 != "eimza" && $2 != "eonayd" {print $2}')
if [ -n "$extra" ]; then
  echo "not ok - installing would pull in other packages: $extra (run scripts/deps)"; exit 1
fi
installed=yes
if ! apt-get install "${apt_opts[@]}" "$eimza_deb" "$eonayd_deb" >"$tmp/install.log" 2>&1; then
  cat "$tmp/install.log"; echo "not ok - apt-get install"; exit 1
fi
t2=$(date +%s)
ok "apt-get install ./eimza_${version}_*.deb ./eonayd_${version}_*.deb ($((t2 - t1)) s)"

# 3. eimza: the user's side.
check "eimza --version from /usr/bin" bash -c "[ \"\$(command -v eimza)\" = /usr/bin/eimza ] && /usr/bin/eimza --version | grep -q '$version'"
check "manual pages eimza(1), eonayd(8), eonayctl(8)" test -f /usr/share/man/man1/eimza.1.gz -a -f /usr/share/man/man8/eonayd.8.gz -a -f /usr/share/man/man8/eonayctl.8.gz
check "eimza-gui finds all its libraries" bash -c "! ldd /usr/libexec/eimza-gui | grep -q 'not found'"
if command -v desktop-file-validate >/dev/null; then
  check "eimza.desktop is valid" desktop-file-validate /usr/share/applications/eimza.desktop
fi
if command -v xdg-mime >/dev/null; then
  home=$tmp/home; mkdir -p "$home"
  handler=$(HOME=$home XDG_CONFIG_HOME=$home/.config XDG_DATA_HOME=$home/.local/share \
            XDG_DATA_DIRS=/usr/local/share:/usr/share xdg-mime query default x-scheme-handler/eimza)
  check "xdg-mime: x-scheme-handler/eimza opens with eimza.desktop (got '$handler')" test "$handler" = eimza.desktop
else
  bad "xdg-mime missing (scripts/deps package installs xdg-utils)"
fi
check "/etc/eimza/eimza.conf is a conffile" bash -c "dpkg-query -W -f='\${Conffiles}' eimza | grep -q /etc/eimza/eimza.conf"
check "the card drivers in eimza.conf are this architecture's" \
  grep -q "^module = /usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/opensc-pkcs11.so" /etc/eimza/eimza.conf
# The packaged settings read without complaint: certs finds cards (0) or none (6).
env -u EIMZA_CONFIG -u SOFTHSM2_CONF /usr/bin/eimza certs >"$tmp/certs.txt" 2>&1
rc=$?
check "eimza certs reads /etc/eimza/eimza.conf (exit $rc: cards or 'no card')" test $rc -eq 0 -o $rc -eq 6

# 4. eonayd: the operator's side.
check "system user eonay" bash -c "uid=\$(id -u eonay) && [ \$uid -lt 1000 ] && getent passwd eonay | grep -q nologin"
check "/var/lib/eonay belongs to eonay, mode 700" test "$(stat -c '%U:%G %a' /var/lib/eonay)" = "eonay:eonay 700"
check "/etc/eonay/eonay.conf: root:eonay 640, a conffile" bash -c \
  "[ \"\$(stat -c '%U:%G %a' /etc/eonay/eonay.conf)\" = 'root:eonay 640' ] && dpkg-query -W -f='\${Conffiles}' eonayd | grep -q /etc/eonay/eonay.conf"
check "eonayctl --data /var/lib/eonay reads /etc/eonay/eonay.conf" bash -c \
  "runuser -u eonay -- /usr/bin/eonayctl --data /var/lib/eonay config | grep -q '^# file: /var/lib/eonay/eonay.conf' && [ \"\$(readlink /var/lib/eonay/eonay.conf)\" = /etc/eonay/eonay.conf ]"
check "the packaged settings are valid (eonayd --print-config)" bash -c \
  "runuser -u eonay -- /usr/bin/eonayd --data /var/lib/eonay --print-config | grep -qx 'dir = /var/lib/eonay/downloads'"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify /lib/systemd/system/eonayd.service >"$tmp/verify.txt" 2>&1
  rc=$?
  cat "$tmp/verify.txt" | sed 's/^/# /'
  check "systemd-analyze verify eonayd.service" test $rc -eq 0 -a ! -s "$tmp/verify.txt"
fi
check "eonayd.service is enabled" test -L /etc/systemd/system/multi-user.target.wants/eonayd.service

cp "$eimza_deb" /var/lib/eonay/downloads/
want=$(sha256sum "$eimza_deb" | cut -d' ' -f1)
name=$(basename "$eimza_deb")
if [ -d /run/systemd/system ]; then
  # systemd runs here: the service must be up as the unit says.
  check "eonayd.service is active" systemctl is-active --quiet eonayd
  url=http://127.0.0.1:8080
else
  # No systemd (a container): run it as the unit would.
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  url=http://127.0.0.1:$port
  runuser -u eonay -- /usr/bin/eonayd --data /var/lib/eonay --config /etc/eonay/eonay.conf \
    --listen "127.0.0.1:$port" >"$tmp/eonayd.log" 2>&1 &
  eonayd_pid=$!
fi
for _ in $(seq 100); do curl -fs "$url/healthz" >/dev/null && break; sleep 0.1; done
check "eonayd answers /healthz" curl -fs "$url/healthz" -o /dev/null
check "the pages come from /usr/share/eonay/web" bash -c "runuser -u eonay -- /usr/bin/eonayd --data /var/lib/eonay --print-config | grep -qx 'web_root = /usr/share/eonay/web' && curl -fs '$url/eimza.html' | grep -q 'e-İmza Uygulaması'"
check "GET /api/v1/downloads lists $name with its SHA-256" bash -c \
  "curl -fs '$url/api/v1/downloads' | grep -q '\"name\": *\"$name\".*\"sha256\": *\"$want\"'"
curl -fs "$url/downloads/$name" -o "$tmp/got.deb"
check "GET /downloads/$name is the package, byte for byte" cmp -s "$tmp/got.deb" "$eimza_deb"
check "GET /downloads/..%2Feonay.conf is refused" test "$(curl -s -o /dev/null -w '%{http_code}' --path-as-is "$url/downloads/..%2Feonay.conf")" = 404
if [ -n "$eonayd_pid" ]; then
  kill "$eonayd_pid"; wait "$eonayd_pid" 2>/dev/null; eonayd_pid=
else
  systemctl stop eonayd
fi

# 5. Purge: every file of the packages gone, the user and data as documented.
dpkg -L eimza eonayd | sort -u >"$tmp/files.txt"
apt-get purge "${apt_opts[@]}" eimza eonayd >"$tmp/purge.log" 2>&1
rc=$?
installed=no
t3=$(date +%s)
check "apt-get purge eimza eonayd ($((t3 - t2)) s for the checks and the purge)" test $rc -eq 0
left=$(while read -r f; do [ -e "$f" ] && [ ! -d "$f" ] && echo "$f"; done <"$tmp/files.txt")
check "no file of the packages left${left:+: $left}" test -z "$left"
check "/etc/eimza, /etc/eonay, /usr/share/eonay gone" bash -c "[ ! -e /etc/eimza ] && [ ! -e /etc/eonay ] && [ ! -e /usr/share/eonay ]"
check "no statoverride left for eonay.conf" bash -c "! dpkg-statoverride --list /etc/eonay/eonay.conf >/dev/null"
check "the handler is gone from mimeinfo.cache" bash -c "! grep -qs eimza.desktop /usr/share/applications/mimeinfo.cache"
check "the data directory (a store now) is kept, and the purge says so" bash -c \
  "[ -e /var/lib/eonay/eonay.db ] && grep -q '/var/lib/eonay kept' '$tmp/purge.log' && [ ! -e /var/lib/eonay/eonay.conf ]"
check "the user eonay is kept (Debian: files it owns may remain)" getent passwd eonay
# What an operator would do by hand, so this machine is left as it was.
rm -rf /var/lib/eonay
[ "$user_before" = no ] && { userdel eonay; getent group eonay >/dev/null && groupdel eonay; }
dpkg-query -W -f='${Package} ${Version} ${Status}\n' | sort >"$tmp/after.txt"
check "the machine's packages are as before" cmp -s "$tmp/before.txt" "$tmp/after.txt"
diff "$tmp/before.txt" "$tmp/after.txt" | sed 's/^/# /'

echo "# times: build+lintian $((t1 - t0)) s, install $((t2 - t1)) s, checks+purge $((t3 - t2)) s, total $(( $(date +%s) - t0 )) s"
[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all package checks passed"
