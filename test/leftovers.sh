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
left=0
for d in /proc/[0-9]*; do
	p=${d#/proc/}
	[ "$p" = $$ ] || [ "$p" = "$BASHPID" ] && continue
	exe=$(readlink "$d/exe" 2>/dev/null) || continue
	ours=false
	case $exe in "$tree"/*) ours=true ;; esac
	if ! $ours && [ -r "$d/environ" ] &&
		{ tr "\0" "\n" <"$d/environ"; } 2>/dev/null | grep -qxF -- "$marker"; then
		ours=true
	fi
	$ours || continue
	# our own pipeline's helpers (this script runs without the marker)
	[ "$(awk '{print $4}' "$d/stat" 2>/dev/null)" = $$ ] && continue
	echo "left running: pid $p: $(tr '\0' ' ' <"$d/cmdline" 2>/dev/null)"
	kill -KILL "$p" 2>/dev/null
	left=$((left + 1))
done
if [ "$left" = 0 ]; then
	echo "ok: no process of the suite left"
else
	echo "FAIL: $left process(es) of the suite were left running (killed now)"
	exit 1
fi
