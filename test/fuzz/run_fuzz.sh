#!/bin/sh
# run_fuzz.sh - a short run of one libFuzzer target, for ctest
#
# Usage: run_fuzz.sh FUZZER SEED_CORPUS RUNS SECONDS
#
# Runs FUZZER over the seed corpus (read only: new inputs go to a
# temporary directory, removed on exit) for RUNS executions or SECONDS
# seconds, whichever comes first, with a fixed seed so that a failure
# can be reproduced.  A crash, leak, timeout or sanitizer report fails
# the test; the input that caused it is kept in the current directory
# as crash-*, leak-* or timeout-* (reproduce: FUZZER FILE).
set -eu
[ $# -eq 4 ] || { echo "usage: $0 FUZZER SEED_CORPUS RUNS SECONDS" >&2; exit 2; }
fuzzer=$1
seeds=$2
runs=$3
seconds=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
"$fuzzer" -seed=1 -runs="$runs" -max_total_time="$seconds" -timeout=10 \
	-rss_limit_mb=1024 -print_final_stats=1 \
	-artifact_prefix="$(pwd)/" "$work" "$seeds"
