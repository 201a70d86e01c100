#!/bin/bash
# install.sh - the .deb on this machine: install, use, upgrade over an
# edited configuration, remove, purge, and nothing left behind.  Used
# as the unit runs it, the daemon listens on the packaged default
# socket, which a local user outside the group bogusmx cannot reach and
# the MTA's user (postfix, put in the group by the package) can.
#
# Usage: install.sh DEB VERSION
#
# What purge leaves, the Debian way: nothing but the system account
# bogusmx, locked (expired) since the remove; it is never deleted by the
# package, so that its uid is not handed to another package while files
# may still carry it.  This test deletes the account again when it made
# it, and purges the package whatever happens (trap): the machine ends
# as it was.  Exit 77 when not root, or when a package bogusmx or
# /etc/bogusmx is already there (not ours to touch).
set -u
deb=$1 version=$2
. "$(dirname "$0")/../common/harness.sh"
skip() {
	echo "SKIP: $*"
	exit 77
}
[ "$(id -u)" = 0 ] || skip "installing a package needs root"
for tool in dpkg dpkg-query getent setpriv python3 userdel gpasswd; do
	command -v $tool >/dev/null || skip "$tool not found"
done
[ -f "$deb" ] || {
	echo "FAIL: no $deb (package_build)"
	exit 1
}
pkg_state() {
	dpkg-query -W -f='${db:Status-Status}' bogusmx 2>/dev/null
}
case "$(pkg_state)" in
"" | not-installed) ;;
*) skip "a package bogusmx is on this machine ($(pkg_state))" ;;
esac
[ -e /etc/bogusmx ] && skip "/etc/bogusmx exists"
user_before=false group_before=false spool_before=false
getent passwd bogusmx >/dev/null && user_before=true
getent group bogusmx >/dev/null && group_before=true
[ -d /var/spool/postfix ] && spool_before=true
# the MTA's user this machine has (the package puts it in the group)
mta=
for u in postfix smmsp; do
	getent passwd $u >/dev/null && mta=$u && break
done
mta_groups=
[ -n "$mta" ] && mta_groups=$(id -nG "$mta")

tmp=$(mktemp -d)
chmod 755 "$tmp"
daemon='' mpid=''
cleanup() {
	[ -n "$mpid" ] && kill "$mpid" 2>/dev/null
	[ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
	case "$(pkg_state)" in
	"" | not-installed) ;;
	*)
		echo "cleanup: purging bogusmx"
		dpkg --purge bogusmx >/dev/null 2>&1
		;;
	esac
	$user_before || ! getent passwd bogusmx >/dev/null ||
		userdel bogusmx >/dev/null 2>&1
	$group_before || ! getent group bogusmx >/dev/null ||
		groupdel bogusmx >/dev/null 2>&1
	# the MTA's user in group bogusmx only if it was before
	if [ -n "$mta" ] && [[ " $mta_groups " != *" bogusmx "* ]] &&
		getent group bogusmx >/dev/null; then
		gpasswd -d "$mta" bogusmx >/dev/null 2>&1
	fi
	$spool_before || rm -rf /var/spool/postfix/bogusmx
	$spool_before || rmdir /var/spool/postfix 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP # cleanup runs on the way out

# dpkg, waiting for a lock another dpkg/apt may hold
run_dpkg() {
	local out rc
	for _ in $(seq 1 30); do
		out=$(dpkg "$@" </dev/null 2>&1)
		rc=$?
		[[ $rc != 0 && "$out" == *"lock"* ]] || break
		sleep 2
	done
	printf '%s\n' "$out" >"$tmp/dpkg.out"
	return $rc
}

# Everything a package could leave: the file tree of /etc, /usr and
# systemd's state, minus the account files' backups and /etc/netns
# (network namespaces that other programs, benchmarks say, come and go).
snapshot() {
	find /etc /usr /var/lib/systemd -xdev 2>/dev/null |
		grep -vxE '/etc/(passwd|group|shadow|gshadow|subuid|subgid)-|/etc/netns(/.*)?' |
		sort
}
snapshot >"$tmp/before"

# install
if run_dpkg -i "$deb"; then
	ok "dpkg -i $(basename "$deb")"
else
	cat "$tmp/dpkg.out"
	fail "dpkg -i failed"
	exit 1
fi
[ "$(pkg_state)" = installed ] && ok "state installed" ||
	fail "state: $(pkg_state)"
out=$(/usr/sbin/bogusmx-milter -n 2>&1)
[ $? = 0 ] && [ "$out" = "/etc/bogusmx/bogusmx.conf: ok" ] &&
	ok "/usr/sbin/bogusmx-milter -n: $out" || fail "bogusmx-milter -n: $out"
out=$(/usr/bin/bogusmx-check --version 2>&1)
[ $? = 0 ] && [[ "$out" == *"$version"* ]] &&
	ok "/usr/bin/bogusmx-check --version: $out" ||
	fail "bogusmx-check --version: $out"
out=$(/usr/sbin/bogusmx-ctl --version 2>&1)
[ $? = 0 ] && [[ "$out" == "bogusmx-ctl $version,"* ]] &&
	ok "/usr/sbin/bogusmx-ctl --version: $out" ||
	fail "bogusmx-ctl --version: $out"
out=$(/usr/sbin/bogusmx-milter -V 2>&1)
[[ "$out" == "bogusmx-milter $version,"* ]] && ok "bogusmx-milter -V: $out" ||
	fail "bogusmx-milter -V: $out"
pw=$(getent passwd bogusmx)
IFS=: read -r _ _ uid gid _ home shell <<<"$pw"
if [ -n "$pw" ] && [ "$uid" -lt 1000 ] && [ "$home" = /nonexistent ] &&
	[ "$shell" = /usr/sbin/nologin ] &&
	[ "$(getent group bogusmx | cut -d: -f3)" = "$gid" ]; then
	ok "system user and group bogusmx: $pw"
else
	fail "user bogusmx: '$pw'"
fi
conffiles=$(dpkg-query -W -f='${Conffiles}' bogusmx)
[[ "$conffiles" == *"/etc/bogusmx/bogusmx.conf "* ]] &&
	[[ "$conffiles" == *"/etc/mail/m4/bogusmx.m4 "* ]] &&
	ok "conffiles: bogusmx.conf, bogusmx.m4" || fail "conffiles: $conffiles"
unitfile=$(dpkg -L bogusmx | grep '/systemd/system/bogusmx.service$')
link=/etc/systemd/system/multi-user.target.wants/bogusmx.service
[ -L "$link" ] && ok "service enabled: $link -> $(readlink "$link")" ||
	fail "service not enabled ($link)"
if command -v systemd-analyze >/dev/null; then
	out=$(systemd-analyze verify "$unitfile" 2>&1)
	[ $? = 0 ] && [ -z "$out" ] &&
		ok "systemd-analyze verify $unitfile: clean (binary, kill, man pages)" ||
		fail "systemd-analyze verify: $out"
fi

# The socket's directory and the MTA's user, as the package set them.
spool=/var/spool/postfix/bogusmx
got=$(stat -c '%a %U %G' "$spool" 2>&1)
[ "$got" = "2750 bogusmx bogusmx" ] &&
	ok "$spool: mode 2750, user and group bogusmx" || fail "$spool: $got"
if [ -n "$mta" ]; then
	[[ " $(id -nG "$mta") " == *" bogusmx "* ]] &&
		ok "the MTA's user $mta is in group bogusmx" ||
		fail "$mta is not in group bogusmx: $(id -nG "$mta")"
else
	echo "no postfix or smmsp user here: group membership not checked"
fi

# The daemon from /usr: as the unit runs it (already the user bogusmx,
# UMask=0007, -f) on the packaged default socket, made without a chown
# (the unit's system call filter forbids one), reloading on SIGUSR1 as
# ExecReload does; and started as root, dropping to bogusmx.
wait_log() { # file pattern
	local _
	for _ in $(seq 1 50); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
. "$(dirname "$0")/../common/unixconnect.sh"
sock=$spool/bogusmx.sock
trace=()
command -v strace >/dev/null &&
	trace=(strace -f -qq -o "$tmp/strace" -e 'trace=/chown')
(umask 0007 && exec "${trace[@]}" setpriv --reuid=bogusmx --regid=bogusmx \
	--init-groups /usr/sbin/bogusmx-milter -f) >"$tmp/unit.log" 2>&1 &
daemon=$!
if wait_log "$tmp/unit.log" "listening on unix:$sock as uid $uid"; then
	# under strace the milter is strace's child: signals go to it
	[ ${#trace[@]} -gt 0 ] && mpid=$(pgrep -P "$daemon" -x bogusmx-milter) ||
		mpid=$daemon
	ok "runs as bogusmx from the start (User=bogusmx), on unix:$sock"
	got=$(stat -c '%a %U %G' "$sock" 2>&1)
	[ "$got" = "660 bogusmx bogusmx" ] &&
		ok "socket mode 0660, user and group bogusmx" || fail "socket: $got"
	if [ ${#trace[@]} -gt 0 ]; then
		calls=$(grep -c chown "$tmp/strace")
		[ "$calls" = 0 ] && ok "socket made without a chown (strace)" ||
			fail "chown called: $(grep chown "$tmp/strace")"
	else
		echo "strace not found: the absence of chown not checked"
	fi
	out=$(unix_connect "$sock" --reuid=nobody --regid="$(id -gn nobody)" --clear-groups)
	[ "$out" = "Permission denied" ] &&
		ok "a local user (nobody) cannot connect: $out" ||
		fail "nobody connecting to $sock: '$out'"
	if [ -n "$mta" ]; then
		out=$(unix_connect "$sock" --reuid="$mta" --regid="$(id -gn "$mta")" --init-groups) &&
			ok "the MTA's user $mta connects" ||
			fail "$mta cannot connect: $out"
	fi
	grep -q 'warning' "$tmp/unit.log" &&
		fail "warnings: $(grep warning "$tmp/unit.log")" ||
		ok "no warning in the log"
	kill -USR1 "$mpid"
	wait_log "$tmp/unit.log" "reloaded configuration /etc/bogusmx/bogusmx.conf" &&
		ok "SIGUSR1 reloads /etc/bogusmx/bogusmx.conf" ||
		fail "no reload: $(cat "$tmp/unit.log")"
else
	fail "as bogusmx: $(cat "$tmp/unit.log")"
fi
kill -TERM "${mpid:-$daemon}"
wait $daemon
rc=$?
daemon='' mpid=''
[ $rc = 0 ] && ok "SIGTERM: exit 0" || fail "SIGTERM: exit $rc"
p=$(harness_port)
/usr/sbin/bogusmx-milter -f -p "inet:$p@127.0.0.1" >"$tmp/root.log" 2>&1 &
daemon=$!
wait_log "$tmp/root.log" "listening on inet:$p@127.0.0.1 as uid $uid" &&
	ok "started as root: drops to bogusmx" ||
	fail "as root: $(cat "$tmp/root.log")"
kill -KILL $daemon # a clean stop was seen above; libmilter takes seconds
wait $daemon 2>/dev/null
daemon=

# upgrade (here: reinstall) keeps an edited configuration, and an
# account the admin locked stays locked
echo '# local edit, kept by upgrades' >>/etc/bogusmx/bogusmx.conf
usermod --expiredate 1 bogusmx
if run_dpkg -i "$deb"; then
	ok "dpkg -i again over the installed package"
else
	cat "$tmp/dpkg.out"
	fail "dpkg -i (reinstall) failed"
fi
[ "$(getent shadow bogusmx | cut -d: -f8)" = 1 ] &&
	ok "an account bogusmx locked by the admin stays locked over a reinstall" ||
	fail "reinstall unlocked the account: $(getent shadow bogusmx)"
usermod --expiredate '' bogusmx
grep -q '^# local edit, kept by upgrades$' /etc/bogusmx/bogusmx.conf &&
	ok "edited /etc/bogusmx/bogusmx.conf kept" ||
	fail "edited configuration replaced"

# remove: programs go, configuration stays, service masked, user locked
run_dpkg -r bogusmx || {
	cat "$tmp/dpkg.out"
	fail "dpkg -r failed"
}
[ "$(pkg_state)" = config-files ] && [ ! -e /usr/sbin/bogusmx-milter ] &&
	[ -f /etc/bogusmx/bogusmx.conf ] &&
	ok "dpkg -r: programs gone, configuration kept" ||
	fail "after dpkg -r: state $(pkg_state)"
[ "$(readlink /etc/systemd/system/bogusmx.service)" = /dev/null ] &&
	ok "dpkg -r: service masked" || fail "dpkg -r: service not masked"
[ "$(getent shadow bogusmx | cut -d: -f8)" = 1 ] &&
	ok "dpkg -r: account bogusmx locked (expired)" ||
	fail "dpkg -r: account not locked: $(getent shadow bogusmx)"

# purge: nothing left but the locked account
run_dpkg -P bogusmx || {
	cat "$tmp/dpkg.out"
	fail "dpkg -P failed"
}
case "$(pkg_state)" in
"" | not-installed) ok "dpkg -P: package gone" ;;
*) fail "after dpkg -P: state $(pkg_state)" ;;
esac
left=$(ls -d /etc/bogusmx /etc/mail/m4/bogusmx.m4 /run/bogusmx \
	/var/spool/postfix/bogusmx \
	/etc/systemd/system/bogusmx.service \
	/var/lib/systemd/deb-systemd-helper-*/*bogusmx* \
	/var/lib/systemd/deb-systemd-helper-*/*/*bogusmx* \
	/var/lib/dpkg/info/bogusmx.* 2>/dev/null)
[ -z "$left" ] && ok "dpkg -P: no configuration, state or runtime files left" ||
	fail "dpkg -P left: $left"
snapshot >"$tmp/after"
if cmp -s "$tmp/before" "$tmp/after"; then
	ok "dpkg -P: /etc, /usr, /var/lib/systemd as before the install"
else
	fail "dpkg -P: the file tree differs from before the install:"
	diff "$tmp/before" "$tmp/after" | sed 's/^/    /'
fi
getent passwd bogusmx >/dev/null &&
	[ "$(getent shadow bogusmx | cut -d: -f8)" = 1 ] &&
	ok "dpkg -P: account bogusmx kept, locked (removed by this test)" ||
	fail "dpkg -P: account: $(getent passwd bogusmx)"

# the machine as it was
cleanup
trap - EXIT
if ! $user_before && getent passwd bogusmx >/dev/null; then
	fail "the account bogusmx is still there"
fi
echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
