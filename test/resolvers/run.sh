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
#     counted, and so are refusals of blocked names (0.0.0.0 is bogus).
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
for tool in nsd unbound dnsmasq drill python3; do
	command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || {
		echo "$tool not found: install nsd unbound dnsmasq-base ldnsutils" >&2
		exit 1
	}
done
export PATH=$PATH:/usr/sbin
tmp=$(mktemp -d)
pids=()
stop_all() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	pids=()
}
trap 'stop_all; rm -rf "$tmp"' EXIT

free_port() {
	python3 -c '
import random, socket
for _ in range(1000):
    port = random.randrange(10000, 30000)
    try:
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            s = socket.socket(socket.AF_INET, kind)
            s.bind(("127.0.0.1", port))
            s.close()
    except OSError:
        continue
    print(port)
    break
'
}

# Wait until a DNS server on PORT answers (up to 10 s).
wait_dns() {
	local port=$1
	for _ in $(seq 1 100); do
		drill -p "$port" @127.0.0.1 canary.guard-test A 2>/dev/null |
			grep -q 'rcode' && return 0
		sleep 0.1
	done
	echo "no DNS server answers on port $port" >&2
	return 1
}

start_nsd() {
	local zone=$1
	NSD_PORT=$(free_port)
	cat >"$tmp/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1@$NSD_PORT
  port: $NSD_PORT
  zonesdir: "$tmp"
  pidfile: "$tmp/nsd.pid"
  database: ""
  username: ""
  xfrdfile: "$tmp/xfrd.state"
  zonelistfile: "$tmp/zone.list"
  logfile: "$tmp/nsd.log"
  server-count: 1
  verbosity: 0
remote-control:
  control-enable: no
zone:
  name: "."
  zonefile: "$zone"
CONF
	nsd -d -c "$tmp/nsd.conf" >>"$tmp/nsd.log" 2>&1 &
	pids+=($!)
	wait_dns "$NSD_PORT" || {
		cat "$tmp/nsd.log" >&2
		return 1
	}
}

start_unbound() {
	UNBOUND_PORT=$(free_port)
	{
		cat <<CONF
server:
  interface: 127.0.0.1
  port: $UNBOUND_PORT
  do-ip6: no
  do-not-query-localhost: no
  username: ""
  chroot: ""
  directory: "$tmp"
  pidfile: "$tmp/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 0
  num-threads: 1
  module-config: "iterator"
  qname-minimisation: no
  access-control: 127.0.0.0/8 allow
  # the lame delegations of the corpus (a server nothing listens on):
  # given up on quickly, the way a real resolver does after a while
  unknown-server-time-limit: 40
  outbound-msg-retry: 1
  infra-cache-min-rtt: 20
CONF
		if [ "$1" = private ]; then
			for net in 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 \
				169.254.0.0/16 127.0.0.0/8 fd00::/8 fe80::/10 \
				::1/128 ::ffff:0:0/96; do
				echo "  private-address: $net"
			done
		fi
		cat <<CONF
remote-control:
  control-enable: no
stub-zone:
  name: "."
  stub-addr: 127.0.0.1@$NSD_PORT
CONF
	} >"$tmp/unbound.conf"
	unbound -d -c "$tmp/unbound.conf" >>"$tmp/unbound.log" 2>&1 &
	pids+=($!)
	wait_dns "$UNBOUND_PORT" || {
		cat "$tmp/unbound.log" >&2
		return 1
	}
}

start_dnsmasq() {
	DNSMASQ_PORT=$(free_port)
	dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
		--listen-address=127.0.0.1 --port="$DNSMASQ_PORT" \
		--server="127.0.0.1#$UNBOUND_PORT" --pid-file="$tmp/dnsmasq.pid" \
		--conf-file=/dev/null --log-facility="$tmp/dnsmasq.log" \
		"$@" >>"$tmp/dnsmasq.log" 2>&1 &
	pids+=($!)
	wait_dns "$DNSMASQ_PORT" || {
		cat "$tmp/dnsmasq.log" >&2
		return 1
	}
}

start_rewriter() {
	REWRITE_PORT=$(free_port)
	python3 "$here/nxrewrite.py" "$REWRITE_PORT" "$UNBOUND_PORT" \
		23.45.67.89 >>"$tmp/rewrite.log" 2>&1 &
	pids+=($!)
	wait_dns "$REWRITE_PORT"
}

# Start the chain for this mode; sets RESOLVER_PORT and CANARY.
start_chain() {
	start_nsd "$1" || return 1
	CANARY=
	case $mode in
	unbound-private)
		start_unbound private || return 1
		RESOLVER_PORT=$UNBOUND_PORT CANARY=canary.guard-test
		return 0
		;;
	*) start_unbound plain || return 1 ;;
	esac
	case $mode in
	unbound) RESOLVER_PORT=$UNBOUND_PORT ;;
	dnsmasq) start_dnsmasq && RESOLVER_PORT=$DNSMASQ_PORT ;;
	dnsmasq-rebind)
		start_dnsmasq --stop-dns-rebind && RESOLVER_PORT=$DNSMASQ_PORT
		;;
	dnsmasq-block)
		CANARY=canary.guard-test
		start_dnsmasq $(sed -n 's/^block //p' "$here/blocked") &&
			RESOLVER_PORT=$DNSMASQ_PORT
		;;
	nxrewrite) start_rewriter && RESOLVER_PORT=$REWRITE_PORT ;;
	*)
		echo "unknown mode $mode" >&2
		return 1
		;;
	esac
}

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
	start_chain "$tmp/$name.zone" || exit 1
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
