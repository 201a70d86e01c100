#!/bin/bash
# rpm.sh - the .rpm: its description, summary, URL and packager as
# carefully made as the .deb's; configuration files %config(noreplace),
# no claim on directories other packages own, scriptlets (the preset
# applied whether systemd runs or not), library requirements; Debian's
# rpmlint, where any error but the missing signature fails.
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

# %post: the preset on a first install, outside the "systemd runs" test
# (as %systemd_post: an image made offline gets the distribution's
# preset too); the MTA's users put in the group, the socket's directory.
post=$(printf '%s\n' "$scripts" | sed -n '/^postinstall scriptlet/,/^[a-z]* scriptlet/p')
guarded=$(printf '%s\n' "$post" | sed -n '/run\/systemd\/system/,/^fi$/p')
printf '%s\n' "$post" | grep -q 'systemctl --no-reload preset bogusmx.service' &&
	! printf '%s\n' "$guarded" | grep -q preset &&
	ok "%post: systemctl preset, whether systemd runs or not" ||
	fail "%post: no preset outside the /run/systemd/system test"
printf '%s\n' "$post" | grep -q 'usermod -a -G bogusmx "$mta"' &&
	printf '%s\n' "$post" | grep -q 'systemd-tmpfiles --create bogusmx.conf' &&
	ok "%post: the MTA's users in group bogusmx, the socket's directory" ||
	fail "%post: no group membership or socket directory"

# The texts, as the .deb's.
info() { rpm -qp --qf "%{$1}" "$rpm"; }
summary=$(info SUMMARY)
[[ "$summary" == [A-Z]* ]] && [ "${summary,,}" = "milter that refuses recipients whose mx hosts are bogus" ] &&
	ok "Summary: $summary" || fail "Summary: '$summary'"
desc=$(info DESCRIPTION)
[[ "$desc" == "bogusmx stops backscatter at the SMTP RCPT stage."* ]] &&
	[[ "$desc" != *CPack* ]] &&
	ok "Description: the .deb's (${#desc} characters)" ||
	fail "Description: $desc"
url=$(info URL)
[[ "$url" == https://* ]] && ok "URL: $url" || fail "URL: '$url'"
packager=$(info PACKAGER)
[[ "$packager" == *"<"*@*">" ]] && ok "Packager: $packager" ||
	fail "Packager: '$packager'"

# rpmlint: the signature is the signer's business, not the build's.
if command -v rpmlint >/dev/null; then
	out=$(rpmlint "$rpm" 2>&1)
	printf '%s\n' "$out" | grep -E ': [EW]: ' | sed 's/^/    /'
	errors=$(printf '%s\n' "$out" | grep ': E: ' | grep -v ': E: no-signature')
	if [ -z "$errors" ] &&
		printf '%s\n' "$out" | grep -q 'packages and 0 specfiles checked'; then
		ok "rpmlint: no error but the missing signature"
	else
		printf '%s\n' "$out" | sed 's/^/    /'
		fail "rpmlint: $(printf '%s\n' "$errors" | grep -c .) error(s)"
	fi
else
	echo "rpmlint not found (package rpmlint): not run"
fi
echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
