#!/bin/bash
# ops.sh - the operations side of a running milter, with real
# components: a real Prometheus scrapes the metrics endpoint while
# traffic flows (miltertest), and its HTTP API must count what the
# milter answered; promtool checks the endpoint's output; bogusmx-ctl
# asks the control socket for status, the report (after a log-mode run
# with known counts), purge, dump and resolver; another user is refused;
# hostile clients on the control socket get clear errors while the
# milter keeps serving.
#
# Usage: ops.sh BOGUSMX-MILTER BOGUSMX-CTL TESTDIR
# DNS: test/dns/fakens.py with TESTDIR/ops.fakens.  Only loopback.
set -u
milter=$1 ctl=$2 dir=$3
for tool in miltertest python3 prometheus promtool; do
	command -v $tool >/dev/null || {
		echo "$tool not found" >&2
		exit 1
	}
done
tmp=$(mktemp -d)
chmod 755 "$tmp"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok: $1"; }
fail() {
	fails=$((fails + 1))
	echo "FAIL: $1"
}
root=false
[ "$(id -u)" = 0 ] && root=true
freeport() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# GET a URL on loopback: the body on stdout; exit 1 unless 200
http_get() {
	python3 - "$1" <<'PY'
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=10) as r:
        sys.stdout.write(r.read().decode())
except Exception as e:
    sys.stderr.write("%s: %s\n" % (sys.argv[1], e))
    sys.exit(1)
PY
}

. "$dir/../common/testns.sh"
cp "$dir/ops.fakens" "$tmp/dns.fakens"
testns_start "$tmp/ns.log" python3 "$dir/../dns/fakens.py" "$tmp/dns.fakens" || exit 1
pids+=($TESTNS_PID)
nspid=$TESTNS_PID
port=$(freeport) mport=$(freeport) pport=$(freeport)
# the sockets' directory belongs to the service user, as systemd's
# RuntimeDirectory does
mkdir -m 0750 "$tmp/run"
user=()
if $root; then
	user=(-u nobody)
	chown nobody "$tmp/run"
fi

start_milter() { # ACTION
	cat >"$tmp/bogusmx.conf" <<CONF
socket = "inet:$port@127.0.0.1"
action = "$1"
control-socket = "$tmp/run/control.sock"
metrics = "inet:$mport@127.0.0.1"
report-domains = 3
cache { min-ttl = 3600 }
dns {
	nameservers = { "127.0.0.1:$TESTNS_PORT" }
	timeout-ms = 300
	attempts = 1
	deadline-ms = 1000
}
CONF
	"$milter" -f -c "$tmp/bogusmx.conf" "${user[@]}" >>"$tmp/milter.log" 2>&1 &
	mpid=$!
	pids+=($mpid)
	for _ in $(seq 1 100); do
		[ -S "$tmp/run/control.sock" ] && http_get "http://127.0.0.1:$mport/metrics" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "the milter did not start"
	cat "$tmp/milter.log"
	exit 1
}
stop_milter() {
	kill -TERM $mpid
	wait $mpid
	local rc=$?
	[ $rc = 0 ] && ok "clean exit" || fail "exit status $rc"
}
traffic() { # HOT GOOD PRIVATE SERVFAIL WANT [FIXED]
	miltertest -s "$dir/ops.lua" -D "sock=inet:$port@127.0.0.1" -D hot=$1 \
		-D good=$2 -D private=$3 -D servfail=$4 -D want=$5 \
		-D "fixed=${6:-none}" >"$tmp/mt.log" 2>&1 &&
		grep -q 'ok: every reply' "$tmp/mt.log"
}
# JSON field of bogusmx-ctl --json output: jfield EXPR < json
jfield() {
	python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

# --- Prometheus scrapes while traffic flows (action reject)
start_milter reject
cat >"$tmp/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: bogusmx
    static_configs:
      - targets: ['127.0.0.1:$mport']
YML
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/prom" \
	--web.listen-address="127.0.0.1:$pport" >"$tmp/prometheus.log" 2>&1 &
pids+=($!)
query() { # PROMQL: the value, or nothing
	python3 - "$pport" "$1" <<'PY'
import json, sys, urllib.parse, urllib.request
url = "http://127.0.0.1:%s/api/v1/query?query=%s" % (sys.argv[1], urllib.parse.quote(sys.argv[2]))
try:
    d = json.load(urllib.request.urlopen(url, timeout=5))
    r = d["data"]["result"]
    print(r[0]["value"][1] if r else "")
except Exception:
    pass
PY
}
for _ in $(seq 1 100); do
	[ "$(query 'up{job="bogusmx"}')" = 1 ] && break
	sleep 0.3
done
[ "$(query 'up{job="bogusmx"}')" = 1 ] && ok "Prometheus scrapes the endpoint" ||
	{ fail "Prometheus does not scrape"; tail -20 "$tmp/prometheus.log"; }
# three rounds while Prometheus scrapes: 3 x (7 hot, 5 good, 2 private, 1 servfail)
for round in 1 2 3; do
	traffic 7 5 2 1 reject && ok "round $round: every verdict as expected" ||
		{ fail "round $round"; cat "$tmp/mt.log"; }
	sleep 1
done
want_prom() { # PROMQL VALUE
	local v=
	for _ in $(seq 1 100); do
		v=$(query "$1")
		[ "$v" = "$2" ] && break
		sleep 0.3
	done
	[ "$v" = "$2" ] && ok "Prometheus: $1 = $2" || fail "Prometheus: $1 = '$v', want $2"
}
want_prom 'bogusmx_actions_total{action="reject"}' 27
want_prom 'bogusmx_actions_total{action="tempfail"}' 3
want_prom 'bogusmx_actions_total{action="accept"}' 15
want_prom 'bogusmx_decisions_total{outcome="bogus",class="loopback"}' 21
want_prom 'bogusmx_decisions_total{outcome="bogus",class="private"}' 6
want_prom 'bogusmx_decision_duration_seconds_count' 45
want_prom 'bogusmx_build_info{registry_date!=""}' 1
http_get "http://127.0.0.1:$mport/metrics" >"$tmp/metrics.txt"
if promtool check metrics <"$tmp/metrics.txt" >"$tmp/promtool.log" 2>&1; then
	ok "promtool check metrics passes"
else
	fail "promtool check metrics"
	cat "$tmp/promtool.log"
fi
grep -q '^bogusmx_cache_hits_total [1-9]' "$tmp/metrics.txt" &&
	grep -q '^bogusmx_dns_queries_total [1-9]' "$tmp/metrics.txt" &&
	ok "cache and DNS counters exposed" || fail "cache/DNS counters"
http_get "http://127.0.0.1:$mport/other" >/dev/null 2>&1 && fail "/other served" ||
	ok "only /metrics is served"
# a reload is counted
kill -USR1 $mpid
want_prom 'bogusmx_reloads_total{result="ok"}' 1

# --- bogusmx-ctl status
out=$("$ctl" -s "$tmp/run/control.sock" status)
rc=$?
[ $rc = 0 ] && [[ "$out" == *"version "*"configuration $tmp/bogusmx.conf"*"action reject"* ]] &&
	ok "status" || fail "status ($rc): $out"
json=$("$ctl" -s "$tmp/run/control.sock" --json status)
[ "$(jfield 'd["decisions"], d["rejected"], d["tempfailed"], d["generation"]' <<<"$json")" = "(45, 27, 3, 2)" ] &&
	ok "status --json: decisions, rejected, tempfailed, generation" || fail "status --json: $json"

# --- purge: fixed.de is on loopback, then its owner fixes it
traffic 0 0 0 0 reject reject && ok "fixed.de refused while broken" || fail "fixed.de before"
sed -i 's/^mx.fixed.de  *A .*/mx.fixed.de A answer A 8.8.4.4/' "$tmp/dns.fakens"
kill -HUP $nspid
sleep 0.5
traffic 0 0 0 0 reject reject && ok "fixed in DNS, still refused from the cache before purge" ||
	fail "fixed.de judged afresh before purge"
out=$("$ctl" -s "$tmp/run/control.sock" purge fixed.de 2>&1)
rc=$?
[ $rc = 0 ] && [[ "$out" == "fixed.de: "[1-9]*" cache entries dropped" ]] &&
	ok "purge fixed.de: $out" || fail "purge ($rc): $out"
traffic 0 0 0 0 reject accept && ok "fixed.de judged afresh right after purge" ||
	{ fail "fixed.de after purge"; cat "$tmp/mt.log"; }
json=$("$ctl" -s "$tmp/run/control.sock" --json purge FIXED.de.)
[ "$(jfield 'd["purged"] > 0' <<<"$json")" = True ] &&
	ok "purge --json, the name as a user writes it: $json" || fail "purge --json: $json"
out=$("$ctl" -s "$tmp/run/control.sock" purge 'bad..de' 2>&1)
[ $? = 65 ] && [[ "$out" == *'error data: purge: '* ]] && ok "purge of a bad name: exit 65: $out" ||
	fail "purge bad name: $out"
out=$("$ctl" -s "$tmp/run/control.sock" dump 3 2>&1)
rc=$?
[ $rc = 0 ] && [[ "$out" == *" entries, the 3 most recently used:"* ]] &&
	[ "$(grep -c ' MX \| A \| AAAA ' <<<"$out")" = 3 ] && ok "dump 3: three entries" ||
	fail "dump 3 ($rc): $out"
json=$("$ctl" -s "$tmp/run/control.sock" --json dump 1000)
[ "$(jfield '[(e["name"], e["type"], e["status"], e["ttl"] > 3000) for e in d["shown"] if e["name"] == "hot.de"]' <<<"$json")" = "[('hot.de', 'MX', 'ok', True)]" ] &&
	[ "$(jfield 'd["entries"] == len(d["shown"])' <<<"$json")" = True ] &&
	ok "dump --json: hot.de MX ok, its TTL (min-ttl 3600) left" || fail "dump --json: $json"
http_get "http://127.0.0.1:$mport/metrics" | grep -q '^bogusmx_cache_purged_total [1-9]' &&
	ok "metrics: purged entries counted" || fail "metrics: bogusmx_cache_purged_total"
out=$("$ctl" -s "$tmp/run/control.sock" resolver 2>&1)
rc=$?
[ $rc = 0 ] && [[ "$out" == *"resolver 127.0.0.1:$TESTNS_PORT"*"nxdomain canary: "*"findings: "* ]] &&
	ok "resolver: the guard's findings" || fail "resolver ($rc): $out"
json=$("$ctl" -s "$tmp/run/control.sock" --json resolver)
[ "$(jfield 'd["resolver"], d["nxdomain"] in ("pass", "fail", "unknown"), d["canary_runs"] >= 0' <<<"$json")" = "('127.0.0.1:$TESTNS_PORT', True, True)" ] &&
	ok "resolver --json" || fail "resolver --json: $json"
grep -q '^bogusmx_resolver_guard_canary{canary="nxdomain",result="[a-z]*"} 1$' "$tmp/metrics.txt" &&
	ok "metrics: the guard's canary state" || fail "metrics: no guard canary state"
"$ctl" -s "$tmp/run/control.sock" dump x >/dev/null 2>&1
[ $? = 64 ] && ok "dump x: exit 64" || fail "dump x status"
"$ctl" -s "$tmp/run/control.sock" frobnicate >/dev/null 2>&1
[ $? = 64 ] && ok "unknown command: exit 64" || fail "unknown command status"
"$ctl" -s "$tmp/run/none.sock" status >/dev/null 2>&1
[ $? = 69 ] && ok "no daemon: exit 69" || fail "no daemon status"

# --- another user may not connect
if $root; then
	out=$(setpriv --reuid=daemon --regid=daemon --clear-groups "$ctl" -s "$tmp/run/control.sock" status 2>&1)
	rc=$?
	[ $rc = 77 ] && [[ "$out" == *"Permission denied"* ]] &&
		ok "another user is refused: exit 77" || fail "another user ($rc): $out"
	[ "$(stat -c '%a %U' "$tmp/run/control.sock")" = "660 nobody" ] &&
		ok "control socket 0660, owned by the service user" ||
		fail "control socket $(stat -c '%a %U' "$tmp/run/control.sock")"
else
	echo "skipped: permission refusal (not root)"
fi

# --- hostile clients: clear errors, the milter keeps serving
python3 - "$tmp/run/control.sock" <<'PY' >"$tmp/hostile.log" 2>&1
import socket, sys, threading, time
path = sys.argv[1]
def ask(data, half=False):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(path)
    try:
        s.sendall(data)
    except OSError:
        pass
    if half:
        s.shutdown(socket.SHUT_WR)
    out = b""
    try:
        while True:
            b = s.recv(4096)
            if not b:
                break
            out += b
    except OSError:
        pass
    s.close()
    return out.decode("ascii", "replace")
fails = 0
def want(what, got, prefix):
    global fails
    if got.startswith(prefix):
        print("ok: %s: %s" % (what, got.strip()))
    else:
        print("FAIL: %s: %r" % (what, got))
        fails += 1
want("long line", ask(b"x" * 100000), "error usage: request line longer than 511 bytes")
want("binary", ask(bytes(range(256)) + b"\n"), "error usage: the request holds a control or 8-bit byte")
want("NUL", ask(b"sta\0tus\n"), "error usage: the request holds a control or 8-bit byte")
want("unknown", ask(b"frobnicate\n"), 'error usage: unknown command "frobnicate"')
want("empty", ask(b"\n"), "error usage: empty request")
want("too many words", ask(b"report 1 2 3 4 5\n"), "error usage: too many words")
want("no newline", ask(b"status", half=True), "")
# many clients at once, each silent: 8 are served (each until its
# timeout), the others turned away at once with an error; a request
# after the silent ones are gone is answered
silent = []
busy = late = 0
for i in range(40):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.settimeout(5.0)
    silent.append(s)
time.sleep(0.3)
want("a request among them", ask(b"status\n"), "error unavailable: busy")
for s in silent:
    try:
        r = s.recv(200)
    except OSError:
        r = b""
    busy += r.startswith(b"error unavailable: busy")
    late += r.startswith(b"error usage: no complete request line in time")
if (busy, late) == (32, 8):
    print("ok: 40 silent clients: 8 served until their timeout, 32 turned away at once")
else:
    print("FAIL: 40 silent clients: %d timed out, %d turned away" % (late, busy))
    fails += 1
for s in silent:
    s.close()
want("status after them", ask(b"status\n"), "ok\nversion ")
sys.exit(1 if fails else 0)
PY
rc=$?
cat "$tmp/hostile.log"
[ $rc = 0 ] && ok "hostile control clients: clear errors" || fail "hostile control clients"
traffic 2 2 0 0 reject && ok "the milter serves after the hostile clients" ||
	fail "milter after hostile clients"
stop_milter

# --- the migration report after a log-mode run with known counts
rm -f "$tmp/run/control.sock"
start_milter log
traffic 4 3 2 1 log && ok "log mode: every recipient passes" || { fail "log-mode run"; cat "$tmp/mt.log"; }
json=$("$ctl" -s "$tmp/run/control.sock" --json report)
got=$(jfield '(d["decisions"], d["rejected"], d["tempfailed"], [(r["outcome"], r["class"], r["count"]) for r in d["rows"]], [(x["domain"], x["count"]) for x in d["domains"]])' <<<"$json")
want="(10, 6, 1, [('bogus', 'loopback', 4), ('bogus', 'private', 2), ('tempfail', 'tempfail', 1)], [('hot.de', 4), ('private.de', 2), ('servfail.de', 1)])"
[ "$got" = "$want" ] && ok "report --json: $got" || fail "report --json: $got, want $want"
out=$("$ctl" -s "$tmp/run/control.sock" report 1)
[[ "$out" == *"10 decisions; with action = reject, 6 would have been rejected and 1 deferred"* &&
	"$out" == *"hot.de"* && "$out" != *"private.de"* ]] && ok "report 1: the table and the top domain" ||
	fail "report text: $out"
"$ctl" -s "$tmp/run/control.sock" report --reset >/dev/null &&
	json=$("$ctl" -s "$tmp/run/control.sock" --json report) &&
	[ "$(jfield 'd["decisions"], len(d["domains"])' <<<"$json")" = "(0, 0)" ] &&
	ok "report --reset: counting begins again" || fail "report --reset: $json"
http_get "http://127.0.0.1:$mport/metrics" | grep -q '^bogusmx_actions_total{action="log"} 7$' &&
	ok "metrics: action log counted 7" || fail "metrics: action log"
stop_milter
[ -e "$tmp/run/control.sock" ] && fail "control socket left behind" || ok "control socket removed at exit"

# --- the endpoint on a unix socket; a warning when it is not on loopback
cat >"$tmp/unix.conf" <<CONF
socket = "inet:$port@127.0.0.1"
metrics = "unix:$tmp/run/metrics.sock"
dns { nameservers = { "127.0.0.1:$TESTNS_PORT" } }
CONF
"$milter" -f -c "$tmp/unix.conf" "${user[@]}" >"$tmp/unix.log" 2>&1 &
mpid=$!
pids+=($mpid)
for _ in $(seq 1 100); do [ -S "$tmp/run/metrics.sock" ] && break; sleep 0.1; done
python3 - "$tmp/run/metrics.sock" <<'PY' >"$tmp/unix.txt" 2>&1
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n")
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
sys.stdout.write(out.decode())
PY
grep -q '^HTTP/1.[01] 200' "$tmp/unix.txt" && grep -q '^bogusmx_build_info' "$tmp/unix.txt" &&
	[ "$(stat -c %a "$tmp/run/metrics.sock")" = 660 ] &&
	ok "metrics on a unix socket (0660)" || { fail "metrics on a unix socket"; cat "$tmp/unix.txt"; }
stop_milter
sed -i "s|^metrics = .*|metrics = \"inet:$mport@0.0.0.0\"|" "$tmp/unix.conf"
"$milter" -f -c "$tmp/unix.conf" "${user[@]}" >"$tmp/unix.log" 2>&1 &
mpid=$!
pids+=($mpid)
for _ in $(seq 1 100); do grep -q 'listening on' "$tmp/unix.log" && break; sleep 0.1; done
grep -q "metrics: warning: the endpoint listens on 0.0.0.0 (every address), not on loopback" "$tmp/unix.log" &&
	ok "metrics on every address: warned" || { fail "no warning for metrics on 0.0.0.0"; cat "$tmp/unix.log"; }
stop_milter

if [ $fails != 0 ]; then
	echo "--- milter log"
	cat "$tmp/milter.log"
fi
echo "$fails failed"
[ $fails = 0 ]
