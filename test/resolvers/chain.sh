# chain.sh - sourced by the resolver tests: a root zone served by nsd and a
# real recursive resolver in front of it, all on random loopback ports.
#
#   start_chain MODE ZONEFILE  start nsd and the resolver of MODE (see
#                              run.sh); sets RESOLVER_PORT, and CANARY to
#                              the private canary the mode's
#                              configuration names ("" for none)
#   stop_all                   stop every server started
#
# The caller sets $tmp (a private directory) and $here (this directory).
# Only loopback is ever queried: nsd serves the root; the lame
# delegations of the corpus point at 127.255.255.254, where nothing
# listens.

for tool in nsd unbound dnsmasq drill python3; do
	command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || {
		echo "$tool not found: install nsd unbound dnsmasq-base ldnsutils" >&2
		exit 1
	}
done
export PATH=$PATH:/usr/sbin
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

# e2e_port: a free loopback port (the end-to-end tests' helper)
declare -F e2e_port >/dev/null || . "$here/../e2e/lib.sh"

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

# serve NAME PORT COMMAND...: start a server (its output in $tmp/NAME.log)
# and wait until it answers on PORT; on failure, its log on stderr.
serve() {
	local name=$1 port=$2
	shift 2
	"$@" >>"$tmp/$name.log" 2>&1 &
	pids+=($!)
	wait_dns "$port" || {
		cat "$tmp/$name.log" >&2
		return 1
	}
}

start_nsd() {
	local zone=$1
	NSD_PORT=$(e2e_port)
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
	serve nsd "$NSD_PORT" nsd -d -c "$tmp/nsd.conf"
}

start_unbound() {
	UNBOUND_PORT=$(e2e_port)
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
  unknown-server-time-limit: 100
  outbound-msg-retry: 2
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
	serve unbound "$UNBOUND_PORT" unbound -d -c "$tmp/unbound.conf"
}

start_dnsmasq() {
	DNSMASQ_PORT=$(e2e_port)
	serve dnsmasq "$DNSMASQ_PORT" dnsmasq --keep-in-foreground --no-resolv \
		--no-hosts --bind-interfaces --listen-address=127.0.0.1 \
		--port="$DNSMASQ_PORT" --server="127.0.0.1#$UNBOUND_PORT" \
		--pid-file="$tmp/dnsmasq.pid" --conf-file=/dev/null \
		--log-facility="$tmp/dnsmasq.log" "$@"
}

start_rewriter() {
	REWRITE_PORT=$(e2e_port)
	serve rewrite "$REWRITE_PORT" python3 "$here/nxrewrite.py" \
		"$REWRITE_PORT" "$UNBOUND_PORT" 23.45.67.89
}

# Start the chain for this mode; sets RESOLVER_PORT and CANARY.
start_chain() {
	mode=$1
	start_nsd "$2" || return 1
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

