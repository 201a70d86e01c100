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
# Where systemd runs as PID 1 (/run/systemd/system), as root, or else
# in a container booted with systemd-nspawn (see in_container): a copy of
# the unit, its user and sandbox untouched, runs the built milter on a
# unix socket in a directory made as the package's tmpfiles.d file makes
# /var/spool/postfix/bogusmx (2750 bogusmx bogusmx); it must listen
# there on a socket of mode 0660, user and group bogusmx, made without
# a chown (the seccomp filter forbids it), refuse a user outside the
# group and let a member in, serve as the service user bogusmx (made
# with etc/bogusmx.sysusers if missing, removed after), without
# capabilities, with no_new_privs and a seccomp filter, see /etc
# read-only and a /tmp of its own, reload on `systemctl reload`, log no
# warning, be running again after being killed seven times in a row
# (no start limit), and stop.  Without either it says "skipped:
# systemd not running as PID 1".
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
	declare -F power_off >/dev/null && power_off
	if [ -n "$live" ]; then
		systemctl stop "$name.service" 2>/dev/null
		systemctl reset-failed "$name.service" 2>/dev/null
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
# socket directory, and a runtime directory of its own.  Its [Unit]
# has no ordering: network-online.target can take minutes to come.
user=bogusmx
copy() { # DIR: the unit for a milter in DIR, its socket in DIR/spool
	printf '[Unit]\nDescription=bogusmx sandbox test\n'
	sed -n '/^\[Unit\]$/,/^\[Service\]$/p' "$unit" | grep '^StartLimit'
	echo
	sed -n '/^\[Service\]$/,/^\[Install\]$/p' "$unit" | sed -e '$d' \
		-e "s|^ExecStart=/usr/sbin/bogusmx-milter -f\$|ExecStart=$1/bogusmx-milter -f -c $1/bogusmx.conf|" \
		-e "s|^RuntimeDirectory=bogusmx\$|RuntimeDirectory=$name|" \
		-e "s|^ReadWritePaths=-/var/spool/postfix/bogusmx\$|ReadWritePaths=-$1/spool|"
}
copy "$tmp" >"$tmp/$name.service"
for want in "^ExecStart=$tmp/bogusmx-milter -f -c $tmp/bogusmx.conf\$" \
	"^RuntimeDirectory=$name\$" "^ReadWritePaths=-$tmp/spool\$" \
	"^StartLimitIntervalSec=0\$" "^User=$user\$"; do
	grep -q "$want" "$tmp/$name.service" || fail "test copy lacks $want"
done
[ "$(sed -n '/^\[Service\]$/,/^\[Install\]$/p' "$unit" | sed '$d' |
	diff - "$tmp/$name.service" | grep -c '^>')" = 7 ] &&
	ok "the copy: the unit's [Service] and start limit but for ExecStart, RuntimeDirectory and ReadWritePaths" ||
	fail "the copy differs from the unit in more than those"
cp "$milter" "$tmp/bogusmx-milter"
verify "$tmp/$name.service" "the copy run under systemd"

# Without systemd as PID 1 but as root, with systemd-nspawn: boot this
# machine's /usr in a container of its own (a tmpfs root, nothing of
# the host's /etc or /var; --volatile=yes; a network namespace with
# only loopback; booted to basic.target: no service of the host's
# starts), the source tree and the milter bound read-only, and run this
# script in it.  The container is
# powered off at the end (cleanup).
container='' container_init=''
in_container() {
	local dirs=(--bind-ro="$src") state='' i
	case "$milter" in
	"$src"/*) ;;
	*) dirs+=(--bind-ro="$(dirname "$milter")") ;;
	esac
	systemd-nspawn -D / --volatile=yes --boot -M "bmx-test-$$" \
		--register=no --keep-unit --console=passive --private-network \
		"${dirs[@]}" \
		-- systemd.firstboot=off systemd.unit=basic.target \
		>"$tmp/nspawn.log" 2>&1 &
	container=$!
	# its init is nspawn's child; booted when systemd says so
	for i in $(seq 1 1200); do
		kill -0 "$container" 2>/dev/null || break
		container_init=$(pgrep -P "$container" | head -n 1)
		[ -n "$container_init" ] &&
			state=$(nsenter -t "$container_init" -a systemctl is-system-running 2>/dev/null)
		case "$state" in running | degraded) break ;; esac
		sleep 0.1
	done
	case "$state" in
	running | degraded) ;;
	*)
		echo "skipped: systemd-nspawn did not boot a container ($state, $((i / 10)) s):"
		sed 's/^/    /' "$tmp/nspawn.log"
		return 0
		;;
	esac
	echo "in a container (systemd-nspawn, systemd $state as its PID 1):"
	nsenter -t "$container_init" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		BMX_IN_CONTAINER=1 "$src/test/package/systemd.sh" "$src" "$milter" \
		>"$tmp/container.out" 2>&1
	sed 's/^/    /' "$tmp/container.out"
	# its counts are ours
	if [[ "$(tail -n 1 "$tmp/container.out")" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		n=$((n + BASH_REMATCH[1] + BASH_REMATCH[2]))
		fails=$((fails + BASH_REMATCH[2]))
	else
		fail "the test in the container did not finish"
	fi
}
power_off() {
	[ -n "$container" ] || return 0
	kill -TERM "$container" 2>/dev/null # nspawn: an orderly shutdown
	for _ in $(seq 1 300); do
		kill -0 "$container" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$container" 2>/dev/null
	wait "$container" 2>/dev/null
	container=
}

if [ ! -d /run/systemd/system ] && [ "$(id -u)" = 0 ] &&
	[ -z "${BMX_IN_CONTAINER-}" ] && command -v systemd-nspawn >/dev/null; then
	in_container
	power_off
elif [ ! -d /run/systemd/system ]; then
	echo "skipped: systemd not running as PID 1 (and no systemd-nspawn): the sandbox is not run"
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
	# as the package's tmpfiles.d file makes /var/spool/postfix/bogusmx
	install -d -o "$user" -g "$user" -m 2750 "$live/spool"
	sock=$live/spool/bogusmx.sock
	cat >"$live/bogusmx.conf" <<CONF
socket = "unix:$sock"
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
	. "$src/test/common/unixconnect.sh"
	connect() { unix_connect "$sock" "$@"; }
	listening() { # wait until the socket answers
		for _ in $(seq 1 100); do
			connect >/dev/null && return 0
			sleep 0.1
		done
		return 1
	}
	listening
	pid=$(systemctl show -p MainPID --value "$name.service")
	if connect >/dev/null; then
		ok "sandboxed: listens on $sock"
	else
		fail "sandboxed: not listening on $sock"
		systemctl status --no-pager "$name.service"
		journalctl --no-pager -n 30 -u "$name.service"
	fi
	got=$(stat -c '%a %U %G' "$sock" 2>&1)
	[ "$got" = "660 $user $user" ] &&
		ok "sandboxed: socket mode 0660, user and group $user, no chown" ||
		fail "sandboxed: socket: $got"
	nogroup=$(id -gn nobody)
	out=$(connect --reuid=nobody --regid="$nogroup" --clear-groups)
	[ "$out" = "Permission denied" ] &&
		ok "sandboxed: nobody (not in group $user) cannot connect: $out" ||
		fail "sandboxed: nobody, not in group $user: '$out'"
	out=$(connect --reuid=nobody --regid="$nogroup" --groups="$(getent group "$user" | cut -d: -f3)") &&
		ok "sandboxed: nobody in group $user (as the MTA's user) connects" ||
		fail "sandboxed: a member of group $user cannot connect: $out"
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
		# Seven crashes in a row (the default start limit is five in
		# ten seconds): killed as soon as each new process listens.
		restarts0=$(systemctl show -p NRestarts --value "$name.service")
		t0=$(date +%s%N) killed=0 last=$pid
		for _ in 1 2 3 4 5 6 7; do
			kill -KILL "$last" 2>/dev/null && killed=$((killed + 1))
			for _ in $(seq 1 300); do
				now=$(systemctl show -p MainPID --value "$name.service")
				[ -n "$now" ] && [ "$now" != 0 ] && [ "$now" != "$last" ] &&
					connect >/dev/null && break
				# given up (the start limit), not to be restarted
				systemctl is-failed --quiet "$name.service" && break 2
				sleep 0.05
			done
			last=$now
		done
		ms=$((($(date +%s%N) - t0) / 1000000))
		secs=$((ms / 1000)).$((ms % 1000 / 100))
		restarts=$(systemctl show -p NRestarts --value "$name.service")
		if [ "$killed" = 7 ] &&
			[ $((restarts - restarts0)) -ge 7 ] &&
			systemctl is-active --quiet "$name.service" && connect >/dev/null; then
			ok "sandboxed: killed 7 times (in $secs s), restarted $((restarts - restarts0)) times, serving again"
		else
			fail "sandboxed: after $killed kills in $secs s: $((restarts - restarts0)) restarts, $(systemctl is-active "$name.service")"
			journal | tail -n 20
		fi
		[ "$(systemctl show -p StartLimitIntervalUSec --value "$name.service")" = 0 ] &&
			ok "sandboxed: no start limit (StartLimitIntervalUSec=0)" ||
			fail "sandboxed: a start limit: $(systemctl show -p StartLimitIntervalUSec -p StartLimitBurst "$name.service")"
	else
		fail "sandboxed: no main process ($pid)"
		systemctl status --no-pager "$name.service"
	fi
	systemctl stop "$name.service"
	systemctl reset-failed "$name.service" 2>/dev/null
	systemctl is-active --quiet "$name.service" &&
		fail "sandboxed: still active after stop" || ok "sandboxed: stops"
fi

echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
