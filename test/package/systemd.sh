#!/bin/bash
# systemd.sh - etc/bogusmx.service under systemd's own tools, and its
# sandbox around the running milter where systemd runs.
#
# Usage: systemd.sh SOURCEDIR BOGUSMX-MILTER
#
# Always (systemd-analyze, no running systemd needed):
# - verify: no message at all, for the unit as shipped (ExecStart
#   pointed at the built binary) and for the test copy run below;
# - security --offline=yes: the exposure level is at most what the
#   README claims ("rates it N").
# Where systemd runs as PID 1 (/run/systemd/system), as root: a copy of
# the unit, its user and sandbox untouched, runs the built milter on a
# loopback port; it must listen there, serve as the service user
# bogusmx (made with etc/bogusmx.sysusers if missing, removed after),
# without capabilities, with no_new_privs and a seccomp filter, see /etc
# read-only and a /tmp of its own, reload on `systemctl reload`, log no
# warning, and stop.  Elsewhere that part says "skipped: systemd not
# running as PID 1".
# Exit 77 when systemd-analyze is not installed.
set -u
src=$(cd "$1" && pwd) milter=$(realpath "$2")
unit=$src/etc/bogusmx.service
. "$(dirname "$0")/../common/harness.sh"
harness_want "package systemd" systemd-analyze
tmp=$(mktemp -d)
name=bogusmx-test-$$
live=        # the directory of the running copy, once made
made_user=false # the user bogusmx was made here
cleanup() {
	if [ -n "$live" ]; then
		systemctl stop "$name.service" 2>/dev/null
		rm -f "/run/systemd/system/$name.service"
		systemctl daemon-reload 2>/dev/null
		rm -rf "$live"
	fi
	if $made_user; then
		userdel bogusmx 2>/dev/null
		groupdel bogusmx 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# tenths N.N: the number times ten (exposure levels have one decimal)
tenths() {
	if [[ "$1" =~ ^([0-9]+)(\.([0-9]))?$ ]]; then
		echo $((10#${BASH_REMATCH[1]} * 10 + 10#${BASH_REMATCH[3]:-0}))
	else
		echo 999
	fi
}

# verify FILE WHAT: systemd-analyze verify prints nothing
verify() {
	local out rc
	out=$(systemd-analyze verify --man=no "$1" 2>&1)
	rc=$?
	if [ $rc = 0 ] && [ -z "$out" ]; then
		ok "systemd-analyze verify: $2: clean"
	else
		fail "systemd-analyze verify: $2 ($rc): $out"
	fi
}

# The unit as shipped, run from the build tree.
sed "s|^ExecStart=/usr/sbin/bogusmx-milter |ExecStart=$milter |" "$unit" \
	>"$tmp/bogusmx.service"
grep -q "^ExecStart=$milter -f\$" "$tmp/bogusmx.service" ||
	fail "ExecStart is not /usr/sbin/bogusmx-milter -f"
verify "$tmp/bogusmx.service" "the unit"

# Security: no worse than the README says.
claim=$(tr '\n' ' ' <"$src/README" |
	sed -n 's/.*systemd-analyze security[^)]*rates it \([0-9]\+\(\.[0-9]\+\)\?\).*/\1/p')
out=$(systemd-analyze security --offline=yes --no-pager "$unit" 2>&1)
level=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for bogusmx.service: \([0-9.]*\).*/\1/p')
if [ -z "$claim" ]; then
	fail "README: no \"systemd-analyze security ... rates it N\" claim"
elif [ -z "$level" ]; then
	fail "systemd-analyze security: no exposure level in: $out"
elif [ "$(tenths "$level")" -le "$(tenths "$claim")" ]; then
	ok "systemd-analyze security: exposure $level <= $claim (README)"
else
	printf '%s\n' "$out" | grep '✗'
	fail "systemd-analyze security: exposure $level > $claim, the README's claim"
fi

# The copy that runs: the unit's [Service] section, its user and
# sandbox as shipped, but for the built milter, copied where the
# sandbox lets the service user execute it (PrivateTmp= hides /tmp,
# ProtectHome= /root and /home), with a configuration of its own on a
# free loopback port, and a runtime directory of its own.  Its [Unit]
# has no ordering: network-online.target can take minutes to come.
user=bogusmx
port=$(harness_port)
copy() { # DIR: the unit for a milter in DIR
	printf '[Unit]\nDescription=bogusmx sandbox test\n\n'
	sed -n '/^\[Service\]$/,/^\[Install\]$/p' "$unit" | sed -e '$d' \
		-e "s|^ExecStart=/usr/sbin/bogusmx-milter -f\$|ExecStart=$1/bogusmx-milter -f -c $1/bogusmx.conf|" \
		-e "s|^RuntimeDirectory=bogusmx\$|RuntimeDirectory=$name|"
}
copy "$tmp" >"$tmp/$name.service"
for want in "^ExecStart=$tmp/bogusmx-milter -f -c $tmp/bogusmx.conf\$" \
	"^RuntimeDirectory=$name\$" "^User=$user\$"; do
	grep -q "$want" "$tmp/$name.service" || fail "test copy lacks $want"
done
[ "$(sed -n '/^\[Service\]$/,/^\[Install\]$/p' "$unit" | sed '$d' |
	diff - "$tmp/$name.service" | grep -c '^>')" = 5 ] &&
	ok "the copy: the unit's [Service] but for ExecStart and RuntimeDirectory" ||
	fail "the copy differs from the unit's [Service] in more than those"
cp "$milter" "$tmp/bogusmx-milter"
verify "$tmp/$name.service" "the copy run under systemd"

if [ ! -d /run/systemd/system ]; then
	echo "skipped: systemd not running as PID 1: the sandbox is not run"
elif [ "$(id -u)" != 0 ]; then
	echo "skipped: not root: the sandbox is not run"
else
	if ! getent passwd "$user" >/dev/null; then
		systemd-sysusers "$src/etc/bogusmx.sysusers" && made_user=true
	fi
	# /var/lib: not hidden by the sandbox, nor mounted noexec
	live=$(mktemp -d /var/lib/bogusmx-test.XXXXXX)
	chmod 755 "$live"
	install -m 755 "$milter" "$live/bogusmx-milter"
	cat >"$live/bogusmx.conf" <<CONF
socket = "inet:$port@127.0.0.1"
user = "$user"
dns { nameservers = { "127.0.0.1:9" } }
CONF
	chmod 644 "$live/bogusmx.conf"
	copy "$live" >"/run/systemd/system/$name.service"
	journal() { journalctl --no-pager -q -o cat -u "$name.service"; }
	systemctl daemon-reload
	if ! systemctl start "$name.service"; then
		fail "systemctl start $name"
	fi
	for _ in $(seq 1 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
		sleep 0.1
	done
	pid=$(systemctl show -p MainPID --value "$name.service")
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		ok "sandboxed: listens on 127.0.0.1:$port"
	else
		fail "sandboxed: not listening on 127.0.0.1:$port"
		systemctl status --no-pager "$name.service"
		journalctl --no-pager -n 30 -u "$name.service"
	fi
	if [ -n "$pid" ] && [ "$pid" != 0 ] && [ -r "/proc/$pid/status" ]; then
		st=/proc/$pid/status
		uid=$(id -u "$user")
		got=$(sed -n 's/^Uid:[[:space:]]*//p' "$st" | tr -s '[:space:]' ' ')
		[ "$got" = "$uid $uid $uid $uid " ] &&
			ok "sandboxed: serves as $user (uid $uid)" ||
			fail "sandboxed: uids $got, want $uid"
		got=$(sed -n 's/^Cap\(Prm\|Eff\|Bnd\):[[:space:]]*//p' "$st" | tr '\n' ' ')
		[ "$got" = "0000000000000000 0000000000000000 0000000000000000 " ] &&
			ok "sandboxed: no capabilities, none to gain" ||
			fail "sandboxed: capabilities $got"
		grep -q '^NoNewPrivs:[[:space:]]*1$' "$st" &&
			ok "sandboxed: no_new_privs" || fail "sandboxed: no no_new_privs"
		grep -q '^Seccomp:[[:space:]]*2$' "$st" &&
			ok "sandboxed: seccomp filter" || fail "sandboxed: no seccomp filter"
		# In its mount namespace /etc is read-only even to root, and
		# as the service user writing fails as well.
		probe=/etc/bogusmx-sandbox-probe-$$
		out=$(nsenter -t "$pid" -m touch "$probe" 2>&1)
		if [ ! -e "$probe" ] && [[ "$out" == *"Read-only file system"* ]]; then
			ok "sandboxed: /etc is read-only"
		else
			fail "sandboxed: /etc writable: $out"
		fi
		rm -f "$probe"
		out=$(nsenter -t "$pid" -m -S "$uid" -G "$(id -g "$user")" \
			touch "$probe" 2>&1)
		[ $? != 0 ] && [ ! -e "$probe" ] &&
			ok "sandboxed: $user cannot write /etc" ||
			fail "sandboxed: $user wrote $probe"
		rm -f "$probe"
		touch "$tmp/host-only"
		nsenter -t "$pid" -m test -e "$tmp/host-only" &&
			fail "sandboxed: sees the host's /tmp" ||
			ok "sandboxed: a /tmp of its own"
		systemctl reload "$name.service"
		for _ in $(seq 1 50); do
			journal | grep -q 'reloaded configuration' && break
			sleep 0.1
		done
		journal | grep -q 'reloaded configuration' &&
			[ "$(systemctl show -p MainPID --value "$name.service")" = "$pid" ] &&
			systemctl is-active --quiet "$name.service" &&
			ok "sandboxed: systemctl reload (SIGUSR1): reloaded, still serving" ||
			{ fail "sandboxed: reload"; journal | tail -n 20; }
		# the configuration and its directory are as they should be
		if journal | grep -q ': warning: '; then
			fail "sandboxed: warnings in the log"
			journal | grep ': warning: '
		else
			ok "sandboxed: no warning in the log"
		fi
	else
		fail "sandboxed: no main process ($pid)"
		systemctl status --no-pager "$name.service"
	fi
	systemctl stop "$name.service"
	systemctl is-active --quiet "$name.service" &&
		fail "sandboxed: still active after stop" || ok "sandboxed: stops"
fi

echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
