# lib.sh - sourced by the end-to-end tests: a private Postfix, a DNS
# server and bogusmx-milter, all on loopback high ports, in a temporary
# directory.  Nothing is ever delivered (discard transports); no packet
# leaves loopback (Postfix does no DNS: smtp_dns_support_level=disabled,
# and the milter asks only the ldns-testns on 127.0.0.1).
#
#   e2e_init                      temp dir, traps, tool checks
#   e2e_dns DATAFILE              start ldns-testns; sets DNS_PORT
#   e2e_milter CONF-LINES...      start the milter; sets MILTER_PORT
#                                 (E2E_MILTER_SOCKET: another socket)
#   e2e_milter_start CONF [PREFIX...]  start it with that file; MILTER_PID
#   e2e_postfix [MAIN.CF-LINES...] start Postfix; sets SMTP_PORT (and
#                                 adds the lines of E2E_MASTER_CF, an
#                                 array, to its master.cf; E2E_CHROOT=y:
#                                 smtpd chrooted in the queue directory,
#                                 as Debian runs it; E2E_SMTPD_MILTERS:
#                                 instead of the milter on MILTER_PORT)
#   e2e_expect WHAT WANT SWAKS-ARGS...   run swaks, want WANT in output
#   e2e_done                      summary and exit status

e2e_init() {
	E2E_FAILS=0 E2E_N=0 E2E_PIDS=() E2E_PF=
	for tool in ldns-testns swaks postfix python3; do
		command -v $tool >/dev/null || {
			echo "$tool not found" >&2
			exit 1
		}
	done
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: a private Postfix needs root"
		exit 77
	fi
	E2E_TMP=$(mktemp -d)
	chmod 755 "$E2E_TMP"
	trap e2e_cleanup EXIT
}

e2e_cleanup() {
	[ -n "$E2E_PF" ] && postfix -c "$E2E_PF" stop >/dev/null 2>&1
	[ ${#E2E_PIDS[@]} -gt 0 ] && kill "${E2E_PIDS[@]}" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$E2E_TMP"
}

# A free loopback port (TCP and UDP) below the kernel's ephemeral range:
# the thousands of client sockets of a load test never take it, neither
# between this check and the server's bind nor while a server is
# stopped and started again on it.
e2e_port() {
	python3 -c '
import random, socket
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for _ in range(1000):
    port = random.randrange(10000, max(low, 10001))
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

e2e_dns() {
	. "$(dirname "${BASH_SOURCE[0]}")/../common/testns.sh"
	testns_start "$E2E_TMP/testns.log" ldns-testns -r "$1" || exit 1
	E2E_PIDS+=($TESTNS_PID)
	DNS_PORT=$TESTNS_PORT
}

# Start the milter with extra config lines; waits until it listens.
e2e_milter() {
	MILTER_PORT=$(e2e_port)
	{
		echo "socket = \"${E2E_MILTER_SOCKET:-inet:$MILTER_PORT@127.0.0.1}\""
		echo "dns { nameservers = { \"127.0.0.1:$DNS_PORT\" }"
		echo "      timeout-ms = 500  attempts = 2  deadline-ms = 3000 }"
		printf '%s\n' "$@"
	} >"$E2E_TMP/bogusmx.conf"
	e2e_milter_start "$E2E_TMP/bogusmx.conf"
}

# Start the milter with the config file CONF (as nobody, in the
# foreground, its output appended to $E2E_TMP/milter.log); sets
# MILTER_PID; waits until it says it listens (again, when restarted).
# With a PREFIX (a command that execs its arguments, e.g. setpriv), the
# milter runs through it, as whoever it makes, without -u.
e2e_milter_start() { # CONF [PREFIX...]
	local log=$E2E_TMP/milter.log before conf=$1 as=(-u nobody)
	shift
	[ $# = 0 ] || as=()
	before=$(grep -c 'listening on' "$log" 2>/dev/null)
	"$@" "$BOGUSMX_MILTER" -f "${as[@]}" -c "$conf" >>"$log" 2>&1 &
	MILTER_PID=$!
	E2E_PIDS+=($MILTER_PID)
	for _ in $(seq 1 100); do
		[ "$(grep -c 'listening on' "$log")" -gt "${before:-0}" ] && return 0
		kill -0 $MILTER_PID 2>/dev/null || break
		sleep 0.05
	done
	echo "bogusmx-milter did not start:" >&2
	cat "$log" >&2
	exit 1
}

# SIGTERM, and wait: its exit status in MILTER_RC.
e2e_milter_stop() {
	kill -TERM "$MILTER_PID" 2>/dev/null
	wait "$MILTER_PID" 2>/dev/null
	MILTER_RC=$?
}

# A private Postfix instance: own config and queue, loopback high port.
e2e_postfix() {
	local pf=$E2E_TMP/postfix milters=${E2E_SMTPD_MILTERS-}
	[ -n "$milters" ] ||
		milters="{ inet:127.0.0.1:$MILTER_PORT, command_timeout=10s, default_action=tempfail }"
	SMTP_PORT=$(e2e_port)
	mkdir -p "$pf/queue" "$pf/data"
	chown postfix "$pf/data"
	cat >"$pf/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $pf/queue
data_directory = $pf/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.bogusmx.test
mydomain = bogusmx.test
mydestination = local.bogusmx.test
myorigin = \$mydomain
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions =
local_recipient_maps =
alias_maps =
alias_database =
default_transport = discard:bogusmx test
local_transport = local
relay_transport = discard:bogusmx test
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
smtpd_error_sleep_time = 0
# no pause before a queue file when mail arrives faster than it leaves
in_flow_delay = 0
smtpd_soft_error_limit = 1000
smtpd_hard_error_limit = 1000
maillog_file = $pf/maillog
maillog_file_prefixes = $pf
smtpd_milters = $milters
milter_default_action = tempfail
CF
	printf '%s\n' "$@" >>"$pf/main.cf"
	cat >"$pf/master.cf" <<CF
127.0.0.1:$SMTP_PORT inet n - ${E2E_CHROOT:-n} - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CF
	if [ -n "${E2E_MASTER_CF+x}" ]; then
		printf '%s\n' "${E2E_MASTER_CF[@]}" >>"$pf/master.cf"
	fi
	E2E_PF=$pf
	if ! postfix -c "$pf" start >"$E2E_TMP/postfix-start.log" 2>&1; then
		echo "postfix did not start:" >&2
		cat "$E2E_TMP/postfix-start.log" "$pf/maillog" >&2 2>/dev/null
		exit 1
	fi
	for _ in $(seq 1 50); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1', $SMTP_PORT), 1)" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "postfix does not listen on $SMTP_PORT" >&2
	cat "$pf/maillog" >&2
	exit 1
}

# e2e_expect WHAT WANT SWAKS-ARGS...: WANT must be in swaks' transcript.
e2e_expect() {
	local what=$1 want=$2 out
	shift 2
	E2E_N=$((E2E_N + 1))
	out=$(swaks --server "127.0.0.1:$SMTP_PORT" --helo client.bogusmx.test \
		--from sender@sender.test --timeout 30 "$@" 2>&1)
	if [[ "$out" == *"$want"* ]]; then
		echo "ok: $what"
	else
		echo "FAIL: $what: transcript lacks: $want"
		echo "$out" | sed 's/^/    /'
		E2E_FAILS=$((E2E_FAILS + 1))
	fi
}

e2e_done() {
	if [ "$E2E_FAILS" != 0 ]; then
		echo "--- milter log"
		cat "$E2E_TMP/milter.log"
		echo "--- postfix log"
		cat "$E2E_PF/maillog" 2>/dev/null
	fi
	echo "$((E2E_N - E2E_FAILS)) passed, $E2E_FAILS failed"
	[ "$E2E_FAILS" = 0 ]
}
