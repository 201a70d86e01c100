#!/bin/bash
# run_diff.sh - compare lib/cidr with Postfix's postmap on one cidr table
#
# Usage: run_diff.sh [-g SEED [-n RULES]] [-s SEED] [-k KEYS] CIDR_GEN
#            CIDR_QUERY TABLE
#
#   -g SEED  first write a random table to TABLE with "cidr_gen table SEED"
#   -n RULES the number of rules of that table (default: 300 to 599)
#   -s SEED  seed for the generated keys (default: the -g seed, or 1)
#   -k KEYS  use the keys in this file instead of generating them
#
# The keys (by default "cidr_gen keys SEED TABLE") are looked up with
# "postmap -q - cidr:TABLE" and with cidr_query; both outputs are sorted
# and compared.  Prints the number of keys compared and of differing
# lines.  Exits 0 when the outputs are the same; 1 on any difference,
# when cidr_query rejects the table, or when postmap warns about a rule
# (it skips such rules, so it reads the table differently); 2 on a usage
# error or when postmap is missing or does not work.  Temporary files go
# to a mktemp -d directory that is removed on exit.
set -eu

prog=${0##*/}
gen_seed=
gen_rules=
key_seed=
keys_file=

usage() {
	echo "usage: $prog [-g SEED [-n RULES]] [-s SEED] [-k KEYS]" \
	    "CIDR_GEN CIDR_QUERY TABLE" >&2
	exit 2
}

while getopts g:n:s:k: opt; do
	case $opt in
	g) gen_seed=$OPTARG ;;
	n) gen_rules=$OPTARG ;;
	s) key_seed=$OPTARG ;;
	k) keys_file=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 3 ] || usage
cidr_gen=$1
cidr_query=$2
table=$3
[ -n "$key_seed" ] || key_seed=${gen_seed:-1}

# postmap lives in sbin, which is not always on the PATH of a test run.
postmap=${POSTMAP:-}
if [ -z "$postmap" ]; then
	postmap=$(PATH=$PATH:/usr/sbin:/usr/local/sbin:/sbin command -v postmap) ||
	    postmap=
fi
if [ -z "$postmap" ] || [ ! -x "$postmap" ]; then
	echo "$prog: postmap not found: install Postfix (apt-get install" \
	    "postfix; scripts/test installs it), or set POSTMAP" >&2
	exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/run_diff.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

if [ -n "$gen_seed" ]; then
	"$cidr_gen" table "$gen_seed" ${gen_rules:+"$gen_rules"} >"$table"
fi
[ -r "$table" ] || { echo "$prog: $table: cannot read" >&2; exit 2; }
case $table in
/*) abs_table=$table ;;
*) abs_table=$PWD/$table ;;
esac

if [ -n "$keys_file" ]; then
	LC_ALL=C sort -u "$keys_file" >"$tmp/keys"
else
	"$cidr_gen" keys "$key_seed" "$table" >"$tmp/keys.raw"
	LC_ALL=C sort -u "$tmp/keys.raw" >"$tmp/keys"
fi
nkeys=$(wc -l <"$tmp/keys")

# postmap needs a Postfix configuration.  Try the system's; if a trivial
# lookup fails, retry with a minimal main.cf of our own.
printf '127.0.0.1 OK\n' >"$tmp/probe.cidr"
conf=()
if [ "$("$postmap" -q 127.0.0.1 "cidr:$tmp/probe.cidr" 2>"$tmp/probe.err")" != OK ]; then
	mkdir "$tmp/conf"
	echo '# minimal configuration written by run_diff.sh' \
	    >"$tmp/conf/main.cf"
	conf=(-c "$tmp/conf")
	if [ "$("$postmap" "${conf[@]}" -q 127.0.0.1 "cidr:$tmp/probe.cidr" \
	    2>>"$tmp/probe.err")" != OK ]; then
		echo "$prog: $postmap does not work:" >&2
		cat "$tmp/probe.err" >&2
		exit 2
	fi
fi

# bogusmx.
rc=0
"$cidr_query" "$table" <"$tmp/keys" >"$tmp/bmx.out" 2>"$tmp/bmx.err" || rc=$?
if [ "$rc" -gt 128 ]; then
	echo "$prog: $table: cidr_query crashed (signal $((rc - 128)))" >&2
	exit 1
elif [ "$rc" -ne 0 ]; then
	grep -v ': warning: ' "$tmp/bmx.err" >&2 || true
	echo "$prog: $table: cidr_query rejected the table (exit $rc)" >&2
	exit 1
fi
# "cidr_query: TABLE: N rules, N ranges, N warnings"
summary=$(tail -n 1 "$tmp/bmx.err")
summary=${summary##*: }

# Postfix.  postmap writes its warnings to stderr only when stderr is a
# terminal (else to syslog), so run it under script(1) to see them.  Its
# exit status is 1 when no key matched.
cmd=$(printf '%q ' "$postmap" "${conf[@]}" -q - "cidr:$abs_table")
cmd="exec $cmd <$(printf %q "$tmp/keys") >$(printf %q "$tmp/pm.out")"
rc=0
seen=yes
if command -v script >/dev/null; then
	script -qec "$cmd" "$tmp/pm.log" </dev/null >/dev/null 2>&1 || rc=$?
	if [ ! -e "$tmp/pm.out" ]; then
		seen=no # no terminal for script(1)
	fi
else
	seen=no
fi
if [ "$seen" = no ]; then
	rc=0
	bash -c "$cmd" 2>"$tmp/pm.log" || rc=$?
	echo "$prog: note: postmap warnings are not visible without script(1)"
fi
if [ "$rc" -gt 1 ]; then
	cat "$tmp/pm.log" >&2
	echo "$prog: postmap failed (exit $rc)" >&2
	exit 2
fi
tr -d '\r' <"$tmp/pm.log" | grep 'postmap: ' >"$tmp/pm.msg" || true
if grep -q 'fatal:\|panic:' "$tmp/pm.msg"; then
	cat "$tmp/pm.msg" >&2
	echo "$prog: postmap failed" >&2
	exit 2
fi

LC_ALL=C sort "$tmp/pm.out" >"$tmp/postmap.sorted"
LC_ALL=C sort "$tmp/bmx.out" >"$tmp/bogusmx.sorted"
ndiff=0
if ! diff "$tmp/postmap.sorted" "$tmp/bogusmx.sorted" >"$tmp/diff"; then
	ndiff=$(grep -c '^[<>]' "$tmp/diff" || true)
fi
nmatch=$(wc -l <"$tmp/postmap.sorted")
nresults=$(cut -f2 "$tmp/postmap.sorted" | LC_ALL=C sort -u | wc -l)
npmwarn=$(grep -c 'warning:' "$tmp/pm.msg" || true)

echo "$prog: $table: $summary"
echo "$prog: $table: $nkeys keys compared, $nmatch matched by postmap" \
    "($nresults distinct results), $ndiff differing lines," \
    "$npmwarn postmap warnings"
status=0
if [ "$npmwarn" -gt 0 ]; then
	echo "postmap skipped rules that cidr_query accepted:"
	head -n 20 "$tmp/pm.msg"
	status=1
fi
if [ "$ndiff" -gt 0 ]; then
	echo "differences (< postmap, > cidr_query), first 40 lines:"
	head -n 40 "$tmp/diff"
	status=1
fi
exit $status
