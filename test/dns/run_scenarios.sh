#!/bin/bash
# run_scenarios.sh - DNS scenarios against a real DNS server on loopback.
#
# Usage: run_scenarios.sh BOGUSMX-CHECK SCENARIO.data SCENARIO.expect
#
# Starts ldns-testns on a random port with SCENARIO.data (its entries are
# the crafted answers), then runs bogusmx-check --json -s 127.0.0.1:PORT
# for every line of SCENARIO.expect and compares the result.  Each line
# of the .expect file is, separated by '|':
#
#   target | verdict | outcome | class | text the reply must contain
#
# (the last field may be empty; '#' lines and blank lines are skipped).
# Only loopback is ever queried.  Prints "N passed, N failed".
set -u
check=$1 data=$2 expect=$3
command -v ldns-testns >/dev/null || {
	echo "ldns-testns not found: install ldnsutils" >&2
	exit 1
}
command -v python3 >/dev/null || {
	echo "python3 not found" >&2
	exit 1
}
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
ldns-testns -r "$data" >"$tmp/testns.log" 2>&1 &
pid=$!
port=
for _ in $(seq 1 50); do
	port=$(sed -n 's/.*Listening on port \([0-9]*\).*/\1/p' "$tmp/testns.log" | head -n 1)
	[ -n "$port" ] && break
	sleep 0.1
done
if [ -z "$port" ]; then
	echo "ldns-testns did not start:" >&2
	cat "$tmp/testns.log" >&2
	exit 1
fi
pass=0 fail=0
while IFS= read -r line || [ -n "$line" ]; do
	case "$line" in '' | '#'*) continue ;; esac
	IFS='|' read -r target verdict outcome class text <<<"$line"
	trim() { local v=$1; v=${v#"${v%%[![:space:]]*}"}; echo "${v%"${v##*[![:space:]]}"}"; }
	target=$(trim "$target") verdict=$(trim "$verdict")
	outcome=$(trim "$outcome") class=$(trim "$class") text=$(trim "$text")
	out=$("$check" --json -s "127.0.0.1:$port" "$target" 2>&1)
	rc=$?
	got=$(printf '%s\n' "$out" | python3 -c '
import json, sys
try:
    j = json.loads(sys.stdin.readline())
except Exception as e:
    print("BADJSON"); sys.exit(0)
print(j.get("verdict"), j.get("outcome"), j.get("class"), sep="|", end="|")
print(j.get("reply", ""))')
	IFS='|' read -r gv go gc gr <<<"$got"
	want_rc=0
	[ "$verdict" = reject ] && want_rc=1
	[ "$verdict" = tempfail ] && want_rc=2
	if [ "$gv" = "$verdict" ] && [ "$go" = "$outcome" ] &&
		[ "$gc" = "$class" ] && [ "$rc" = "$want_rc" ] &&
		[[ "$gr" == *"$text"* ]]; then
		pass=$((pass + 1))
		echo "ok: $target: $gv $go $gc"
	else
		fail=$((fail + 1))
		echo "FAIL: $target"
		echo "  want: $verdict $outcome $class (exit $want_rc) reply containing: $text"
		echo "  got:  $gv $go $gc (exit $rc) reply: $gr"
		echo "  output: $out"
	fi
done <"$expect"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
