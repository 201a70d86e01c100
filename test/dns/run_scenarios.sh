#!/bin/bash
# run_scenarios.sh - DNS scenarios against a real DNS server on loopback.
#
# Usage: run_scenarios.sh BOGUSMX-CHECK SCENARIO.data SCENARIO.expect
#
# Starts a DNS server on a random loopback port, then runs
# bogusmx-check --json -s 127.0.0.1:PORT for every line of
# SCENARIO.expect and compares the result.  The server is:
#
#   ldns-testns -r SCENARIO.data   when SCENARIO.data exists (its entries
#                                  are the crafted answers);
#   fakens.py SCENARIO.fakens      otherwise, when SCENARIO.fakens exists
#                                  next to SCENARIO.expect: for packets
#                                  ldns-testns cannot send (garbage, a
#                                  wrong-ID answer racing the right one,
#                                  an answer from another port).
#
# Each line of the .expect file is, separated by '|':
#
#   target | verdict | outcome | class | text the reply must contain | checks
#
# The text may be empty.  checks (optional) are space-separated tests of
# other fields of the JSON object, a path of keys and list indexes joined
# by dots:
#
#   path=VALUE    equal (VALUE as JSON: true, 3, "x"; bare words are text)
#   path~TEXT     the value, as text, contains TEXT
#   path!~TEXT    the value, as text, does not contain TEXT
#   path#=N       the list or object has N elements
#   !path         the key is absent
#
# e.g. "mx.1.error~nxdomain implicit_mx=true limits.mx=true !reply".
# Checks cannot contain spaces or '|'.  One more check is of the server
# (fakens.py only):
#
#   @queries=N    the server got N queries during this case
#
# target may be several targets separated by spaces: one bogusmx-check
# run checks them in order, with one cache (as the milter keeps it), and
# the verdict, outcome, class, reply and checks are the last one's (the
# exit status is bogusmx-check's for all of them).
#
# A line that starts with "xfail" (then the fields as above) pins what
# HACKING (section 3) asks for where the engine is known to get it wrong (the
# comment above it says where): it is reported as "xfail" while it
# fails, and as a failure once it passes, so the mark is removed when
# the bug is fixed.
#
# bogusmx-check reads SCENARIO.conf (next to SCENARIO.expect) when there
# is one, and an empty configuration (the built-in defaults) otherwise:
# never the system's /etc/bogusmx/bogusmx.conf.
#
# A case fails too when bogusmx-check's output has a sanitizer report
# (ASan, LSan, UBSan), whatever its exit status.
#
# '#' lines and blank lines are skipped.  Only loopback is ever queried.
# Prints one line per case and "N passed, N failed, N xfail".
set -u
check=$1 data=$2 expect=$3
here=$(cd "$(dirname "$0")" && pwd)
fakens_file=${expect%.expect}.fakens
conf=${expect%.expect}.conf
command -v python3 >/dev/null || {
	echo "python3 not found" >&2
	exit 1
}
if [ -f "$data" ]; then
	command -v ldns-testns >/dev/null || {
		echo "ldns-testns not found: install ldnsutils" >&2
		exit 1
	}
	server=(ldns-testns -r "$data")
elif [ -f "$fakens_file" ]; then
	server=(python3 "$here/fakens.py" "$fakens_file")
else
	echo "neither $data nor $fakens_file exists" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
if [ ! -f "$conf" ]; then
	conf=$tmp/empty.conf
	: >"$conf"
fi
. "$here/../common/testns.sh"
testns_start "$tmp/server.log" "${server[@]}" || exit 1
pid=$TESTNS_PID port=$TESTNS_PORT

# The queries fakens.py has received so far (it prints its counters on
# SIGUSR1).
server_queries() {
	local before n
	before=$(grep -c '^stats:' "$tmp/server.log")
	kill -USR1 "$pid"
	for _ in $(seq 1 100); do
		n=$(grep -c '^stats:' "$tmp/server.log")
		[ "$n" -gt "$before" ] && break
		sleep 0.05
	done
	sed -n 's/^stats: queries=\([0-9]*\).*/\1/p' "$tmp/server.log" | tail -n 1
}

# Read one JSON object on stdin; print verdict|outcome|class|reply|N,
# N being the number of failed checks (argv), each failure on stderr.
judge='
import json, sys

def walk(obj, path):
    for key in path.split("."):
        if isinstance(obj, list):
            obj = obj[int(key)]
        else:
            obj = obj[key]
    return obj

def text(v):
    return v if isinstance(v, str) else json.dumps(v)

try:
    j = json.loads(sys.stdin.readline())
except Exception:
    print("BADJSON||||1")
    sys.exit(0)
bad = 0
for c in sys.argv[1:]:
    try:
        if c.startswith("!") and "~" not in c:
            ok = True
            try:
                walk(j, c[1:])
                ok = False
            except (KeyError, IndexError, ValueError, TypeError):
                pass
        elif "#=" in c:
            p, v = c.split("#=", 1)
            ok = len(walk(j, p)) == int(v)
        elif "!~" in c:
            p, v = c.split("!~", 1)
            ok = v not in text(walk(j, p))
        elif "~" in c:
            p, v = c.split("~", 1)
            ok = v in text(walk(j, p))
        elif "=" in c:
            p, v = c.split("=", 1)
            try:
                want = json.loads(v)
            except ValueError:
                want = v
            ok = walk(j, p) == want
        else:
            ok = False
    except (KeyError, IndexError, ValueError, TypeError):
        ok = False
    if not ok:
        bad += 1
        print("  check failed: " + c, file=sys.stderr)
print(j.get("verdict"), j.get("outcome"), j.get("class"), j.get("reply", ""),
      bad, sep="|")
'
trim() {
	local v=$1
	v=${v#"${v%%[![:space:]]*}"}
	echo "${v%"${v##*[![:space:]]}"}"
}
pass=0 fail=0 xfail=0
while IFS= read -r line || [ -n "$line" ]; do
	case "$line" in '' | '#'*) continue ;; esac
	known=0
	case "$line" in xfail[[:space:]]*)
		known=1
		line=${line#xfail}
		;;
	esac
	IFS='|' read -r target verdict outcome class text checks <<<"$line"
	target=$(trim "$target") verdict=$(trim "$verdict")
	outcome=$(trim "$outcome") class=$(trim "$class") text=$(trim "$text")
	read -r -a targets <<<"$target"
	read -r -a words <<<"${checks:-}"
	checklist=() want_queries=
	for c in ${words[@]+"${words[@]}"}; do
		case "$c" in
		@queries=*) want_queries=${c#@queries=} ;;
		*) checklist+=("$c") ;;
		esac
	done
	[ -n "$want_queries" ] && q0=$(server_queries)
	out=$("$check" -c "$conf" --json -s "127.0.0.1:$port" "${targets[@]}" 2>&1)
	rc=$?
	got=$(printf '%s\n' "$out" | grep '^{' | tail -n 1 |
		python3 -c "$judge" ${checklist[@]+"${checklist[@]}"} 2>"$tmp/checks")
	IFS='|' read -r gv go gc gr gbad <<<"$got"
	if [ -n "$want_queries" ]; then
		q1=$(server_queries)
		if [ "$((q1 - q0))" != "$want_queries" ]; then
			gbad=$((gbad + 1))
			echo "  check failed: @queries=$want_queries (the server got $((q1 - q0)))" >>"$tmp/checks"
		fi
	fi
	want_rc=0
	[ "$verdict" = reject ] && want_rc=1
	[ "$verdict" = tempfail ] && want_rc=2
	if [ "$gv" = "$verdict" ] && [ "$go" = "$outcome" ] &&
		[ "$gc" = "$class" ] && [ "$rc" = "$want_rc" ] &&
		[[ "$gr" == *"$text"* ]] && [ "$gbad" = 0 ] &&
		[[ "$out" != *Sanitizer* && "$out" != *"runtime error:"* ]]; then
		ok=1
	else
		ok=0
	fi
	if [ $known = 1 ] && [ $ok = 0 ]; then
		xfail=$((xfail + 1))
		echo "xfail: $target: $gv $go $gc (known bug; want $verdict $outcome $class)"
		continue
	fi
	if [ $ok = 1 ] && [ $known = 0 ]; then
		pass=$((pass + 1))
		echo "ok: $target: $gv $go $gc"
		continue
	fi
	fail=$((fail + 1))
	if [ $known = 1 ]; then
		echo "FAIL: $target: marked xfail but passes: remove the mark"
		continue
	fi
	echo "FAIL: $target"
	echo "  want: $verdict $outcome $class (exit $want_rc) reply containing: $text"
	echo "  got:  $gv $go $gc (exit $rc) reply: $gr"
	cat "$tmp/checks"
	echo "  output: $out"
done <"$expect"
echo "$pass passed, $fail failed, $xfail xfail"
[ "$fail" = 0 ] && [ $((pass + xfail)) -gt 0 ]
