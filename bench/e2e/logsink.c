/*
 * logsink.c - the syslog daemon of a host that runs none, for the bench
 *
 * bogusmx-milter logs one line per decision with syslog(3).  On a host
 * without a syslog daemon (no /dev/log), glibc's syslog() opens a
 * socket, fails to connect it and closes it again on every line: a cost
 * no production host pays, which would be counted against the milter.
 * bench/e2e/run builds this (cc logsink.c) and, when the host has no
 * /dev/log, runs it there for the length of the run: it receives every
 * datagram and appends it, one line each, to a file, the work a plain
 * syslog daemon (or Postfix's postlogd, which the bench's Postfix
 * instances log through) does per line.
 *
 * Usage: logsink SOCKET_PATH LOG_FILE
 *
 * It binds SOCKET_PATH (which must not exist; mode 0666, as /dev/log),
 * says "ready" on stdout, and runs until killed; the caller removes the
 * socket.  Exit status 1 when it cannot start.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char line[8192 + 1];
	ssize_t n;
	int s, fd;

	if (argc != 3 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: logsink SOCKET_PATH LOG_FILE\n");
		return 1;
	}
	fd = open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "logsink: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	memcpy(sa.sun_path, argv[1], strlen(argv[1]) + 1);
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    chmod(argv[1], 0666) != 0) {
		fprintf(stderr, "logsink: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		n = recv(s, line, sizeof(line) - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "logsink: recv: %s\n", strerror(errno));
			return 1;
		}
		line[n++] = '\n';
		if (write(fd, line, (size_t)n) != n) {
			fprintf(stderr, "logsink: %s: %s\n", argv[2],
			    strerror(errno));
			return 1;
		}
	}
}
