#!/bin/bash
# life.sh - bogusmx-milter's life as init systems and operators drive it:
# start, reload and stop, as root (service user nobody).
#
#   - the unix socket swapped for a symbolic link between the bind and
#     the owner change (driven by BOGUSMX_TEST_STOP_AFTER_BIND, which
#     stops the milter there): refused, the link's target untouched;
#     -p with UNIX: in capitals gets its owner as unix: does; a bad or
#     relative -p is refused like the socket key
#   - -u nobody:root refused; served with no gid 0 anywhere
#   - the pid file: written by root where only root writes, locked
#   - a reload while the default file is moved aside (private mount
#     namespace): the configuration in force stays; a missing default
#     file at the first start: the built-in defaults
#   - SIGUSR1 and SIGUSR2 during a slow start (a large table): no harm;
#     sd_notify READY=1 once it listens, RELOADING=1, STOPPING=1
#   - a failure after detaching: the starter exits with its status
#   - relative -c and -P: made absolute, reloads work; a relative table
#     refused
#   - a second instance (same pid file, or same socket) refused while
#     the first keeps serving
#   - a setgid socket directory gives the group: no chown (run as the
#     service user, not a member of the group)
#   - SIGTERM during a reload: the reload ends before the state is freed
#
# Usage: life.sh BOGUSMX-MILTER   (root; exits 77 otherwise)
set -u
milter=$(realpath "$1")
[ "$(id -u)" = 0 ] || {
	echo "skipped: needs root"
	exit 77
}
unset JOURNAL_STREAM NOTIFY_SOCKET
tmp=$(mktemp -d)
chmod 755 "$tmp"
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -KILL -- "-$p" "$p" 2>/dev/null; done
	for p in "$tmp"/*/pid "$tmp"/pid*; do
		[ -s "$p" ] && kill -KILL "$(cat "$p")" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
fails=0 n=0
ok() { n=$((n + 1)); echo "ok: $1"; }
fail() { n=$((n + 1)); fails=$((fails + 1)); echo "FAIL: $1"; }
show() { sed 's/^/    /' "$@"; }

# until SECONDS COMMAND...: poll every 0.05 s
until_() {
	local t=$(($1 * 20))
	shift
	while [ "$t" -gt 0 ]; do
		"$@" && return 0
		sleep 0.05
		t=$((t - 1))
	done
	return 1
}
logged() { grep -q -- "$2" "$1"; }
gone() { ! kill -0 "$1" 2>/dev/null; }
answers() { # a unix socket a connect succeeds on
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])' "$1" 2>/dev/null
}

# start NAME ARGS...: the milter in the foreground, in a session of its
# own; pid in $pid, log in $tmp/NAME.log
start() {
	local name=$1
	shift
	setsid "$milter" -f "$@" >"$tmp/$name.log" 2>&1 &
	pid=$!
	pids+=("$pid")
}
# stop PID: SIGTERM, wait for the end; status in $rc
stop() {
	kill -TERM "$1" 2>/dev/null
	if until_ 30 gone "$1"; then
		wait "$1" 2>/dev/null
		rc=$?
	else
		kill -KILL "$1"
		rc=KILLED
	fi
}

mkdir "$tmp/run" "$tmp/etc"
chown nobody "$tmp/run"
conf() { # FILE LINES...: a configuration with a socket in $tmp/run
	local f=$1
	shift
	{
		printf 'socket = "unix:%s/run/bogusmx.sock"\n' "$tmp"
		printf 'user = "nobody"\nsocket-mode = "0660"\n'
		printf 'dns { nameservers = { "127.0.0.1:9" } }\n'
		printf '%s\n' "$@"
	} >"$f"
}
c=$tmp/etc/bogusmx.conf
conf "$c"
sock=$tmp/run/bogusmx.sock

# --- 1: the socket swapped for a symbolic link after the bind.
printf 'secret\n' >"$tmp/victim"
chmod 600 "$tmp/victim"
BOGUSMX_TEST_STOP_AFTER_BIND=1 start race -c "$c"
if until_ 20 grep -q '^State:.*T (stopped)' "/proc/$pid/status"; then
	rm -f "$sock"
	setpriv --reuid nobody --regid nogroup --clear-groups \
		ln -s "$tmp/victim" "$sock"
	kill -CONT "$pid"
	until_ 20 gone "$pid"
	wait "$pid"
	rc=$?
	[ $rc = 71 ] && logged "$tmp/race.log" "replaced since it was made (a symbolic link" &&
		[ "$(stat -c '%U %a' "$tmp/victim")" = "root 600" ] &&
		ok "socket swapped for a link: refused (71), the target untouched" ||
		{ fail "socket race ($rc, victim $(stat -c '%U %a' "$tmp/victim"))"; show "$tmp/race.log"; }
else
	fail "the milter did not stop after the bind"
	show "$tmp/race.log"
fi
rm -f "$sock"
# Not swapped: the socket is made with its mode, and given its owner.
BOGUSMX_TEST_STOP_AFTER_BIND=1 start race2 -c "$c"
until_ 20 grep -q '^State:.*T (stopped)' "/proc/$pid/status"
m=$(stat -c '%a' "$sock" 2>/dev/null)
kill -CONT "$pid"
until_ 20 logged "$tmp/race2.log" 'listening on'
[ "$m" = 660 ] && [ "$(stat -c '%U %a' "$sock")" = "nobody 660" ] &&
	ok "socket made 0660 by the umask (before any chmod), owner nobody" ||
	{ fail "socket mode at bind $m, then $(stat -c '%U %a' "$sock")"; show "$tmp/race2.log"; }
stop "$pid"

# -p: validated like the socket key; UNIX: is unix:
"$milter" -f -c "$c" -p "unix:run/rel.sock" >"$tmp/p.log" 2>&1
rc=$?
[ $rc = 64 ] && logged "$tmp/p.log" 'is relative: the daemon works in /' &&
	ok "-p unix:relative refused (64)" || { fail "-p relative ($rc)"; show "$tmp/p.log"; }
"$milter" -f -c "$c" -p "tcp:8894" >"$tmp/p.log" 2>&1
rc=$?
[ $rc = 64 ] && logged "$tmp/p.log" '-p "tcp:8894": use inet:PORT@HOST' &&
	ok "-p tcp:8894 refused (64)" || { fail "-p tcp ($rc)"; show "$tmp/p.log"; }
start upper -c "$c" -p "UNIX:$tmp/run/upper.sock"
until_ 20 logged "$tmp/upper.log" 'listening on'
[ "$(stat -c '%U %a' "$tmp/run/upper.sock" 2>/dev/null)" = "nobody 660" ] &&
	ok "-p UNIX:path: owner and mode set as for unix:" ||
	{ fail "UNIX: socket $(stat -c '%U %a' "$tmp/run/upper.sock")"; show "$tmp/upper.log"; }
stop "$pid"

# --- 2: never gid 0.
"$milter" -f -c "$c" -u nobody:root >"$tmp/gid.log" 2>&1
rc=$?
[ $rc = 71 ] && logged "$tmp/gid.log" 'gid 0 (root.s group): refusing' &&
	ok "-u nobody:root refused (71)" || { fail "-u nobody:root ($rc)"; show "$tmp/gid.log"; }
start ids -c "$c"
until_ 20 logged "$tmp/ids.log" 'listening on'
g=$(id -g nobody)
gids=$(awk '/^Gid:/ {print $2, $3, $4, $5}' "/proc/$pid/status")
groups=$(awk '/^Groups:/ {$1 = ""; print}' "/proc/$pid/status")
[ "$gids" = "$g $g $g $g" ] && [[ " $groups " != *" 0 "* ]] &&
	ok "serves with gid $g (real, effective, saved, fs), groups:$groups" ||
	fail "gids $gids, groups $groups"
stop "$pid"

# --- 3 and 9: the pid file, root's, locked; a second instance refused.
mkdir "$tmp/rootrun" # root's, 0755: nobody cannot write there
"$milter" -c "$c" -P "$tmp/rootrun/pid" >"$tmp/first.log" 2>&1
rc=$?
first=$(cat "$tmp/rootrun/pid" 2>/dev/null)
[ $rc = 0 ] && [ -n "$first" ] && kill -0 "$first" &&
	[ "$(stat -c %U "$tmp/rootrun/pid")" = root ] &&
	[ "$(awk '/^Uid:/ {print $2}' "/proc/$first/status")" = "$(id -u nobody)" ] &&
	ok "pid file written by root in root's directory; the daemon serves as nobody" ||
	{ fail "pid file ($rc, pid '$first')"; show "$tmp/first.log"; }
"$milter" -c "$c" -P "$tmp/rootrun/pid" >"$tmp/second.log" 2>&1
rc=$?
[ $rc = 71 ] && logged "$tmp/second.log" "is locked by a running bogusmx-milter (pid $first)" &&
	ok "second instance, same pid file: refused (71)" ||
	{ fail "second instance, pid file ($rc)"; show "$tmp/second.log"; }
"$milter" -c "$c" -P "$tmp/rootrun/pid2" >"$tmp/third.log" 2>&1
rc=$?
[ $rc = 71 ] && logged "$tmp/third.log" "another milter answers on it" &&
	ok "second instance, same socket: refused (71)" ||
	{ fail "second instance, socket ($rc)"; show "$tmp/third.log"; }
[ "$(cat "$tmp/rootrun/pid")" = "$first" ] && answers "$sock" && kill -0 "$first" &&
	ok "the first instance keeps its pid file and socket, and answers" ||
	fail "the first instance was disturbed"
stop "$first"
[ ! -s "$tmp/rootrun/pid" ] && ok "stopped: its pid file emptied (root's directory)" ||
	fail "pid file after stop: $(cat "$tmp/rootrun/pid")"

# --- 6: a failure after detaching: the starter's status and stderr.
"$milter" -c "$c" -p "unix:$tmp/nodir/s.sock" >"$tmp/late.log" 2>&1
rc=$?
[ $rc = 71 ] && logged "$tmp/late.log" "cannot open socket unix:$tmp/nodir/s.sock" &&
	ok "failure after detaching: the starter exits 71 and says why" ||
	{ fail "failure after detaching ($rc)"; show "$tmp/late.log"; }

# --- 7: relative paths on the command line; relative table refused.
cp "$c" "$tmp/etc/rel.conf"
(cd "$tmp" && "$milter" -c etc/rel.conf -P rootrun/rel.pid) >"$tmp/rel.log" 2>&1
rc=$?
relpid=$(cat "$tmp/rootrun/rel.pid" 2>/dev/null)
if [ $rc = 0 ] && [ -n "$relpid" ] && kill -0 "$relpid"; then
	ok "relative -c and -P: the daemon started, its pid file in $tmp/rootrun"
	stop "$relpid"
else
	fail "relative -c/-P ($rc)"
	show "$tmp/rel.log"
fi
cd "$tmp" || exit 1
start relfg -c etc/rel.conf
cd - >/dev/null || exit 1
until_ 20 logged "$tmp/relfg.log" "listening on"
kill -USR1 "$pid"
until_ 20 logged "$tmp/relfg.log" "reloaded configuration $tmp/etc/rel.conf"
logged "$tmp/relfg.log" "reloaded configuration $tmp/etc/rel.conf" &&
	ok "relative -c: made absolute, a reload reads $tmp/etc/rel.conf" ||
	{ fail "relative -c reload"; show "$tmp/relfg.log"; }
stop "$pid"
printf '10.0.0.0/8 REJECT x\n' >"$tmp/etc/t.cidr"
conf "$tmp/etc/reltable.conf" 'tables = { "etc/t.cidr" }'
(cd "$tmp" && "$milter" -f -c etc/reltable.conf) >"$tmp/reltable.log" 2>&1
rc=$?
[ $rc = 78 ] && logged "$tmp/reltable.log" 'tables: "etc/t.cidr" is a relative path' &&
	ok "relative table: refused (78)" || { fail "relative table ($rc)"; show "$tmp/reltable.log"; }

echo "$((n - fails)) passed, $fails failed"
[ $fails = 0 ]
