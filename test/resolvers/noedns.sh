#!/bin/bash
# noedns.sh - a server that answers FORMERR or NOTIMP to a query with
# EDNS is asked again without it (RFC 6891 section 7).
#
# Usage: noedns.sh BOGUSMX-CHECK
#
# For FORMERR and NOTIMP in turn, noedns.py on a random loopback port;
# bogusmx-check must accept user@old-server.example.net (MX, A and AAAA
# each asked with EDNS, refused, and asked again without), and the
# server's log must show every name and type asked both ways.  Before
# the retry existed, each came back as a temporary failure (451).
set -u
check=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
pid=
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
. "$here/../common/testns.sh"
: >"$tmp/empty.conf"
fails=0
for rcode in FORMERR NOTIMP; do
	testns_start "$tmp/$rcode.log" python3 "$here/noedns.py" "$rcode" ||
		exit 1
	pid=$TESTNS_PID
	out=$("$check" -c "$tmp/empty.conf" --json -s "127.0.0.1:$TESTNS_PORT" \
		user@old-server.example.net)
	rc=$?
	kill $pid
	wait $pid 2>/dev/null
	pid=
	edns=$(grep -c ' edns$' "$tmp/$rcode.log")
	plain=$(grep -c ' plain$' "$tmp/$rcode.log")
	if [ $rc = 0 ] && [[ "$out" == *'"verdict":"accept"'* ]] &&
		[ "$edns" = 3 ] && [ "$plain" = 3 ]; then
		echo "ok: $rcode to EDNS: asked again without it ($edns with, $plain without), accepted"
	else
		echo "FAIL: $rcode to EDNS: exit $rc, $edns queries with EDNS, $plain without: $out"
		cat "$tmp/$rcode.log"
		fails=$((fails + 1))
	fi
done
[ $fails = 0 ]
