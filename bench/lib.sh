# bench/lib.sh - shared by bench/ocsp and bench/ceremony (sourced).
#
# bench_init BUILDDIR   absolute $builddir, $srcdir, $tmp (removed at exit)
# bench_netns "$@"      re-runs the calling script in a private network
#                       namespace (only a loopback interface) when root:
#                       nothing can reach the servers started there, and
#                       openssl ocsp (which binds every address) stays
#                       loopback-only.  Without it everything still binds or
#                       connects to 127.0.0.1 only, except openssl ocsp.
# bench_tool NAME SRC.c [cc args]
#                       path of the helper bench/NAME, built with ninja when
#                       bench/ is in the meson project, else compiled here
#                       against the build's static libraries.
# bench_start_eonayd DATA PORT [eonayd args]   starts it, waits for /healthz;
#                       sets $eonayd_pid ($bench_prefix, e.g. "nice -n -10",
#                       runs before it when set).
# bench_machine         "N cores, MODEL"

bench_init() {
	local b=${1:-./build}
	srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	if [ ! -f "$b/build.ninja" ]; then
		meson setup "$b" "$srcdir" >/dev/null
	fi
	builddir=$(cd "$b" && pwd)
	ninja -C "$builddir" src/server/eonayd src/ctl/eonayctl >/dev/null
	tmp=$(mktemp -d /tmp/eonay-bench.XXXXXX)
	bench_pids=()
	trap 'bench_cleanup' EXIT
}

bench_cleanup() {
	local p
	for p in "${bench_pids[@]}"; do
		bench_stop "$p"
	done
	rm -rf "$tmp"
}

bench_netns() {
	if [ -z "${EONAY_BENCH_NETNS:-}" ] && [ "$(id -u)" = 0 ] &&
	   unshare -n true 2>/dev/null; then
		EONAY_BENCH_NETNS=1 exec unshare -n "$0" "$@"
	fi
	if [ -n "${EONAY_BENCH_NETNS:-}" ]; then
		ip link set lo up
		# Many short-lived client connections: a wide port range (servers
		# listen above it, on 65100 and up).
		sysctl -qw net.ipv4.ip_local_port_range="1024 65000" 2>/dev/null || true
	fi
}

bench_tool() {
	local name=$1 src=$2
	shift 2
	if ninja -C "$builddir" "bench/$name" >/dev/null 2>&1; then
		echo "$builddir/bench/$name"
		return
	fi
	# bench/ is not in the meson project (no subdir('bench') yet).
	local client=()
	grep -q 'bench-client.h' "$srcdir/bench/$src" && client=("$srcdir/bench/bench-client.c")
	cc -O2 -g -std=gnu11 -D_GNU_SOURCE -I"$builddir" -I"$srcdir" -I"$srcdir/src" \
		-o "$tmp/$name" "$srcdir/bench/$src" "${client[@]}" "$@" || return 1
	echo "$tmp/$name"
}

bench_start_eonayd() {
	local data=$1 port=$2
	shift 2
	${bench_prefix:-} "$builddir/src/server/eonayd" --data "$data" --listen "127.0.0.1:$port" "$@" \
		>"$tmp/eonayd-$port.log" 2>&1 &
	eonayd_pid=$!
	bench_pids+=("$eonayd_pid")
	bench_wait_up eonayd "$port" "$tmp/eonayd-$port.log"
}

# bench_wait_up NAME PORT LOG: waits (10 s) until /healthz answers on PORT.
bench_wait_up() {
	for _ in $(seq 100); do
		if curl -fs "http://127.0.0.1:$2/healthz" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	echo "$1 did not come up:" >&2
	tail "$3" >&2
	return 1
}

# Stops a process we started, and its children (openssl ocsp -multi
# forks workers; its parent ignores SIGTERM while they run).
bench_stop() {
	local p=$1 c
	for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do
		kill -9 "$c" 2>/dev/null || true
	done
	kill "$p" 2>/dev/null || return 0
	for _ in $(seq 30); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
}

bench_machine() {
	echo "$(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
}

# bench_start_nginx PORT UPSTREAM_PORT: nginx as docs/CONFIGURATION.md
# configures it (default upstream connections, no buffering), plain http
# on PORT.  Two workers with reuseport, so that 10 000 browsers (each a
# client and an upstream connection) stay under each process's file limit.
# Sets nginx_pid; returns 1 when nginx is not installed.
bench_start_nginx() {
	local port=$1 up=$2 conf=$tmp/nginx-$1.conf
	command -v nginx >/dev/null || return 1
	mkdir -p "$tmp/nginx-$port"
	cat >"$conf" <<NGINX
user root;
worker_processes 2;
worker_rlimit_nofile $(ulimit -n);
pid $tmp/nginx-$port/pid;
error_log $tmp/nginx-$port/error.log warn;
daemon off;
events { worker_connections $(( $(ulimit -n) - 100 )); }
http {
    access_log off;
    client_body_temp_path $tmp/nginx-$port/body;
    proxy_temp_path $tmp/nginx-$port/proxy;
    fastcgi_temp_path $tmp/nginx-$port/fastcgi;
    uwsgi_temp_path $tmp/nginx-$port/uwsgi;
    scgi_temp_path $tmp/nginx-$port/scgi;
    server {
        listen 127.0.0.1:$port reuseport;
        location / {
            proxy_pass http://127.0.0.1:$up;
            proxy_set_header Host \$host;
            proxy_buffering off;
            proxy_read_timeout 330s;
        }
    }
}
NGINX
	nginx -c "$conf" -e "$tmp/nginx-$port/error.log" &
	nginx_pid=$!
	bench_pids+=("$nginx_pid")
	bench_wait_up nginx "$port" "$tmp/nginx-$port/error.log"
}
