#!/bin/bash
# run.sh - the DNS scenario corpus through real recursive resolvers.
#
# Usage: run.sh MODE BOGUSMX-CHECK SCENARIO.expect...
#
# For each scenario of test/dns that has crafted answers (NAME.data; not
# malformed and truncation, whose packets no resolver passes on), the
# answers become a root zone (data2zone.py) served by nsd on a random
# loopback port, and a real resolver recurses from it:
#
#   unbound          Unbound, plain (stub-zone "." at nsd)
#   unbound-private  Unbound with private-address for RFC 1918, loopback,
#                    link-local, ULA and IPv4-mapped space
#   dnsmasq          dnsmasq as a plain cache in front of that Unbound
#   dnsmasq-rebind   dnsmasq --stop-dns-rebind in front of it
#   dnsmasq-block    dnsmasq answering 0.0.0.0 for blocked names
#                    (--address=/NAME/0.0.0.0, as filtering services do)
#   nxrewrite        nxrewrite.py in front of it: NXDOMAIN rewritten to
#                    an address for type A, to an empty answer otherwise
#
# Every target of NAME.expect is then decided by
# bogusmx-check --resolver --json -s RESOLVER (the resolver guard on, as
# in the milter; its private canary canary.guard-test in the unbound-
# private and dnsmasq-block modes, none in the others: there the
# fingerprints and the NXDOMAIN canary alone must do).  Verdicts are
# compared with those straight from the authoritative answers (the
# .expect file):
#
#   plain modes (unbound, dnsmasq): the same verdict, except the cases
#     listed in plain.differ with the verdict they get and the reason (a
#     recursive resolver answers SERVFAIL for a CNAME loop, rotates a
#     long RRset before bogusmx cuts it);
#   filtering modes: never an accept where the authoritative answer is
#     not one (a wrong accept fails the test); deferrals are allowed and
#     counted.  In every mode, a refusal where the authoritative answer
#     accepts is mail lost, and fails the test: a name blocked with
#     0.0.0.0 (dnsmasq-block) is deferred, never refused, unless another
#     host of the domain is bogus.
#
# Also checks bogusmx-check --resolver alone: no finding through a plain
# resolver, a finding through unbound-private (its canary), nxrewrite.
# Prints one line per case that is not the same, and a summary:
# "MODE: N cases, N same, N deferred, N refused, N wrong accepts".
# Only loopback is ever queried.
set -u
mode=$1 check=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
. "$here/chain.sh"
trap 'stop_all; rm -rf "$tmp"' EXIT

# Read bogusmx-check's JSON lines on stdin: "verdict outcome why" for
# each target, in order.
verdicts='
import json, sys
for line in sys.stdin:
    try:
        j = json.loads(line)
    except ValueError:
        print("BADJSON - -")
        continue
    if "verdict" in j:
        print(j["verdict"], j["outcome"], j.get("why", "-").replace(" ", "_"))
'
plain=0
case $mode in unbound | dnsmasq) plain=1 ;; esac
total=0 same=0 deferred=0 refused=0 wrong=0 failed=0
for expect in "$@"; do
	name=$(basename "$expect" .expect)
	data=${expect%.expect}.data
	[ -f "$data" ] || continue
	# crafted packets (malformed, truncated) test the path between
	# bogusmx and its server, which no resolver passes on as they are
	case $name in malformed | truncation) continue ;; esac
	python3 "$here/data2zone.py" "$data" >"$tmp/$name.zone" || exit 1
	start_chain "$mode" "$tmp/$name.zone" || exit 1
	conf=$tmp/$name.conf
	{
		[ -f "${expect%.expect}.conf" ] && cat "${expect%.expect}.conf"
		echo "resolver-guard { private-canary = \"$CANARY\" }"
	} >"$conf"
	# the resolver by hand: what the guard says of it
	guard=$("$check" -c "$conf" --json --resolver -s "127.0.0.1:$RESOLVER_PORT")
	grc=$?
	want_grc=0
	case $mode in unbound-private | nxrewrite) want_grc=1 ;; esac
	if [ $grc != $want_grc ]; then
		echo "FAIL: $name: bogusmx-check --resolver exit $grc, want $want_grc: $guard"
		failed=$((failed + 1))
	fi
	[ "$name" = backup ] && echo "resolver guard ($mode): $guard"
	grep -v '^[[:space:]]*\(#\|$\)' "$expect" | sed 's/^xfail//' >"$tmp/cases"
	targets=()
	while IFS='|' read -r target _; do
		targets+=($target)
	done <"$tmp/cases"
	# all targets in one process: one cache, as in the milter
	"$check" -c "$conf" --json --resolver -s "127.0.0.1:$RESOLVER_PORT" \
		"${targets[@]}" 2>&1 | python3 -c "$verdicts" >"$tmp/got"
	while IFS='|' read -r target verdict outcome _ <&3 &&
		read -r gv go why <&4; do
		target=$(echo $target) verdict=$(echo $verdict)
		outcome=$(echo $outcome)
		total=$((total + 1))
		if [ "$gv" = "$verdict" ] && [ "$go" = "$outcome" ]; then
			same=$((same + 1))
			continue
		fi
		if [ "$gv" = accept ] && [ "$verdict" != accept ]; then
			wrong=$((wrong + 1))
			echo "FAIL: $name: $target: WRONG ACCEPT (want $verdict $outcome) $why"
			continue
		fi
		if [ "$gv" = reject ] && [ "$verdict" = accept ]; then
			failed=$((failed + 1))
			echo "FAIL: $name: $target: WRONG REFUSAL, mail lost ($go) $why"
			continue
		fi
		if [ $plain = 1 ] &&
			! grep -q "^$target $gv " "$here/plain.differ"; then
			failed=$((failed + 1))
			echo "FAIL: $name: $target: $gv $go, want $verdict $outcome ($why)"
			continue
		fi
		if [ "$gv" = tempfail ]; then
			deferred=$((deferred + 1))
			echo "deferred: $name: $target (want $verdict $outcome): $why"
		elif [ "$gv" = reject ]; then
			refused=$((refused + 1))
			echo "refused: $name: $target: $go (want $verdict $outcome) $why"
		else
			failed=$((failed + 1))
			echo "FAIL: $name: $target: $gv $go, want $verdict $outcome ($why)"
		fi
	done 3<"$tmp/cases" 4<"$tmp/got"
	[ "$(wc -l <"$tmp/got")" = "${#targets[@]}" ] || {
		echo "FAIL: $name: ${#targets[@]} targets, $(wc -l <"$tmp/got") verdicts"
		failed=$((failed + 1))
	}
	stop_all
done
echo "$mode: $total cases, $same same, $deferred deferred, $refused refused, $wrong wrong accepts, $failed failures"
[ $wrong = 0 ] && [ $failed = 0 ] && [ $total -gt 0 ]
