# %post - bogusmx: the system user, the socket's directory
# (/var/spool/postfix/bogusmx); on a first install the MTA's user is
# put in the group bogusmx and the service is enabled or not as the
# distribution's presets say, whether systemd runs or not (an image
# built offline), as %systemd_post does; on an upgrade a running
# service is restarted (postun).  $1: 1 install, 2+ upgrade.
if command -v systemd-sysusers >/dev/null 2>&1; then
	systemd-sysusers bogusmx.conf || :
elif ! getent passwd bogusmx >/dev/null; then
	useradd --system --user-group --home-dir /nonexistent --no-create-home \
		--shell /sbin/nologin --comment "bogusmx milter" bogusmx || :
fi
if command -v systemd-tmpfiles >/dev/null 2>&1; then
	systemd-tmpfiles --create bogusmx.conf || :
else
	install -d -o bogusmx -g bogusmx -m 2750 /var/spool/postfix/bogusmx || :
fi
if [ "$1" -eq 1 ]; then
	for mta in postfix smmsp; do
		if getent passwd "$mta" >/dev/null; then
			usermod -a -G bogusmx "$mta" || :
		fi
	done
	if command -v systemctl >/dev/null 2>&1; then
		systemctl --no-reload preset bogusmx.service >/dev/null 2>&1 || :
	fi
fi
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || :
fi
