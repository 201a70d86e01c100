#!/bin/bash
# check_cli.sh - bogusmx-check as a user runs it: human output, --json,
# exit statuses, usage errors, --version.
# Usage: check_cli.sh PATH/TO/bogusmx-check TESTDIR
set -u
check=$1
fails=0 n=0

expect() { # description, want-status, want-substring, command...
	local what=$1 want=$2 sub=$3 out rc
	shift 3
	n=$((n + 1))
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "FAIL: $what: exit $rc, want $want"; echo "$out"
		fails=$((fails + 1))
	elif [[ "$out" != *"$sub"* ]]; then
		echo "FAIL: $what: output lacks: $sub"; echo "$out"
		fails=$((fails + 1))
	else
		echo "ok: $what"
	fi
}

expect "loopback rejected" 1 \
	"554 5.7.1 Address [127.0.0.1] is in loopback network (RFC 1122)" \
	"$check" 127.0.0.1
expect "public accepted" 0 "verdict  accept" "$check" 8.8.8.8
expect "mixed targets: any reject exits 1" 1 "accept (accept, public)" \
	"$check" 8.8.8.8 10.1.2.3
expect "mapped form judged by its IPv4" 1 \
	'"embedded":{"form":"ipv4-mapped","address":"127.0.0.1"}' \
	"$check" --json ::ffff:127.0.0.1
expect "json reject line" 1 \
	'{"target":"10.0.0.1","domain":null,"verdict":"reject","outcome":"bogus","action":"reject","reply":"554 5.7.1 Address [10.0.0.1] is in private network (RFC 1918)","class":"private"' \
	"$check" --json 10.0.0.1
# A routing domain hidden in the local part, shown and judged (literals:
# no DNS).
expect "routing domain in the tree" 1 \
	"  routed to [127.0.0.1] (percent hack)
            127.0.0.1                    loopback      127.0.0.0/8 (built-in bogons.cidr:33)  BOGUS
    reject (bogus, loopback): decides" \
	"$check" -s 127.0.0.1:1 'user%[127.0.0.1]@[8.8.8.8]'
expect "routing domain in the reply" 1 \
	"reply    554 5.7.1 <user%[127.0.0.1]@[8.8.8.8]>: Recipient address rejected: Routed to [127.0.0.1] by the percent hack: Address literal [127.0.0.1] is in loopback network (RFC 1122)" \
	"$check" -s 127.0.0.1:1 'user%[127.0.0.1]@[8.8.8.8]'
expect "json routes" 1 \
	'"routes":[{"form":"percent hack","address":"127.0.0.1","decided":true,"verdict":"reject","outcome":"bogus","class":"loopback","reply":"554 5.7.1 <user%[127.0.0.1]@[8.8.8.8]>: Recipient address rejected: Address literal [127.0.0.1] is in loopback network (RFC 1122)","addresses":[{"address":"127.0.0.1"' \
	"$check" -s 127.0.0.1:1 --json 'user%[127.0.0.1]@[8.8.8.8]'
expect "json: no routes, no routes field" 0 \
	'"mx":[],"implicit_mx":false,"null_mx":false,"lookups":0' \
	"$check" -s 127.0.0.1:1 --json 'u@[8.8.8.8]'
expect "unparseable hop: 501 without DNS" 1 \
	'501 5.1.3 <u%a..b@[8.8.8.8]>: Recipient address rejected: Bad recipient address syntax: percent hack: empty label in "a..b"' \
	"$check" -s 127.0.0.1:1 'u%a..b@[8.8.8.8]'
expect "json accept has no reply" 0 \
	'{"target":"2a00:1450::1","domain":null,"verdict":"accept","outcome":"accept","action":"reject","class":"public"' \
	"$check" --json 2a00:1450::1
expect "name collision text" 1 "ICANN's name collision signal" \
	"$check" 127.0.53.53
# Nothing below may reach a real resolver: names are special (judged
# without DNS), malformed (never queried), or sent to a closed loopback port.
expect "special name judged without DNS" 1 "localhost" \
	"$check" -s 127.0.0.1:9 user@mail.localhost
expect "malformed recipient is a syntax reply" 1 "501 5.1.3" \
	"$check" -s 127.0.0.1:9 'user@exa mple.com'
expect "address literal classified directly" 1 "loopback" \
	"$check" -s 127.0.0.1:9 'user@[IPv6:::1]'
expect "unreachable nameserver is a tempfail" 2 "451 4.4.3" \
	"$check" -s 127.0.0.1:9 user@example.org
expect "bad nameserver is a usage error" 64 "nameserver" \
	"$check" -s 127.0.0.1:99999 user@example.org
# The configuration: -c FILE is what the milter reads.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/log.conf" <<'EOF'
# a dry run, with our own reply text
action = "log"
reply bogus {
	code = 550   # not 554
	text = "no backscatter: {host}[{address}] is {class}"
}
exempt-domains = { "Exempt.Example" }
EOF
expect "action log accepts and shows the would-be reply" 0 \
	'"verdict":"accept","outcome":"bogus","action":"log","would_reply":"550 5.7.1 <u@[127.0.0.1]>: Recipient address rejected: no backscatter: [127.0.0.1] is loopback"' \
	"$check" -c "$tmp/log.conf" --json 'u@[127.0.0.1]'
expect "exempt domain and its subdomains are not checked" 0 \
	"accept (no-check, exempt)" \
	"$check" -c "$tmp/log.conf" -s 127.0.0.1:9 user@mx.exempt.example
printf '# one\n# two\naction = "maybe"\n' >"$tmp/bad.conf"
expect "config error names file and line, exit 78" 78 \
	"$tmp/bad.conf:3: action = \"maybe\": must be one of reject, tempfail, tag, log" \
	"$check" -c "$tmp/bad.conf" 127.0.0.1
expect "missing named config is an error" 78 "No such file" \
	"$check" -c "$tmp/none.conf" 127.0.0.1
expect "sender check speaks of the sender" 1 \
	"Sender address rejected" \
	"$check" --sender -s 127.0.0.1:9 'bounce@[10.0.0.1]'
expect "a mailbox that names the recipient moves nothing" 1 \
	'554 5.7.1 <"x Recipient address rejected: y"@[127.0.0.1]>: Sender address rejected: Address literal [127.0.0.1] is in loopback network (RFC 1122)' \
	"$check" --sender -s 127.0.0.1:9 '<"x Recipient address rejected: y"@[127.0.0.1]>'
expect "no target is a usage error" 64 "usage: bogusmx-check" "$check"
expect "unknown option is a usage error" 64 "usage:" "$check" --frobnicate 1.2.3.4
expect "version names the registry date" 0 \
	"special-purpose address registry of 20" "$check" --version

# One JSON object per line, as many lines as targets.
lines=$("$check" --json 127.0.0.1 8.8.8.8 ::1 | wc -l)
n=$((n + 1))
if [ "$lines" != 3 ]; then
	echo "FAIL: --json printed $lines lines for 3 targets"
	fails=$((fails + 1))
else
	echo "ok: one JSON line per target"
fi
# The JSON must parse, when python3 is there to say so.
if command -v python3 >/dev/null; then
	n=$((n + 1))
	if "$check" --json 127.0.0.1 ::ffff:8.8.8.8 64:ff9b::a00:1 |
		python3 -c 'import json,sys
for l in sys.stdin: json.loads(l)'; then
		echo "ok: JSON parses"
	else
		echo "FAIL: JSON does not parse"; fails=$((fails + 1))
	fi
fi
# A target that is not UTF-8: the JSON stays UTF-8 (U+FFFD for each bad
# byte), well-formed UTF-8 passes through as it is.
if command -v python3 >/dev/null; then
	n=$((n + 1))
	if "$check" -s 127.0.0.1:9 --json $'u@\xff\xc3\xa9t\xe9.example' |
		python3 -c 'import json, sys
o = json.loads(sys.stdin.buffer.read().decode("utf-8", "strict"))
assert o["target"] == "u@\ufffd\u00e9t\ufffd.example", o["target"]'; then
		echo "ok: invalid UTF-8 of a target: valid JSON, U+FFFD for the bad bytes"
	else
		echo "FAIL: invalid UTF-8 of a target in the JSON"; fails=$((fails + 1))
	fi
fi
echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
