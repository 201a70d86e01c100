#!/bin/bash
# rpm.sh - the .rpm: configuration files %config(noreplace), no claim on
# directories other packages own, scriptlets, library requirements.
# (Installing it is for an RPM distribution; an .rpm built on Debian
# requires Debian's libmilter SONAME.)
#
# Usage: rpm.sh RPM-GLOB
# Exit 77 when rpm/rpmbuild are not installed (no .rpm was made).
set -u
rpmglob=$1
command -v rpm >/dev/null && command -v rpmbuild >/dev/null || {
	echo "SKIP: rpm/rpmbuild not found (package rpm)"
	exit 77
}
rpm=$(compgen -G "$rpmglob" | head -n 1)
[ -n "$rpm" ] || {
	echo "FAIL: no $rpmglob"
	exit 1
}
fails=0 n=0
ok() { n=$((n + 1)); echo "ok: $1"; }
fail() { n=$((n + 1)); fails=$((fails + 1)); echo "FAIL: $1"; }

files=$(rpm -qp --qf '[%{FILEFLAGS:fflags}|%{FILEMODES:perms}|%{FILENAMES}\n]' "$rpm")
echo "$files" | sed 's/^/    /'
want_config="cn|/etc/bogusmx/bogusmx.conf
cn|/etc/mail/m4/bogusmx.m4"
got_config=$(echo "$files" | awk -F'|' '$1 ~ /c/ { print $1 "|" $3 }')
[ "$got_config" = "$want_config" ] &&
	ok "%config(noreplace): exactly bogusmx.conf and bogusmx.m4" ||
	fail "config files: $got_config"
others=$(echo "$files" | awk -F'|' '$2 ~ /^d/ { print $3 }' |
	grep -v -e bogusmx -e '^/etc/mail/m4$' -e '/\.build-id')
[ -z "$others" ] && ok "no directory of other packages claimed" ||
	fail "claims directories: $others"
for f in /usr/sbin/bogusmx-milter /usr/bin/bogusmx-check /usr/sbin/bogusmx-ctl \
	/usr/lib/systemd/system/bogusmx.service \
	/usr/lib/sysusers.d/bogusmx.conf /usr/lib/tmpfiles.d/bogusmx.conf \
	/usr/share/man/man8/bogusmx-milter.8.gz \
	/usr/share/man/man8/bogusmx-ctl.8.gz; do
	echo "$files" | grep -q "|$f\$" && ok "has $f" || fail "lacks $f"
done
scripts=$(rpm -qp --scripts "$rpm")
for s in postinstall preuninstall postuninstall; do
	echo "$scripts" | grep -q "^$s scriptlet" && ok "$s scriptlet" ||
		fail "no $s scriptlet"
done
rpm -qp --requires "$rpm" | grep -q '^libmilter\.so' &&
	ok "requires libmilter" || fail "no libmilter requirement"
echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
