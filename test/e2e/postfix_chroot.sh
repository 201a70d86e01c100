#!/bin/bash
# postfix_chroot.sh - end to end through a Postfix whose smtpd is
# chrooted in its queue directory, as Debian runs it, with the milter on
# the packaged socket path inside the chroot.
#
# Usage: postfix_chroot.sh BOGUSMX-MILTER TESTDIR
#
# As the package sets it up, with the queue directory in place of
# /var/spool/postfix: the directory QUEUE/bogusmx (mode 2750, the
# milter's user and group), the milter started as the unit starts it
# (already its user, the group its primary group, umask 0007: no
# chown), a group of its own (made here, removed after) that the
# postfix user is put in, and Postfix's
#   smtpd_milters = unix:/bogusmx/bogusmx.sock
# named relative to the chroot.  The chrooted smtpd reaches the milter
# (hot.de refused, a good domain accepted), a local user outside the
# group cannot connect, and with the milter down Postfix defers.
set -u
BOGUSMX_MILTER=$1 dir=$2
. "$dir/lib.sh"
e2e_init
for tool in setpriv groupadd groupdel gpasswd; do
	command -v $tool >/dev/null || {
		echo "SKIP: $tool not found"
		exit 77
	}
done
e2e_dns "$dir/../milter/milter.data"

# The milter's group, and the MTA's user in it.
grp=bmxe2e$$
groupadd --system "$grp" || exit 1
chroot_cleanup() {
	e2e_cleanup
	groupdel "$grp" 2>/dev/null
}
trap chroot_cleanup EXIT
gpasswd -a postfix "$grp" >/dev/null || exit 1

# The queue directory is the chroot; the socket's directory in it.
queue=$E2E_TMP/postfix/queue
spool=$queue/bogusmx
sock=$spool/bogusmx.sock
mkdir -p "$queue"
install -d -o nobody -g "$grp" -m 2750 "$spool"
# what a chrooted smtpd reads (Debian copies these into the chroot)
mkdir -p "$queue/etc"
for f in localtime services resolv.conf hosts host.conf nsswitch.conf; do
	[ -e "/etc/$f" ] && cp -L "/etc/$f" "$queue/etc/$f"
done

conf=$E2E_TMP/bogusmx.conf
cat >"$conf" <<CONF
socket = "unix:$sock"
user = "nobody"
dns { nameservers = { "127.0.0.1:$DNS_PORT" }
      timeout-ms = 500  attempts = 2  deadline-ms = 3000 }
CONF
chmod 644 "$conf"
e2e_milter_start "$conf" bash -c 'umask 0007 && exec "$@"' umask \
	setpriv --reuid=nobody --regid="$grp" --clear-groups

E2E_N=$((E2E_N + 1))
got=$(stat -c '%a %U %G' "$sock" 2>&1)
if [ "$got" = "660 nobody $grp" ]; then
	echo "ok: $sock: mode 0660, user nobody, group $grp"
else
	echo "FAIL: $sock: $got"
	E2E_FAILS=$((E2E_FAILS + 1))
fi

E2E_CHROOT=y E2E_SMTPD_MILTERS=unix:/bogusmx/bogusmx.sock e2e_postfix
E2E_N=$((E2E_N + 1))
if grep -q "^127.0.0.1:$SMTP_PORT inet n - y - - smtpd\$" "$E2E_PF/master.cf" &&
	[ "$(postconf -c "$E2E_PF" -h smtpd_milters)" = unix:/bogusmx/bogusmx.sock ]; then
	echo "ok: smtpd chrooted in $queue, smtpd_milters = unix:/bogusmx/bogusmx.sock"
else
	echo "FAIL: Postfix is not set up as meant"
	E2E_FAILS=$((E2E_FAILS + 1))
fi

e2e_expect "chrooted smtpd: hot.de refused at RCPT" \
	'554 5.7.1 <user@hot.de>: Recipient address rejected: MX host null.hot.de[127.0.0.1] is in loopback network (RFC 1122)' \
	--to user@hot.de --quit-after RCPT
e2e_expect "chrooted smtpd: good domain accepted" '<-  250 2.1.5 Ok' \
	--to user@good.de --quit-after RCPT
# the smtpd that answered (it waits for the next client) is chrooted
E2E_N=$((E2E_N + 1))
master=$(head -n 1 "$queue/pid/master.pid" 2>/dev/null | tr -d ' ')
roots=$(for p in $(pgrep -P "${master:-0}" -x smtpd); do
	readlink "/proc/$p/root"
done | sort -u)
if [ -n "$roots" ] && [ "$roots" = "$queue" ]; then
	echo "ok: smtpd (child of master $master) runs with its root in $roots"
else
	echo "FAIL: smtpd's root: '$roots', want $queue"
	E2E_FAILS=$((E2E_FAILS + 1))
fi
e2e_expect "chrooted smtpd: message to a good domain queued" \
	'<-  250 2.0.0 Ok: queued' --to user@good.de
E2E_N=$((E2E_N + 1))
if grep -q 'milter-reject: RCPT from .*554 5.7.1 <user@hot.de>' "$E2E_PF/maillog" &&
	! grep -q 'warning:.*milter' "$E2E_PF/maillog"; then
	echo "ok: Postfix's log: milter-reject, no milter warning"
else
	echo "FAIL: Postfix's log"
	grep 'milter' "$E2E_PF/maillog" | head -n 5 | sed 's/^/    /'
	E2E_FAILS=$((E2E_FAILS + 1))
fi

# A local user outside the group: refused by the directory's mode.
E2E_N=$((E2E_N + 1))
. "$dir/../common/unixconnect.sh"
out=$(unix_connect "$sock" --reuid=daemon --regid="$(id -gn daemon)" --clear-groups)
if [ "$out" = "Permission denied" ]; then
	echo "ok: a local user outside group $grp (daemon) cannot connect: $out"
else
	echo "FAIL: daemon connecting to $sock: '$out'"
	E2E_FAILS=$((E2E_FAILS + 1))
fi

# Milter down: deferred, never accepted.
e2e_milter_stop
e2e_expect "milter down: deferred, not accepted" '451 4.7.1' \
	--to user@hot.de --quit-after RCPT
e2e_done
