#!/bin/bash
# perm.sh - bogusmx-milter's permission warnings (milter/perm.h): each is
# printed for a bad setup and not for the good one beside it, the milter
# serves either way, a reload checks the configuration again, and a
# daemon prints them once on standard error.
#
#   configuration file and tables: writable by group or other, owned by
#   another user (root only), in a directory writable without the
#   sticky bit or owned by another user (root only), also when reached
#   through a symbolic link;
#   unix socket: mode o+w where other can reach it; its directory;
#   inet socket, and fd:N: an address that is not loopback, and what a
#   loopback one costs (every local user can connect).
#
# Usage: perm.sh BOGUSMX-MILTER
# As root the milter serves as nobody, and the listening tests on the
# wildcard address run in a network namespace of their own (unshare -n)
# when that works; without one the milter listens on it for a moment.
set -u
milter=$(realpath "$1")
. "$(dirname "$0")/../common/harness.sh"
harness_need python3
unset JOURNAL_STREAM # the log must come to stderr (openlog's LOG_PERROR)
harness_tmp
pid=
harness_at_exit '[ -n "$pid" ] && kill -KILL -- "-$pid" "$pid" 2>/dev/null'
harness_at_exit '[ -f "$tmp/run/pid" ] && kill "$(cat "$tmp/run/pid")" 2>/dev/null'
root=false
[ "$(id -u)" = 0 ] && root=true
if $root; then
	svc=nobody
else
	svc=$(id -un)
fi
netns=()
$root && unshare -n true 2>/dev/null && netns=(unshare -n)

ipv6=false
harness_port ::1 >/dev/null && ipv6=true

# conf FILE SOCKET [LINES...]: a configuration for the service user
conf() {
	local f=$1 sock=$2
	shift 2
	{
		printf 'socket = "%s"\nuser = "%s"\nsocket-mode = "0660"\n' \
			"$sock" "$svc"
		printf 'dns { nameservers = { "127.0.0.1:9" } }\n'
		printf '%s\n' "$@"
	} >"$f"
	chmod 644 "$f"
}

# serve NAME COMMAND...: start the milter in the foreground, in a
# session of its own, wait until it listens, kill the whole session
# (SIGTERM would wait for libmilter's listener to notice, seconds each
# time; stopping is daemon.sh's business): a wrapper (unshare, python)
# and the milter it started go together; its log in $tmp/NAME.log.
serve() {
	local name=$1
	shift
	setsid "$@" >"$tmp/$name.log" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do
		grep -q 'listening on' "$tmp/$name.log" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q 'listening on' "$tmp/$name.log"; then
		fail "$name: the milter does not serve"
		cat "$tmp/$name.log"
	fi
	kill -KILL -- "-$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
}

# expect NAME COUNT [ERE]: the log of NAME has COUNT warnings (of the
# form "object: warning: "), one of them matching ERE
expect() {
	local name=$1 count=$2 re=${3-} got
	got=$(grep -c ': warning: ' "$tmp/$name.log")
	if [ "$got" = "$count" ] &&
		{ [ -z "$re" ] || grep -Eq -- "$re" "$tmp/$name.log"; }; then
		ok "$name: $count warning(s)${re:+ like /$re/}"
	else
		fail "$name: $got warning(s), want $count${re:+ like /$re/}"
		cat "$tmp/$name.log"
	fi
}

mkdir -p "$tmp/etc" "$tmp/run"
chmod 755 "$tmp/etc" "$tmp/run"
$root && chown nobody "$tmp/run"
sock=$tmp/run/bogusmx.sock
c=$tmp/etc/bogusmx.conf
t=$tmp/etc/t.cidr
printf '10.0.0.0/8 REJECT private\n' >"$t"
chmod 644 "$t"
conf "$c" "unix:$sock" "tables = { \"$t\" }"

# The good setup: no warning at all.
serve good "$milter" -f -c "$c"
expect good 0

# The configuration file and a table, writable by others.
chmod 646 "$c"
serve conf-o+w "$milter" -f -c "$c"
expect conf-o+w 1 "^.*$c: warning: writable by anyone \\(owner [^ ]+, group [^ ]+, mode 0646\\): any local user can change what the milter decides; chmod o-w $c\$"
chmod 664 "$c"
serve conf-g+w "$milter" -f -c "$c"
expect conf-g+w 1 "$c: warning: writable by group [^ ]+ \\(.*mode 0664\\): the members of group [^ ]+ can .*; chmod g-w $c\$"
chmod 666 "$c"
serve conf-go+w "$milter" -f -c "$c"
expect conf-go+w 1 "$c: warning: writable by group [^ ]+ and by anyone .*chmod go-w $c\$"
chmod 644 "$c"
chmod 646 "$t"
serve table-o+w "$milter" -f -c "$c"
expect table-o+w 1 "$t: warning: writable by anyone \\(.*mode 0646\\)"
chmod 644 "$t"

# Read at start as root, a table the service user cannot read would
# fail every reload: said at start.
if $root; then
	chmod 600 "$t"
	serve table-unreadable "$milter" -f -c "$c"
	expect table-unreadable 1 "$t: warning: the service user nobody cannot read it \\(Permission denied\\): every reload will fail"
	chmod 644 "$t"
fi

# Readable by anyone is fine: there is no secret in it.
chmod 604 "$c"
serve conf-o+r "$milter" -f -c "$c"
expect conf-o+r 0
chmod 644 "$c"

# Owned by another user (root only: nobody else can give files away).
if $root; then
	chown daemon "$c"
	serve conf-owner "$milter" -f -c "$c"
	expect conf-owner 1 "$c: warning: owned by daemon, neither root nor the service user nobody \\(owner daemon, .*\\): daemon can change what the milter decides; chown root $c\$"
	chown nobody "$c" "$t"
	serve conf-service-owner "$milter" -f -c "$c"
	expect conf-service-owner 0
	chown root "$c" "$t"
	chown daemon "$tmp/etc"
	serve dir-owner "$milter" -f -c "$c"
	# both files are in it: one warning for each
	expect dir-owner 2 "$tmp/etc: warning: directory owned by daemon, neither root nor the service user nobody .*daemon can replace $c; chown root $tmp/etc\$"
	chown nobody "$tmp/etc"
	serve dir-service-owner "$milter" -f -c "$c"
	expect dir-service-owner 0
	chown root "$tmp/etc"
else
	echo "skipped: owners other than root and the service user (not root)"
fi

# The directory: writable by anyone without the sticky bit, or with it.
chmod 777 "$tmp/etc"
serve dir-o+w "$milter" -f -c "$c"
expect dir-o+w 2 "$tmp/etc: warning: directory writable by group [^ ]+ and by anyone without the sticky bit \\(.*mode 0777\\): any local user can replace $c; chmod go-w $tmp/etc\$"
chmod 1777 "$tmp/etc"
serve dir-sticky "$milter" -f -c "$c"
expect dir-sticky 0
chmod 775 "$tmp/etc"
serve dir-g+w "$milter" -f -c "$c"
expect dir-g+w 2 "$tmp/etc: warning: directory writable by group [^ ]+ without .*the members of group [^ ]+ can replace $t"
chmod 755 "$tmp/etc"

# Through a symbolic link: the directory the link leads to counts.
mkdir "$tmp/real"
chmod 777 "$tmp/real"
cp "$c" "$tmp/real/bogusmx.conf"
ln -s "$tmp/real/bogusmx.conf" "$tmp/etc/link.conf"
serve link-o+w "$milter" -f -c "$tmp/etc/link.conf"
expect link-o+w 1 "$tmp/real: warning: directory writable .*: any local user can replace $tmp/etc/link.conf;"
chmod 755 "$tmp/real"
serve link-good "$milter" -f -c "$tmp/etc/link.conf"
expect link-good 0

# A unix socket that any local user can connect to; or in a directory
# that other cannot search; or whose directory is writable by anyone.
conf "$c" "unix:$sock" 'socket-mode = "0666"'
serve sock-o+w "$milter" -f -c "$c"
expect sock-o+w 1 "$sock: warning: any local user can connect to the milter \\(owner $svc, .*mode 0666\\): it answers whoever asks; set socket-mode = \"0660\""
chmod 750 "$tmp/run"
serve sock-o+w-closed-dir "$milter" -f -c "$c"
expect sock-o+w-closed-dir 0
chmod 755 "$tmp/run"
conf "$c" "unix:$sock"
chmod 777 "$tmp/run"
serve sock-dir-o+w "$milter" -f -c "$c"
expect sock-dir-o+w 1 "$tmp/run: warning: directory writable .*without the sticky bit .*can replace $sock;"
chmod 1777 "$tmp/run"
serve sock-dir-sticky "$milter" -f -c "$c"
expect sock-dir-sticky 0
chmod 755 "$tmp/run"

# inet: loopback says what it costs (one warning), any other address
# is warned about.
loopback_re() { # SPEC HOST
	echo "$1: warning: listening on loopback TCP \\($2\\): every local user can connect to the milter, and a client can crash libmilter \\(BUGS in bogusmx-milter\\(8\\)\\); a unix socket that only the MTA's group can reach keeps them out: socket = \"unix:/var/spool/postfix/bogusmx/bogusmx.sock\"\$"
}
port=$(harness_port 127.0.0.1)
serve inet-loopback "$milter" -f -c "$c" -p "inet:$port@127.0.0.1"
expect inet-loopback 1 "$(loopback_re "inet:$port@127\\.0\\.0\\.1" '127\.0\.0\.1')"
serve inet-localhost "$milter" -f -c "$c" -p "inet:$port@localhost"
expect inet-localhost 1 "$(loopback_re "inet:$port@localhost" '127\.0\.0\.1')"
[ ${#netns[@]} = 0 ] && echo "no network namespace: listening on the wildcard address for a moment"
port=$(harness_port 0.0.0.0)
serve inet-any "${netns[@]}" "$milter" -f -c "$c" -p "inet:$port@0.0.0.0"
expect inet-any 1 "inet:$port@0.0.0.0: warning: listening on 0.0.0.0 \\(every address\\), not on loopback: the milter is reachable from the network, and the milter protocol has no authentication;"
serve inet-nohost "${netns[@]}" "$milter" -f -c "$c" -p "inet:$port"
expect inet-nohost 1 "inet:$port: warning: listening on 0.0.0.0 \\(every address\\)"
if $ipv6; then
	port=$(harness_port ::1)
	serve inet6-loopback "$milter" -f -c "$c" -p "inet6:$port@[::1]"
	expect inet6-loopback 1 "$(loopback_re "inet6:$port@\\[::1\\]" '::1')"
	serve inet6-any "${netns[@]}" "$milter" -f -c "$c" -p "inet6:$port@[::]"
	expect inet6-any 1 "inet6:$port@\\[::\\]: warning: listening on :: \\(every address\\)"
else
	echo "skipped: inet6 (no ::1 here)"
fi

# fd:N, a socket opened by someone else: its address is asked for.
fdrun() { # ADDRESS MILTER ARGS...
	python3 -c 'import os, socket, sys
a = sys.argv[1]
s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET)
s.bind((a, 0))
s.listen(5)
os.set_inheritable(s.fileno(), True)
os.execv(sys.argv[2], sys.argv[2:] + ["-p", "fd:%d" % s.fileno()])' "$@"
}
fdwrap=(bash -c "$(declare -f fdrun); fdrun \"\$@\"" fdrun)
serve fd-loopback "${fdwrap[@]}" 127.0.0.1 "$milter" -f -c "$c"
expect fd-loopback 1 "$(loopback_re 'fd:[0-9]+' '127\.0\.0\.1')"
serve fd-any "${netns[@]}" "${fdwrap[@]}" 0.0.0.0 "$milter" -f -c "$c"
expect fd-any 1 "fd:[0-9]+: warning: listening on 0.0.0.0 \\(every address\\)"

# A reload (SIGUSR1) looks at the configuration again.
conf "$c" "unix:$sock"
"$milter" -f -c "$c" >"$tmp/reload.log" 2>&1 &
pid=$!
reloaded() { # the Nth "reloaded" line
	for _ in $(seq 1 100); do
		[ "$(grep -c 'reloaded configuration' "$tmp/reload.log")" -ge "$1" ] &&
			return 0
		sleep 0.1
	done
	return 1
}
for _ in $(seq 1 100); do
	grep -q 'listening on' "$tmp/reload.log" && break
	sleep 0.1
done
kill -USR1 "$pid"
reloaded 1 && ! grep -q ': warning: ' "$tmp/reload.log" &&
	ok "reload of a good file: no warning" ||
	{ fail "reload of a good file"; cat "$tmp/reload.log"; }
chmod 646 "$c"
kill -USR1 "$pid"
reloaded 2 &&
	[ "$(grep -c ": warning: " "$tmp/reload.log")" = 1 ] &&
	grep -q "$c: warning: writable by anyone" "$tmp/reload.log" &&
	kill -0 "$pid" 2>/dev/null &&
	ok "reload of a file made writable: warned, still serving" ||
	{ fail "reload of a bad file"; cat "$tmp/reload.log"; }
{
	kill -KILL "$pid"
	wait "$pid"
} 2>/dev/null
pid=
chmod 644 "$c"

# A daemon says it on standard error, once, before it detaches.
conf "$c" "unix:$sock" 'socket-mode = "0666"'
chmod 646 "$c"
"$milter" -c "$c" -P "$tmp/run/pid" >"$tmp/daemon.log" 2>&1
rc=$?
for _ in $(seq 1 50); do [ -s "$tmp/run/pid" ] && break; sleep 0.1; done
if [ $rc = 0 ] && [ -s "$tmp/run/pid" ] &&
	[ "$(grep -c '^bogusmx-milter: .*: warning: ' "$tmp/daemon.log")" = 2 ] &&
	grep -q "^bogusmx-milter: $c: warning: writable by anyone" "$tmp/daemon.log" &&
	grep -q "^bogusmx-milter: $sock: warning: any local user can connect" "$tmp/daemon.log"; then
	ok "daemon: two warnings on stderr, once each, and it starts"
else
	fail "daemon ($rc)"
	cat "$tmp/daemon.log"
fi
[ -s "$tmp/run/pid" ] && kill -TERM "$(cat "$tmp/run/pid")"
for _ in $(seq 1 50); do [ -e "$tmp/run/pid" ] || break; sleep 0.1; done

echo "$((n - fails)) passed, $fails failed"
[ $fails = 0 ]
