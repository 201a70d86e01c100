dnl bogusmx.m4 - Sendmail: pass every RCPT to bogusmx-milter(8).
dnl
dnl Installed as /etc/mail/m4/bogusmx.m4.  Add to /etc/mail/sendmail.mc,
dnl after the FEATUREs and before the MAILER lines:
dnl
dnl	include(`/etc/mail/m4/bogusmx.m4')dnl
dnl
dnl then rebuild sendmail.cf (sendmailconfig, or make -C /etc/mail) and
dnl restart sendmail.  S= is bogusmx-milter's socket: the default unix
dnl socket, which only root and the group bogusmx (the package puts
dnl smmsp in it) can reach; inet:8894@127.0.0.1 if you set that socket
dnl in bogusmx.conf (every local user can reach it: see BUGS in
dnl bogusmx-milter(8)).
dnl F=T: when the milter cannot be reached, recipients are deferred (4xx),
dnl never accepted unchecked; without an F= flag Sendmail would go on as
dnl if there were no filter.
dnl T=: connect 10 s, send 10 s, reply 20 s (the milter answers within
dnl its DNS deadline, 6 s by default: keep R above deadline-ms), whole
dnl message 5 min.
INPUT_MAIL_FILTER(`bogusmx', `S=local:/var/spool/postfix/bogusmx/bogusmx.sock, F=T, T=C:10s;S:10s;R:20s;E:5m')dnl
