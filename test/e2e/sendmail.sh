#!/bin/bash
# sendmail.sh - end to end through a real Sendmail, with the shipped
# INPUT_MAIL_FILTER line (etc/bogusmx.m4).
#
# Usage: sendmail.sh BOGUSMX-MILTER TESTDIR SOURCEDIR CACHEDIR
#
# Debian's sendmail packages conflict with postfix, which the other
# tests need, so they are not installed: `apt-get download` fetches
# sendmail-bin, sendmail-base and sendmail-cf into CACHEDIR (once) and
# `dpkg -x` unpacks them into a private root.  A sendmail.cf is built
# with m4 from a .mc that includes etc/bogusmx.m4, its socket (the
# packaged unix socket) pointed at the test milter's unix socket, in a
# directory of mode 2750 as the package makes it, and the sendmail
# binary runs as a daemon on a loopback high port with its own queue;
# swaks is the client.
#
# Mail for other hosts goes to a smart host (SMART_HOST, Sendmail's relay
# mailer, {rcpt_host} [smarthost.bogusmx.test]), as on the web servers
# where backscatter starts: its recipients are checked all the same.
#
# Nothing leaves loopback and nothing is delivered:
#  - the milter asks only ldns-testns on 127.0.0.1;
#  - sendmail runs in its own mount namespace (unshare -m) where
#    /etc/resolv.conf names 127.0.0.1, /etc/nsswitch.conf says
#    `hosts: files` and /etc/hosts knows this host as mx.bogusmx.test,
#    and its own service switch file says `hosts files`: no DNS at all;
#  - DeliveryMode=queueonly and no -q: accepted mail stays in the
#    private queue, which is deleted at the end.
#
# Exit 77 (skip) when not root, when the packages cannot be downloaded,
# or when a mount namespace cannot be made (then sendmail could not be
# kept off the system resolver).
set -u
BOGUSMX_MILTER=$1 dir=$2 src=$3 cache=$4
. "$dir/lib.sh"

skip() {
	echo "SKIP: $*"
	exit 77
}

# What e2e_init does, without asking for Postfix.
E2E_FAILS=0 E2E_N=0 E2E_PIDS=() E2E_PF=
for tool in ldns-testns swaks m4 python3 dpkg unshare; do
	command -v $tool >/dev/null || {
		echo "$tool not found (scripts/deps.sh installs it)" >&2
		exit 1
	}
done
[ "$(id -u)" = 0 ] || skip "a private Sendmail needs root"
unshare -m true 2>/dev/null ||
	skip "unshare -m fails here: sendmail cannot be kept off the system resolver"
E2E_TMP=$(mktemp -d)
chmod 755 "$E2E_TMP"
SM_PID='' sockdir=''
sm_cleanup() {
	[ -n "$sockdir" ] && rm -rf "$sockdir"
	if [ -n "$SM_PID" ]; then
		kill -TERM "$SM_PID" 2>/dev/null
		wait "$SM_PID" 2>/dev/null
	fi
	e2e_cleanup
}
trap sm_cleanup EXIT

# The packages: downloaded once into the cache, unpacked every run.
pkgs=(sendmail-bin sendmail-base sendmail-cf)
mkdir -p "$cache"
have_debs() {
	local p
	for p in "${pkgs[@]}"; do
		compgen -G "$cache/${p}_*.deb" >/dev/null || return 1
	done
}
fetch() {
	(cd "$cache" && apt-get -q -o APT::Sandbox::User=root download \
		"${pkgs[@]}") >"$E2E_TMP/apt.log" 2>&1
}
if ! have_debs; then
	if ! fetch; then
		# an image without package lists: read them once, try again
		if grep -q 'Unable to locate package' "$E2E_TMP/apt.log"; then
			apt-get update -q >>"$E2E_TMP/apt.log" 2>&1
			fetch
		fi
	fi
	have_debs || {
		sed 's/^/    /' "$E2E_TMP/apt.log"
		skip "apt-get download ${pkgs[*]} failed (no package registry?)"
	}
fi
root=$E2E_TMP/root
for p in "${pkgs[@]}"; do
	deb=$(ls -t "$cache/${p}"_*.deb | head -n 1)
	dpkg -x "$deb" "$root" || {
		echo "dpkg -x $deb failed" >&2
		exit 1
	}
	echo "using $(basename "$deb")"
done
SENDMAIL=$root/usr/libexec/sendmail/sendmail
CFDIR=$root/usr/share/sendmail/cf
[ -x "$SENDMAIL" ] && [ -f "$CFDIR/m4/cf.m4" ] || {
	echo "no $SENDMAIL or $CFDIR/m4/cf.m4 in the packages" >&2
	exit 1
}
missing=$(ldd "$SENDMAIL" 2>&1 | sed -n 's/^[[:space:]]*\([^ ]*\) => not found.*/\1/p')
if [ -n "$missing" ]; then
	echo "sendmail cannot run: missing shared libraries: $missing" >&2
	echo "(sendmail-bin needs libwrap0 and friends: scripts/deps.sh)" >&2
	exit 1
fi

e2e_dns "$dir/../milter/milter.data"
# the milter's unix socket, in a directory as the package makes it;
# not below /tmp: Sendmail refuses a socket with a world-writable
# directory above it
sockdir=$(mktemp -d /run/bogusmx-e2e.XXXXXX) || exit 1
chmod 755 "$sockdir"
spool=$sockdir/spool
install -d -o nobody -g "$(id -gn nobody)" -m 2750 "$spool"
msock=$spool/bogusmx.sock
E2E_MILTER_SOCKET=unix:$msock e2e_milter 'exempt-domains = { "exempt.de" }'
SMTP_PORT=$(e2e_port)

# The shipped line, its socket pointed at the test milter; F= and T=
# stay as shipped.
sm=$E2E_TMP/sendmail
mkdir -p "$sm/queue"
chmod 700 "$sm/queue"
sed "s|S=local:/var/spool/postfix/bogusmx/bogusmx\.sock|S=local:$msock|" \
	"$src/etc/bogusmx.m4" >"$sm/bogusmx.m4"
grep -q "INPUT_MAIL_FILTER(\`bogusmx', \`S=local:$msock, F=T," \
	"$sm/bogusmx.m4" || {
	echo "etc/bogusmx.m4 lacks the default socket local:/var/spool/postfix/bogusmx/bogusmx.sock or F=T" >&2
	exit 1
}
: >"$sm/aliases"
: >"$sm/statistics"
printf 'hosts\tfiles\naliases\tfiles\npasswd\tfiles\n' >"$sm/service.switch"
printf '127.0.0.1\tmx.bogusmx.test %s localhost\n::1\tmx.bogusmx.test %s localhost\n' \
	"$(hostname)" "$(hostname)" >"$sm/hosts"
printf 'nameserver 127.0.0.1\noptions attempts:1 timeout:1\n' >"$sm/resolv.conf"
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n' >"$sm/nsswitch.conf"
cat >"$sm/test.mc" <<MC
divert(-1)
  bogusmx end-to-end test: loopback only, nothing delivered
divert(0)dnl
VERSIONID(\`bogusmx e2e')dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`mx.bogusmx.test')dnl
define(\`confSERVICE_SWITCH_FILE', \`$sm/service.switch')dnl
define(\`confHOSTS_FILE', \`$sm/hosts')dnl
define(\`confBIND_OPTS', \`-DNSRCH -DEFNAMES')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`confDELIVERY_MODE', \`queueonly')dnl
define(\`QUEUE_DIR', \`$sm/queue')dnl
define(\`ALIAS_FILE', \`$sm/aliases')dnl
define(\`STATUS_FILE', \`$sm/statistics')dnl
define(\`confPID_FILE', \`$sm/sendmail.pid')dnl
define(\`confHELP_FILE', \`')dnl
define(\`confTO_IDENT', \`0')dnl
define(\`confMILTER_LOG_LEVEL', \`6')dnl
define(\`SMART_HOST', \`[smarthost.bogusmx.test]')dnl
FEATURE(\`nocanonify')dnl
FEATURE(\`accept_unresolvable_domains')dnl
FEATURE(\`no_default_msa')dnl
DAEMON_OPTIONS(\`Family=inet, Name=MTA, Port=$SMTP_PORT, Addr=127.0.0.1')dnl
include(\`$sm/bogusmx.m4')dnl
MAILER(\`local')dnl
MAILER(\`smtp')dnl
MC
if ! m4 -D_CF_DIR_="$CFDIR/" "$CFDIR/m4/cf.m4" "$sm/test.mc" \
	>"$sm/sendmail.cf" 2>"$sm/m4.log"; then
	echo "m4 could not build sendmail.cf:" >&2
	cat "$sm/m4.log" >&2
	exit 1
fi
E2E_N=$((E2E_N + 1))
xline="Xbogusmx, S=local:$msock, F=T, T=C:10s;S:10s;R:20s;E:5m"
if grep -qxF "$xline" "$sm/sendmail.cf" &&
	grep -qx 'O InputMailFilters=bogusmx' "$sm/sendmail.cf"; then
	echo "ok: sendmail.cf has the shipped filter: $xline"
else
	echo "FAIL: sendmail.cf lacks: $xline"
	grep -n '^X\|InputMailFilters' "$sm/sendmail.cf" | sed 's/^/    /'
	E2E_FAILS=$((E2E_FAILS + 1))
fi

# -bD: a daemon that stays in the foreground, so that its pid is ours.
unshare -m sh -c '
	mount --bind "$1/resolv.conf" /etc/resolv.conf &&
	mount --bind "$1/nsswitch.conf" /etc/nsswitch.conf &&
	mount --bind "$1/hosts" /etc/hosts &&
	exec "$2" -bD -C "$1/sendmail.cf"' sh "$sm" "$SENDMAIL" \
	>"$sm/sendmail.log" 2>&1 &
SM_PID=$!
up=false t0=$(date +%s)
# (up to 60 s: a loaded machine, sanitizers, sendmail's own start-up
# lookups of this host's names)
while [ $(($(date +%s) - t0)) -lt 60 ]; do
	if ! kill -0 "$SM_PID" 2>/dev/null; then
		wait "$SM_PID"
		echo "sendmail exited with status $? before it listened" >&2
		break
	fi
	if python3 -c "import socket; socket.create_connection(('127.0.0.1', $SMTP_PORT), 1)" 2>/dev/null; then
		up=true
		break
	fi
	sleep 0.1
done
if ! $up; then
	echo "sendmail did not start on 127.0.0.1:$SMTP_PORT within $(($(date +%s) - t0)) s:" >&2
	cat "$sm/sendmail.log" >&2
	exit 1
fi
echo "sendmail on 127.0.0.1:$SMTP_PORT (up after $(($(date +%s) - t0)) s), milter on $msock"

e2e_expect "hot.de refused at RCPT with the milter's reply" \
	'<** 554 5.7.1 <user@hot.de>: Recipient address rejected: MX host null.hot.de[127.0.0.1] is in loopback network (RFC 1122)' \
	--to user@hot.de --quit-after RCPT
e2e_expect "good domain accepted" '<-  250 2.1.5 <u@good.de>... Recipient ok' \
	--to u@good.de --quit-after RCPT
out_many() {
	e2e_expect "mixed recipients: $1" "$2" \
		--to user@hot.de,u@good.de,y@private.de,v@good.de --quit-after RCPT
}
out_many "first refused" '554 5.7.1 <user@hot.de>'
out_many "private refused" '554 5.7.1 <y@private.de>: Recipient address rejected: MX host mx.private.de[10.1.2.3] is in private network (RFC 1918)'
out_many "last good accepted" '-> RCPT TO:<v@good.de>
<-  250 2.1.5 <v@good.de>... Recipient ok'
e2e_expect "DNS failure deferred with 451" \
	'451 4.4.3 <t@servfail.de>: Recipient address rejected: Temporary DNS failure for servfail.de; try again later' \
	--to t@servfail.de --quit-after RCPT
e2e_expect "exempt domain accepted" '<-  250 2.1.5 <user@exempt.de>... Recipient ok' \
	--to user@exempt.de --quit-after RCPT
# The percent hack on this host's own name: Sendmail strips it and sends
# to hot.de; refused, the reply naming hot.de.
e2e_expect "percent hack on the local domain refused" \
	'554 5.7.1 <user%hot.de@mx.bogusmx.test>: Recipient address rejected: Routed to hot.de by the percent hack: MX host null.hot.de[127.0.0.1] is in loopback network (RFC 1122)' \
	--to 'user%hot.de@mx.bogusmx.test' --quit-after RCPT
e2e_expect "percent hack to a good domain accepted" \
	'<-  250 2.1.5 <user%good.de@mx.bogusmx.test>... Recipient ok' \
	--to 'user%good.de@mx.bogusmx.test' --quit-after RCPT
# Sendmail's local mailer: not routed by MX, so not checked.
e2e_expect "local recipient skipped" '<-  250 2.1.5 <root@mx.bogusmx.test>... Recipient ok' \
	--to root@mx.bogusmx.test --quit-after RCPT
e2e_expect "message to a good domain queued (not delivered)" \
	'Message accepted for delivery' --to user@good.de

E2E_N=$((E2E_N + 1))
if grep -q 'reject: RCPT from .*554 5.7.1 <user@hot.de>.*to=<user@hot.de> domain=hot.de mx=null.hot.de address=127.0.0.1 class=loopback' "$E2E_TMP/milter.log" &&
	grep -q 'skip.*to=<root@mx.bogusmx.test>\|to=<root@mx.bogusmx.test>.*skip' "$E2E_TMP/milter.log"; then
	echo "ok: the milter's log has the reject and the skipped local recipient"
else
	echo "FAIL: milter log"
	E2E_FAILS=$((E2E_FAILS + 1))
fi

# F=T: with the milter down, Sendmail defers; nothing is let through.
e2e_milter_stop
e2e_expect "milter down: deferred (F=T), not accepted" '451 4.3.2' \
	--to user@hot.de --quit-after RCPT
if [ "$E2E_FAILS" != 0 ]; then
	echo "--- sendmail stderr"
	cat "$sm/sendmail.log"
fi
e2e_done
