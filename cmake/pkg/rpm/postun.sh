# %postun - bogusmx: reload systemd; on upgrade ($1 >= 1) restart a
# running service with the new binary.
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || :
	if [ "$1" -ge 1 ]; then
		systemctl try-restart bogusmx.service >/dev/null 2>&1 || :
	fi
fi
