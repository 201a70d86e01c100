#!/bin/bash
# life.sh - bogusmx-milter's life as init systems and operators drive it:
# start, reload and stop, as root (service user nobody).
#
#   - the unix socket swapped for a symbolic link between the bind and
#     the owner change (driven by BOGUSMX_TEST_STOP_AFTER_BIND, which
#     stops the milter there): refused, the link's target untouched;
#     the same for the control socket (made after it, second stop);
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
dir=$(cd "$(dirname "$0")" && pwd)
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
	for p in "$tmp"/*/*pid*; do
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
logged() { grep -qs -- "$2" "$1"; }
gone() { ! kill -0 "$1" 2>/dev/null; }
answers() { # a unix socket a connect succeeds on
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])' "$1" 2>/dev/null
}

# run ARGS...: the milter, expected to end by itself (bounded: an old
# one that serves where it should refuse must not hang the test)
run() { timeout 30 "$milter" "$@"; }

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

# The control socket, made after the milter's (the hook stops the
# process after each bind): swapped for a link, refused the same way.
conf "$tmp/etc/ctl.conf" "control-socket = \"$tmp/run/ctl.sock\""
printf 'secret\n' >"$tmp/victim2"
chmod 600 "$tmp/victim2"
BOGUSMX_TEST_STOP_AFTER_BIND=1 start ctlrace -c "$tmp/etc/ctl.conf"
if until_ 20 grep -q '^State:.*T (stopped)' "/proc/$pid/status" &&
	kill -CONT "$pid" &&
	until_ 20 grep -q '^State:.*T (stopped)' "/proc/$pid/status" &&
	[ -S "$tmp/run/ctl.sock" ]; then
	rm -f "$tmp/run/ctl.sock"
	setpriv --reuid nobody --regid nogroup --clear-groups \
		ln -s "$tmp/victim2" "$tmp/run/ctl.sock"
	kill -CONT "$pid"
	until_ 20 gone "$pid"
	wait "$pid"
	rc=$?
	[ $rc = 71 ] &&
		logged "$tmp/ctlrace.log" "ctl.sock: replaced since it was made (a symbolic link" &&
		[ "$(stat -c '%U %a' "$tmp/victim2")" = "root 600" ] &&
		ok "control socket swapped for a link: refused (71), the target untouched" ||
		{ fail "control socket race ($rc, victim $(stat -c '%U %a' "$tmp/victim2"))"; show "$tmp/ctlrace.log"; }
else
	fail "the milter did not stop after binding the control socket"
	show "$tmp/ctlrace.log"
	kill -CONT "$pid" 2>/dev/null
	stop "$pid"
fi
rm -f "$tmp/run/ctl.sock" "$sock"

# -p: validated like the socket key; UNIX: is unix:
run -f -c "$c" -p "unix:run/rel.sock" >"$tmp/p.log" 2>&1
rc=$?
[ $rc = 64 ] && logged "$tmp/p.log" 'is relative: the daemon works in /' &&
	ok "-p unix:relative refused (64)" || { fail "-p relative ($rc)"; show "$tmp/p.log"; }
run -f -c "$c" -p "tcp:8894" >"$tmp/p.log" 2>&1
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
run -f -c "$c" -u nobody:root >"$tmp/gid.log" 2>&1
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
run -c "$c" -P "$tmp/rootrun/pid" >"$tmp/first.log" 2>&1
rc=$?
first=$(cat "$tmp/rootrun/pid" 2>/dev/null)
[ $rc = 0 ] && [ -n "$first" ] && kill -0 "$first" &&
	[ "$(stat -c %U "$tmp/rootrun/pid")" = root ] &&
	[ "$(awk '/^Uid:/ {print $2}' "/proc/$first/status")" = "$(id -u nobody)" ] &&
	ok "pid file written by root in root's directory; the daemon serves as nobody" ||
	{ fail "pid file ($rc, pid '$first')"; show "$tmp/first.log"; }
run -c "$c" -P "$tmp/rootrun/pid" >"$tmp/second.log" 2>&1
rc=$?
[ $rc = 71 ] && logged "$tmp/second.log" "is locked by a running bogusmx-milter (pid $first)" &&
	ok "second instance, same pid file: refused (71)" ||
	{ fail "second instance, pid file ($rc)"; show "$tmp/second.log"; }
run -c "$c" -P "$tmp/rootrun/pid2" >"$tmp/third.log" 2>&1
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
run -c "$c" -p "unix:$tmp/nodir/s.sock" >"$tmp/late.log" 2>&1
rc=$?
[ $rc = 71 ] && logged "$tmp/late.log" "cannot open socket unix:$tmp/nodir/s.sock" &&
	ok "socket failure: the starter exits 71 and says why" ||
	{ fail "socket failure ($rc)"; show "$tmp/late.log"; }
run -c "$c" -P "$tmp/nodir/pid" >"$tmp/late.log" 2>&1
rc=$?
[ $rc = 71 ] && logged "$tmp/late.log" "pid file $tmp/nodir/pid: No such file or directory" &&
	ok "pid file failure after detaching: the starter exits 71 and says why" ||
	{ fail "pid file failure after detaching ($rc)"; show "$tmp/late.log"; }

# --- 7: relative paths on the command line; relative table refused.
cp "$c" "$tmp/etc/rel.conf"
(cd "$tmp" && run -c etc/rel.conf -P rootrun/rel.pid) >"$tmp/rel.log" 2>&1
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
(cd "$tmp" && run -f -c etc/reltable.conf) >"$tmp/reltable.log" 2>&1
rc=$?
[ $rc = 78 ] && logged "$tmp/reltable.log" 'tables: "etc/t.cidr" is a relative path' &&
	ok "relative table: refused (78)" || { fail "relative table ($rc)"; show "$tmp/reltable.log"; }

# sink NAME PATH: dgram_sink.py on PATH, into $tmp/NAME.txt
sink() {
	python3 "$dir/dgram_sink.py" "$2" "$tmp/$1.txt" &
	pids+=($!)
	disown $!
	until_ 10 test -S "$2"
}

# --- 5: SIGUSR1 and SIGUSR2 during a slow start; readiness.  The start
# is held (BOGUSMX_TEST_START_HOLD) after the configuration is read, so
# the signals arrive during the start whatever the machine's speed.
sink notify "$tmp/notify"
NOTIFY_SOCKET=$tmp/notify BOGUSMX_TEST_START_HOLD=$tmp/startgo start slow -c "$c"
# SigBlk: bit 9 is SIGUSR1, bit 11 SIGUSR2
blocked() { (($(awk '/^SigBlk:/ {print "0x" $2}' "/proc/$1/status" 2>/dev/null || echo 0) & 0xa00)); }
until_ 20 blocked "$pid"
sent=0
for _ in 1 2 3 4 5; do
	kill -USR1 "$pid" && kill -USR2 "$pid" && sent=$((sent + 1))
	sleep 0.02
done
logged "$tmp/slow.log" 'listening on' && sent=0 # not during the start
touch "$tmp/startgo"
until_ 60 logged "$tmp/slow.log" 'reloaded configuration'
first=$(grep -o 'listening on\|SIGUSR1: reloading' "$tmp/slow.log" | head -1)
if [ "$sent" -gt 0 ] && kill -0 "$pid" && logged "$tmp/slow.log" 'reloaded configuration' &&
	[ "$first" = "listening on" ] &&
	logged "$tmp/slow.log" 'stats: '; then
	ok "$sent SIGUSR1+SIGUSR2 during the start: served, then reloaded and logged the counters"
else
	fail "signals during the start ($sent sent before it listened)"
	show "$tmp/slow.log"
fi
until_ 10 grep -q 'READY=1' "$tmp/notify.txt"
answers "$sock" && [ "$(head -1 "$tmp/notify.txt")" = "READY=1" ] &&
	grep -A1 -x 'RELOADING=1' "$tmp/notify.txt" | grep -qx 'READY=1' &&
	ok "sd_notify: READY=1 first (the socket answers), RELOADING=1 then READY=1" ||
	{ fail "sd_notify"; show "$tmp/notify.txt"; }

# --- 11: SIGTERM while a reload is in progress (held by
# BOGUSMX_TEST_RELOAD_HOLD): the reload ends before the state is freed.
stop "$pid"
BOGUSMX_TEST_RELOAD_HOLD=$tmp/go start held -c "$c"
until_ 20 logged "$tmp/held.log" 'listening on'
kill -USR1 "$pid"
until_ 20 logged "$tmp/held.log" 'SIGUSR1: reloading'
kill -TERM "$pid"
until_ 30 logged "$tmp/held.log" ': stopping$'
touch "$tmp/go"
stop "$pid"
order=$(grep -o 'stopping$\|reloaded configuration' "$tmp/held.log" | tr '\n' ,)
[ "$rc" = 0 ] && [ "$order" = "stopping,reloaded configuration," ] &&
	ok "SIGTERM during a reload: the reload ends, then the daemon exits 0" ||
	{ fail "SIGTERM during a reload ($rc, $order)"; show "$tmp/held.log"; }
grep -q 'STOPPING=1' "$tmp/notify.txt" && ok "sd_notify: STOPPING=1" ||
	fail "no STOPPING=1"

# --- 4: a reload while the default file is moved aside, in a private
# mount namespace whose /etc is an overlay (the real one is untouched).
cat >"$tmp/ns4.sh" <<NS
set -e
mount --make-rprivate /
mkdir "$tmp/ov"
mount -t tmpfs tmpfs "$tmp/ov"
mkdir "$tmp/ov/up" "$tmp/ov/work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$tmp/ov/up,workdir=$tmp/ov/work" /etc
mkdir -p /etc/bogusmx
rm -f /etc/bogusmx/bogusmx.conf
setsid "$milter" -f -u nobody -p "unix:$tmp/run/ns.sock" >"$tmp/ns-defaults.log" 2>&1 &
p=\$!
for _ in \$(seq 1 200); do grep -q 'listening on' "$tmp/ns-defaults.log" && break; sleep 0.05; done
kill -TERM \$p; wait \$p || true
cp "$c" /etc/bogusmx/bogusmx.conf
echo 'action = "log"' >>/etc/bogusmx/bogusmx.conf
setsid "$milter" -f -u nobody -p "unix:$tmp/run/ns.sock" >"$tmp/ns.log" 2>&1 &
p=\$!
for _ in \$(seq 1 200); do grep -q 'listening on' "$tmp/ns.log" && break; sleep 0.05; done
mv /etc/bogusmx/bogusmx.conf /etc/bogusmx/bogusmx.conf.tmp
kill -USR1 \$p
for _ in \$(seq 1 200); do grep -q 'reload failed\|reloaded' "$tmp/ns.log" && break; sleep 0.05; done
mv /etc/bogusmx/bogusmx.conf.tmp /etc/bogusmx/bogusmx.conf
kill -USR1 \$p
for _ in \$(seq 1 200); do grep -q 'reloaded' "$tmp/ns.log" && break; sleep 0.05; done
kill -TERM \$p; wait \$p
NS
unshare -m bash "$tmp/ns4.sh" >"$tmp/ns4.out" 2>&1
rc=$?
logged "$tmp/ns-defaults.log" 'starting with configuration (built-in defaults)' &&
	ok "default file missing at the first start: the built-in defaults" ||
	{ fail "first start without the default file"; show "$tmp/ns-defaults.log"; }
[ $rc = 0 ] && logged "$tmp/ns.log" 'starting with configuration /etc/bogusmx/bogusmx.conf: action log' &&
	logged "$tmp/ns.log" '/etc/bogusmx/bogusmx.conf: No such file' &&
	logged "$tmp/ns.log" 'reload failed: the configuration in force is kept' &&
	! logged "$tmp/ns.log" 'built-in defaults' &&
	logged "$tmp/ns.log" 'reloaded configuration /etc/bogusmx/bogusmx.conf: action log' &&
	ok "reload with the default file moved aside: refused, action log kept; back: reloaded" ||
	{ fail "reload without the default file ($rc)"; show "$tmp/ns4.out" "$tmp/ns.log"; }

# --- 6: errors after detaching reach syslog (a private /dev/log).
cat >"$tmp/ns6.sh" <<NS
set -e
mount --make-rprivate /
mkdir "$tmp/hostdev"
mount --rbind /dev "$tmp/hostdev"
mount -t tmpfs tmpfs /dev
touch /dev/null
mount --bind "$tmp/hostdev/null" /dev/null
python3 "$dir/dgram_sink.py" /dev/log "$tmp/syslog.txt" &
s=\$!
for _ in \$(seq 1 100); do [ -S /dev/log ] && break; sleep 0.05; done
rc=0
timeout 30 "$milter" -c "$c" -P "$tmp/nodir/pid" >/dev/null 2>&1 || rc=\$?
# the sink writes what the socket holds
for _ in \$(seq 1 200); do grep -qs 'pid file' "$tmp/syslog.txt" && break; sleep 0.05; done
kill \$s
exit \$rc
NS
unshare -m bash "$tmp/ns6.sh" >"$tmp/ns6.out" 2>&1
rc=$?
[ $rc = 71 ] && grep -q "bogusmx-milter\[[0-9]*\]: pid file $tmp/nodir/pid: No such file" "$tmp/syslog.txt" &&
	ok "failure after detaching: in syslog, starter exits 71" ||
	{ fail "failure after detaching, syslog ($rc)"; show "$tmp/ns6.out" "$tmp/syslog.txt"; }

# --- 10: a setgid directory gives the socket its group: no chown (run
# as nobody, not a member of group daemon; strace sees every chown).
mkdir "$tmp/sgid"
chown nobody:daemon "$tmp/sgid"
chmod 2750 "$tmp/sgid"
conf "$tmp/etc/sgid.conf" "socket = \"unix:$tmp/sgid/s.sock\"" 'group = "daemon"'
sed -i '1d' "$tmp/etc/sgid.conf"
chmod 644 "$tmp/etc/sgid.conf"
setsid strace -f -qq -e trace=chown,fchown,lchown,fchownat -o "$tmp/chown.trace" \
	setpriv --reuid nobody --regid nogroup --clear-groups \
	"$milter" -f -c "$tmp/etc/sgid.conf" >"$tmp/sgid.log" 2>&1 &
pid=$!
pids+=("$pid")
until_ 30 logged "$tmp/sgid.log" 'listening on'
[ "$(stat -c %G "$tmp/sgid/s.sock" 2>/dev/null)" = daemon ] &&
	! grep -q chown "$tmp/chown.trace" &&
	ok "setgid socket directory: group daemon, and no chown call" ||
	{ fail "setgid directory"; show "$tmp/sgid.log" "$tmp/chown.trace"; }
kill -TERM -- "-$pid"
until_ 30 gone "$pid"

echo "$((n - fails)) passed, $fails failed"
[ $fails = 0 ]
