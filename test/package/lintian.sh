#!/bin/bash
# lintian.sh - lintian on the .deb: any E: line fails; W:, I: and P:
# lines are shown.
#
# Usage: lintian.sh DEB
set -u
deb=$1
. "$(dirname "$0")/../common/harness.sh"
harness_want "package lintian" lintian
# lintian warns when it runs as root; it only reads the file.
run=(lintian --display-info --pedantic --display-experimental "$deb")
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	harness_tmp
	cp "$deb" "$tmp/" && chmod 644 "$tmp/$(basename "$deb")"
	run=(setpriv --reuid=nobody --regid=nogroup --clear-groups
		env HOME="$tmp" lintian --display-info --pedantic --display-experimental
		"$tmp/$(basename "$deb")")
fi
out=$("${run[@]}" 2>&1)
rc=$?
printf '%s\n' "$out" | grep -E '^[EWIPX]: ' || echo "(no tags)"
errors=$(printf '%s\n' "$out" | grep -c '^E: ')
if [ "$errors" != 0 ]; then
	echo "FAIL: lintian: $errors error(s)"
	exit 1
fi
if [ $rc -gt 2 ]; then # 1 and 2: tags were found; more: lintian broke
	printf '%s\n' "$out"
	echo "FAIL: lintian exit status $rc"
	exit 1
fi
echo "ok: lintian: no errors"
