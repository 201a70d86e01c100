# %postun - bogusmx: reload systemd; on upgrade ($1 >= 1) restart a
# running service with the new binary; on erase remove the socket's
# directory.
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || :
	if [ "$1" -ge 1 ]; then
		systemctl try-restart bogusmx.service >/dev/null 2>&1 || :
	fi
fi
# erase: the socket's directory goes (and /var/spool/postfix when that
# leaves it empty: no Postfix there)
if [ "$1" -eq 0 ]; then
	rm -rf /var/spool/postfix/bogusmx
	rmdir /var/spool/postfix 2>/dev/null || :
fi
