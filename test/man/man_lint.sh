#!/bin/bash
# man_lint.sh - every manual page must be clean: no message at all from
# mandoc -Tlint -Wwarning, nor from man --warnings (groff, as lintian
# runs it) when man is installed.
# Usage: man_lint.sh PAGE...
set -u
fails=0
if ! command -v mandoc >/dev/null; then
	echo "mandoc not found: install mandoc" >&2
	exit 1
fi
for page in "$@"; do
	out=$(mandoc -Tlint -Wwarning "$page" 2>&1)
	rc=$?
	if [ "$rc" != 0 ] || [ -n "$out" ]; then
		echo "FAIL: mandoc -Tlint -Wwarning $page (exit $rc)"
		printf '%s\n' "$out"
		fails=$((fails + 1))
	else
		echo "ok: mandoc $page"
	fi
	if command -v man >/dev/null; then
		out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l \
			-Tutf8 -Z "$page" 2>&1 >/dev/null)
		rc=$?
		if [ "$rc" != 0 ] || [ -n "$out" ]; then
			echo "FAIL: man --warnings $page (exit $rc)"
			printf '%s\n' "$out"
			fails=$((fails + 1))
		else
			echo "ok: man --warnings $page"
		fi
	fi
done
echo "$# page(s), $fails failure(s)"
[ "$fails" = 0 ]
