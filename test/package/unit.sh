#!/bin/bash
# unit.sh - etc/bogusmx.service, bogusmx.sysusers, bogusmx.tmpfiles.
#
# Usage: unit.sh SOURCEDIR
#
# - the unit runs the daemon in the foreground, as bogusmx, reloads
#   with SIGUSR1, may write the default socket's directory, and
#   restarts it after every crash: no start limit, a short delay;
# - systemd-sysusers and systemd-tmpfiles apply the two files to a
#   scratch root: user and group bogusmx, /run/bogusmx 0750 bogusmx,
#   /var/spool/postfix/bogusmx 2750 bogusmx bogusmx.
# systemd-analyze verify and security, and the sandbox at work, are
# systemd.sh's (package_systemd).
# Exit 77 when systemd-analyze is not installed.
set -u
src=$(cd "$1" && pwd)
unit=$src/etc/bogusmx.service
. "$(dirname "$0")/../common/harness.sh"
harness_want "package systemd" systemd-analyze
harness_tmp

# what the unit must say
for want in '^Type=notify$' '^NotifyAccess=main$' '^ExecStart=/usr/sbin/bogusmx-milter -f$' \
	'^ExecReload=/bin/kill -USR1 \$MAINPID$' '^User=bogusmx$' \
	'^RuntimeDirectory=bogusmx$' '^UMask=0007$' '^NoNewPrivileges=yes$' \
	'^CapabilityBoundingSet=$' '^ProtectSystem=strict$' \
	'^ReadWritePaths=-/var/spool/postfix/bogusmx$' \
	'^Restart=on-failure$' '^RestartSec=1s$' '^StartLimitIntervalSec=0$' \
	'^RestartPreventExitStatus=64 78$' '^WantedBy=multi-user.target$'; do
	grep -q "$want" "$unit" && ok "unit has $want" ||
		fail "unit lacks $want"
done

# the start limit is a [Unit] setting: in [Service] it would be ignored
sed -n '/^\[Unit\]$/,/^\[Service\]$/p' "$unit" | grep -q '^StartLimitIntervalSec=0$' &&
	ok "StartLimitIntervalSec=0 in [Unit]" ||
	fail "StartLimitIntervalSec=0 is not in [Unit]"

# sysusers.d and tmpfiles.d, applied to a scratch root
mkdir -p "$tmp/root/etc"
if command -v systemd-sysusers >/dev/null &&
	command -v systemd-tmpfiles >/dev/null; then
	out=$(systemd-sysusers --root="$tmp/root" "$src/etc/bogusmx.sysusers" 2>&1)
	pw=$(grep '^bogusmx:' "$tmp/root/etc/passwd")
	gr=$(grep '^bogusmx:' "$tmp/root/etc/group")
	if [[ "$pw" == bogusmx:x:*:*:*:/nonexistent:/usr/sbin/nologin ]] &&
		[ -n "$gr" ]; then
		ok "sysusers.d: user and group bogusmx ($pw)"
	else
		fail "sysusers.d: $out / $pw / $gr"
	fi
	out=$(systemd-tmpfiles --root="$tmp/root" --create "$src/etc/bogusmx.tmpfiles" 2>&1)
	uid=$(echo "$pw" | cut -d: -f3)
	got=$(stat -c '%a %u' "$tmp/root/run/bogusmx" 2>&1)
	[ "$got" = "750 $uid" ] && ok "tmpfiles.d: /run/bogusmx 0750 bogusmx" ||
		fail "tmpfiles.d: $out / $got"
	gid=$(echo "$gr" | cut -d: -f3)
	got=$(stat -c '%a %u %g' "$tmp/root/var/spool/postfix/bogusmx" 2>&1)
	[ "$got" = "2750 $uid $gid" ] &&
		ok "tmpfiles.d: /var/spool/postfix/bogusmx 2750 bogusmx bogusmx" ||
		fail "tmpfiles.d: /var/spool/postfix/bogusmx: $out / $got"
else
	echo "systemd-sysusers or systemd-tmpfiles not found: not checked"
fi

echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
