# deps.sh - sourced by scripts/run and scripts/test: install what is missing.
# bmx_need PACKAGE... installs the Debian packages that are not installed.

bmx_sudo() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		echo "$0: need root (or sudo) to run: $*" >&2
		return 1
	fi
}

bmx_need() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} = 0 ] && return 0
	echo "$0: installing ${missing[*]}"
	bmx_sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
		bmx_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends "${missing[@]}"
}

BMX_BUILD_DEPS=(build-essential cmake pkgconf libmilter-dev libldns-dev
	libconfuse-dev libidn2-dev libmicrohttpd-dev libsystemd-dev)
BMX_TEST_DEPS=(libcmocka-dev clang-format postfix python3 ldnsutils miltertest swaks
	mandoc clang libclang-rt-14-dev strace)
# packaging tests (rpmbuild, lintian, systemd-analyze, dpkg -i of the
# .deb) and the Sendmail end-to-end test, which fetches sendmail itself
# with apt-get download (sendmail-bin conflicts with postfix): m4 builds
# its sendmail.cf, libwrap0 is a library the binary needs; rpmlint
# checks the .rpm, strace shows that the packaged daemon makes its
# socket without a chown, systemd-container boots systemd in a
# container where it is not PID 1, for the unit's sandbox and restarts.
BMX_TEST_DEPS+=(rpm lintian systemd adduser m4 libwrap0 rpmlint strace
	systemd-container)
# the metrics test (milter_ops) scrapes with a real Prometheus, started
# by the test itself on loopback; promtool comes with it.  Its packaged
# service is not needed (systemctl disable --now prometheus).
BMX_TEST_DEPS+=(prometheus)
# the resolver tests (test/resolvers): an authoritative server for the
# test root zone, and the recursive resolvers bogusmx is tested behind
# (the tests start their own on loopback; the packaged services are not
# used).
BMX_TEST_DEPS+=(nsd unbound dnsmasq-base)
