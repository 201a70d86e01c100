/*
 * ctl.c - bogusmx-ctl: ask the running milter through its control socket
 *
 * bogusmx-ctl [-s SOCKET] [--json] COMMAND [ARGUMENT...]
 *
 *   status          version, uptime, configuration, counters
 *   purge DOMAIN    drop DOMAIN and its MX hosts from the cache
 *   dump [N]        the first N cache entries (default 100)
 *   resolver        the resolver guard's findings
 *   report [--reset] [N]
 *                   what action = reject would have refused; --reset
 *                   starts counting again (after printing)
 *
 * The request is one line (control.h); the reply's body is printed as
 * it comes, for a person or, with --json, as one JSON object.
 *
 * Exit status: 0 done, 64 usage error, 65 the daemon refused an
 * argument, 69 the daemon cannot do it or cannot be reached, 70 the
 * daemon failed, 76 a reply not in the protocol, 77 no permission to
 * connect.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sysexits.h>
#include <unistd.h>

#include "control.h"
#include "registry.h"

#define DEFAULT_SOCKET "/run/bogusmx/control.sock"

static const char usage_text[] =
    "usage: bogusmx-ctl [-s SOCKET] [--json] status | purge DOMAIN | "
    "dump [N] | resolver | report [--reset] [N]\n";

static void
usage(void)
{
	fputs(usage_text, stderr);
	exit(EX_USAGE);
}

/* The request line for argv (the command and its arguments). */
static void
request(int argc, char **argv, bool json, char *line, size_t len)
{
	static const struct {
		const char *verb;
		int min, max;
	} verbs[] = { { "status", 0, 0 }, { "purge", 1, 1 }, { "dump", 0, 1 },
		{ "resolver", 0, 0 }, { "report", 0, 2 } };
	size_t i, n;
	int a;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(argv[0], verbs[i].verb) == 0)
			break;
	if (i == sizeof(verbs) / sizeof(verbs[0])) {
		fprintf(
		    stderr, "bogusmx-ctl: unknown command \"%s\"\n", argv[0]);
		usage();
	}
	if (argc - 1 < verbs[i].min || argc - 1 > verbs[i].max)
		usage();
	n = (size_t)snprintf(line, len, "%s%s", json ? "json " : "", argv[0]);
	for (a = 1; a < argc && n < len; a++) {
		const char *w = argv[a];

		if (strcmp(argv[0], "report") == 0 && strcmp(w, "--reset") == 0)
			w = "reset";
		if (w[0] == '\0' || strpbrk(w, " \t\r\n") != NULL) {
			fprintf(stderr, "bogusmx-ctl: bad argument \"%s\"\n",
			    argv[a]);
			exit(EX_USAGE);
		}
		n += (size_t)snprintf(line + n, len - n, " %s", w);
	}
	if (n + 1 >= len) {
		fprintf(stderr, "bogusmx-ctl: the request is too long\n");
		exit(EX_USAGE);
	}
	line[n++] = '\n';
	line[n] = '\0';
}

static int
connect_to(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "bogusmx-ctl: %s: path too long\n", path);
		exit(EX_USAGE);
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		int e = errno;

		fprintf(stderr, "bogusmx-ctl: %s: %s%s\n", path, strerror(e),
		    e == EACCES ? " (not in the socket's group?)" :
			e == ENOENT || e == ECONNREFUSED ?
				  " (is bogusmx-milter running, with "
				  "control-socket set?)" :
				  "");
		exit(e == EACCES || e == EPERM ? EX_NOPERM : EX_UNAVAILABLE);
	}
	return fd;
}

/* The exit status of an "error KIND: text" line. */
static int
error_status(const char *line)
{
	static const struct {
		const char *kind;
		int status;
	} kinds[] = { { "error usage:", EX_USAGE },
		{ "error data:", EX_DATAERR },
		{ "error unavailable:", EX_UNAVAILABLE },
		{ "error software:", EX_SOFTWARE } };
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strncmp(line, kinds[i].kind, strlen(kinds[i].kind)) == 0)
			return kinds[i].status;
	return EX_PROTOCOL;
}

/* Read the reply: its first line decides, the rest goes to stdout. */
static int
converse(int fd, const char *line)
{
	char first[BMX_CONTROL_LINE_MAX];
	FILE *in;
	size_t n;
	char buf[8192];
	int status;

	if (send(fd, line, strlen(line), MSG_NOSIGNAL) < 0 ||
	    (in = fdopen(fd, "r")) == NULL) {
		fprintf(
		    stderr, "bogusmx-ctl: cannot send: %s\n", strerror(errno));
		return EX_UNAVAILABLE;
	}
	if (fgets(first, sizeof(first), in) == NULL ||
	    strchr(first, '\n') == NULL) {
		fprintf(stderr, "bogusmx-ctl: no reply from the daemon\n");
		fclose(in);
		return EX_PROTOCOL;
	}
	if (strcmp(first, "ok\n") != 0) {
		status = error_status(first);
		fprintf(stderr, "bogusmx-ctl: %s", first);
		fclose(in);
		return status;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(in);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("bogusmx-ctl: stdout");
		return EX_IOERR;
	}
	return EX_OK;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = DEFAULT_SOCKET;
	char line[BMX_CONTROL_LINE_MAX + 1];
	bool json = false;
	int ch;

	/* "+": options stop at the command ("report --reset" is its own) */
	while ((ch = getopt_long(argc, argv, "+s:jhV", longopts, NULL)) != -1)
		switch (ch) {
		case 's':
			path = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EX_OK;
		case 'V':
			printf("bogusmx-ctl %s, special-purpose address "
			       "registry of %s\n",
			    BMX_VERSION, bmx_registry_date());
			return EX_OK;
		default:
			usage();
		}
	if (optind >= argc)
		usage();
	request(argc - optind, argv + optind, json, line, sizeof(line));
	return converse(connect_to(path), line);
}
