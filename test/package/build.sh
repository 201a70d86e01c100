#!/bin/bash
# build.sh - `cmake --build BUILD --target package`: the .deb, and the
# .rpm when rpmbuild is installed.
#
# Usage: build.sh BUILDDIR DEB RPM-GLOB
set -u
build=$1 deb=$2 rpmglob=$3
rm -f "$deb" $rpmglob
if ! out=$(cmake --build "$build" --target package 2>&1); then
	echo "$out"
	echo "FAIL: cmake --build $build --target package"
	exit 1
fi
printf '%s\n' "$out" | grep -E '^CPack: - package: |Warning|warning' || :
status=0
if [ -f "$deb" ]; then
	echo "ok: $(basename "$deb")"
	dpkg-deb --field "$deb" Package Version Depends
else
	echo "FAIL: no $deb"
	status=1
fi
if command -v rpmbuild >/dev/null; then
	rpm=$(compgen -G "$rpmglob" | head -n 1)
	if [ -n "$rpm" ]; then
		echo "ok: $(basename "$rpm")"
	else
		echo "FAIL: rpmbuild is there but no $rpmglob"
		status=1
	fi
else
	echo "rpmbuild not found (package rpm): no .rpm made"
fi
exit $status
