# %post - bogusmx: the system user; on a first install the service is
# enabled or not as the distribution's presets say; on an upgrade a
# running service is restarted (postun).  $1: 1 install, 2+ upgrade.
if command -v systemd-sysusers >/dev/null 2>&1; then
	systemd-sysusers bogusmx.conf || :
elif ! getent passwd bogusmx >/dev/null; then
	useradd --system --user-group --home-dir /nonexistent --no-create-home \
		--shell /sbin/nologin --comment "bogusmx milter" bogusmx || :
fi
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || :
	if [ "$1" -eq 1 ]; then
		systemctl --no-reload preset bogusmx.service >/dev/null 2>&1 || :
	fi
fi
