# harness.sh - sourced by the shell tests (milter, concurrency, package,
# check): what each of them needs before its own work starts.
#
#   harness_need TOOL...      each TOOL on PATH, or "TOOL not found" on
#                             stderr and exit 1 (a test that cannot run
#                             for want of a tool the suite installs fails)
#   harness_want WHY TOOL...  each TOOL on PATH, or "SKIP: TOOL not found
#                             (WHY)" and exit 77 (optional tools)
#   harness_tmp               a temporary directory (mode 755, so that a
#                             milter running as nobody can read it) in
#                             $tmp; at exit the commands given to
#                             harness_at_exit run, the processes in
#                             $pids are killed and waited for, and $tmp
#                             is removed
#   harness_at_exit COMMAND   one more command for the exit, run first
#   harness_port [ADDRESS]    a free TCP port on ADDRESS (127.0.0.1 by
#                             default; ::1 for IPv6), printed; status 1
#                             when the address cannot be bound
#   ok TEXT / fail TEXT       "ok: TEXT" / "FAIL: TEXT"; $n counts the
#                             checks, $fails the failures
#
# Only loopback (or the address given) is ever bound.

n=0 fails=0 pids=() harness_exit=()

ok() {
	n=$((n + 1))
	echo "ok: $1"
}

fail() {
	n=$((n + 1))
	fails=$((fails + 1))
	echo "FAIL: $1"
}

harness_need() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null || {
			echo "$tool not found" >&2
			exit 1
		}
	done
}

harness_want() {
	local why=$1 tool
	shift
	for tool in "$@"; do
		command -v "$tool" >/dev/null || {
			echo "SKIP: $tool not found ($why)"
			exit 77
		}
	done
}

harness_at_exit() {
	harness_exit+=("$1")
}

harness_cleanup() {
	local c
	for c in "${harness_exit[@]}"; do
		eval "$c"
	done
	[ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null
	wait 2>/dev/null
	[ -n "${tmp:-}" ] && rm -rf "$tmp"
}

harness_tmp() {
	tmp=$(mktemp -d) || exit 1
	chmod 755 "$tmp"
	trap harness_cleanup EXIT
}

harness_port() {
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
s.bind((sys.argv[1], 0))
print(s.getsockname()[1])' "${1:-127.0.0.1}" 2>/dev/null
}
