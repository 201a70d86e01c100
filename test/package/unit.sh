#!/bin/bash
# unit.sh - etc/bogusmx.service, bogusmx.sysusers, bogusmx.tmpfiles.
#
# Usage: unit.sh SOURCEDIR BOGUSMX-MILTER
#
# - systemd-analyze verify: no message at all (the unit's ExecStart
#   pointed at the built binary; the manual pages are checked once the
#   package is installed, by install.sh);
# - systemd-analyze security --offline=yes: exposure at most 2.0;
# - the unit runs the daemon in the foreground, as bogusmx, reloads
#   with SIGUSR1;
# - systemd-sysusers and systemd-tmpfiles apply the two files to a
#   scratch root: user and group bogusmx, /run/bogusmx 0750 bogusmx.
# Exit 77 when systemd-analyze is not installed.
set -u
src=$(cd "$1" && pwd) milter=$(realpath "$2")
unit=$src/etc/bogusmx.service
command -v systemd-analyze >/dev/null || {
	echo "SKIP: systemd-analyze not found (package systemd)"
	exit 77
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 n=0
ok() { n=$((n + 1)); echo "ok: $1"; }
fail() { n=$((n + 1)); fails=$((fails + 1)); echo "FAIL: $1"; }

# verify
sed "s|^ExecStart=/usr/sbin/bogusmx-milter |ExecStart=$milter |" "$unit" \
	>"$tmp/bogusmx.service"
grep -q "^ExecStart=$milter -f\$" "$tmp/bogusmx.service" ||
	fail "ExecStart is not /usr/sbin/bogusmx-milter -f"
out=$(systemd-analyze verify --man=no "$tmp/bogusmx.service" 2>&1)
rc=$?
if [ $rc = 0 ] && [ -z "$out" ]; then
	ok "systemd-analyze verify: clean"
else
	fail "systemd-analyze verify ($rc): $out"
fi

# security
out=$(systemd-analyze security --offline=yes --no-pager "$unit" 2>&1)
level=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for bogusmx.service: \([0-9.]*\).*/\1/p')
if [ -z "$level" ]; then
	fail "systemd-analyze security: no exposure level in: $out"
elif awk -v l="$level" 'BEGIN { exit !(l <= 2.0) }'; then
	ok "systemd-analyze security: exposure $level <= 2.0"
else
	printf '%s\n' "$out" | grep '✗'
	fail "systemd-analyze security: exposure $level > 2.0"
fi

# what the unit must say
for want in '^Type=simple$' '^ExecStart=/usr/sbin/bogusmx-milter -f$' \
	'^ExecReload=/bin/kill -USR1 \$MAINPID$' '^User=bogusmx$' \
	'^RuntimeDirectory=bogusmx$' '^UMask=0007$' '^NoNewPrivileges=yes$' \
	'^CapabilityBoundingSet=$' '^ProtectSystem=strict$' \
	'^WantedBy=multi-user.target$'; do
	grep -q "$want" "$unit" && ok "unit has $want" ||
		fail "unit lacks $want"
done

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
else
	echo "systemd-sysusers or systemd-tmpfiles not found: not checked"
fi

echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
