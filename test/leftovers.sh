#!/bin/bash
# leftovers.sh - the suite's last test: no process a test started is left.
#
# A process is the suite's when its environment holds BMX_TEST_TREE=TREE
# (ctest gives it to every test, and children inherit it) or when it runs
# a program of TREE.  Each one found is named, killed, and the test fails.
#
# Usage: leftovers.sh TREE (the build tree)
set -u
tree=$1
marker="BMX_TEST_TREE=$tree"
# one grep and one find over /proc, not a process per process
found=$({
	grep -lzxF -- "$marker" /proc/[0-9]*/environ 2>/dev/null
	find /proc -mindepth 2 -maxdepth 2 -name exe -lname "$tree/*" 2>/dev/null
} | cut -d/ -f3 | sort -un)
left=0
for p in $found; do
	[ "$p" = $$ ] && continue
	cmd=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) || continue
	[ -n "$cmd" ] || continue # a zombie, or gone
	echo "left running: pid $p: $cmd"
	kill -KILL "$p" 2>/dev/null
	left=$((left + 1))
done
if [ "$left" = 0 ]; then
	echo "ok: no process of the suite left"
else
	echo "FAIL: $left process(es) of the suite were left running (killed now)"
	exit 1
fi
