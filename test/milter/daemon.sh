#!/bin/bash
# daemon.sh - bogusmx-milter as a service: command line, -n, -V, unix
# socket (stale one removed, mode and owner), pid file, daemon mode,
# privileges (never serves as root).
#
# Usage: daemon.sh BOGUSMX-MILTER
# Parts that need root (owner, privilege drop) are skipped otherwise.
set -u
milter=$1
. "$(dirname "$0")/../common/harness.sh"
harness_need python3
harness_tmp
harness_at_exit '[ -f "$tmp/run/pid" ] && kill "$(cat "$tmp/run/pid")" 2>/dev/null'
root=false
[ "$(id -u)" = 0 ] && root=true

# -V and usage
out=$("$milter" -V)
[[ "$out" == "bogusmx-milter "*", special-purpose address registry of 20"* ]] &&
	ok "-V names the registry date" || fail "-V: $out"
"$milter" -x >/dev/null 2>&1
[ $? = 64 ] && ok "unknown option: exit 64" || fail "unknown option status"
"$milter" extra >/dev/null 2>&1
[ $? = 64 ] && ok "stray argument: exit 64" || fail "stray argument status"

# -n: check a file
printf 'mode = "all"\n' >"$tmp/good.conf"
out=$("$milter" -n -c "$tmp/good.conf" 2>&1)
[ $? = 0 ] && [[ "$out" == *"good.conf: ok"* ]] && ok "-n on a good file" ||
	fail "-n good: $out"
printf '# c\n\nsocket = "inet:1@127.0.0.1"\nfrobnicate = 1\n' >"$tmp/bad.conf"
out=$("$milter" -n -c "$tmp/bad.conf" 2>&1)
rc=$?
[ $rc = 78 ] && [[ "$out" == *"bad.conf:4:"*"frobnicate"* ]] &&
	ok "-n on a bad file: file:line, exit 78" || fail "-n bad ($rc): $out"
out=$("$milter" -n -c "$tmp/none.conf" 2>&1)
[ $? = 78 ] && [[ "$out" == *"none.conf"* ]] &&
	ok "-n on a missing named file: exit 78" || fail "-n missing: $out"
# A bad config stops the start before any socket exists.
"$milter" -f -c "$tmp/bad.conf" -p "unix:$tmp/never.sock" >/dev/null 2>&1
[ $? = 78 ] && [ ! -e "$tmp/never.sock" ] &&
	ok "bad config: no start, no socket" || fail "bad config start"

# A unix socket: a stale one is removed; mode and owner are set.
user=()
$root && user=(-u nobody)
cat >"$tmp/unix.conf" <<CONF
socket = "unix:$tmp/bogusmx.sock"
socket-mode = "0660"
dns { nameservers = { "127.0.0.1:9" } }
CONF
python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" "$tmp/bogusmx.sock"
# the pid file's directory belongs to the service user, as systemd's
# RuntimeDirectory does, so that it can remove the file at exit
mkdir "$tmp/run"
$root && chown nobody "$tmp/run"
"$milter" -c "$tmp/unix.conf" -P "$tmp/run/pid" "${user[@]}" 2>"$tmp/err"
rc=$?
[ $rc = 0 ] && ok "daemon mode returns 0" || { fail "daemon start ($rc)"; cat "$tmp/err"; }
for _ in $(seq 1 50); do [ -s "$tmp/run/pid" ] && break; sleep 0.1; done
pid=$(cat "$tmp/run/pid" 2>/dev/null)
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
	ok "pid file names the running daemon"
	[ "$(stat -c %a "$tmp/bogusmx.sock")" = 660 ] &&
		ok "socket mode 0660" || fail "socket mode $(stat -c %a "$tmp/bogusmx.sock")"
	if $root; then
		[ "$(stat -c %U "$tmp/bogusmx.sock")" = nobody ] &&
			ok "socket owned by the service user" ||
			fail "socket owner $(stat -c %U "$tmp/bogusmx.sock")"
		uid=$(awk '/^Uid:/ {print $2 $3 $4 $5}' "/proc/$pid/status")
		nobody=$(id -u nobody)
		[ "$uid" = "$nobody$nobody$nobody$nobody" ] &&
			ok "serves as nobody (real, effective, saved, fs uid)" ||
			fail "uids $uid"
	fi
	[ "$(awk '/^PPid:/ {print $2}' "/proc/$pid/status")" = 1 ] ||
		[ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ] &&
		ok "detached from the terminal" || fail "not detached"
	kill -TERM "$pid"
	for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && fail "still running after SIGTERM" ||
		ok "stops on SIGTERM"
	[ ! -e "$tmp/run/pid" ] && ok "pid file removed at exit" ||
		fail "pid file left behind"
else
	fail "no daemon running (pid '$pid')"
	cat "$tmp/err"
fi

if $root; then
	out=$("$milter" -f -c "$tmp/unix.conf" -u root 2>&1)
	[ $? = 71 ] && [[ "$out" == *"refusing to serve as root"* ]] &&
		ok "refuses to serve as root" || fail "-u root: $out"
	out=$("$milter" -f -c "$tmp/unix.conf" -u no-such-user-bmx 2>&1)
	[ $? = 71 ] && [[ "$out" == *"no such user"* ]] &&
		ok "unknown user named" || fail "-u unknown: $out"
fi
echo "$((n - fails)) passed, $fails failed"
[ $fails = 0 ]
