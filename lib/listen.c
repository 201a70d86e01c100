/*
 * listen.c - parse a listening spec, open the socket
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "listen.h"

static bool
parse_inet(const char *rest, int family, struct bmx_listen *out, char *err,
    size_t errlen)
{
	struct addrinfo hints, *res;
	const char *at = strchr(rest, '@');
	char host[64], *end;
	unsigned long port;
	size_t len;

	port = strtoul(rest, &end, 10);
	if (end == rest || end != at || port == 0 || port > 65535) {
		snprintf(err, errlen, "the port must be 1..65535 before '@'");
		return false;
	}
	at++;
	len = strlen(at);
	if (len >= 2 && at[0] == '[' && at[len - 1] == ']') {
		at++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof(host)) {
		snprintf(err, errlen, "an address is needed after '@'");
		return false;
	}
	memcpy(host, at, len);
	host[len] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	snprintf(out->path, sizeof(out->path), "%lu", port);
	if (getaddrinfo(host, out->path, &hints, &res) != 0) {
		snprintf(err, errlen, "\"%s\" is not an IPv%c address", host,
		    family == AF_INET ? '4' : '6');
		return false;
	}
	memcpy(&out->addr, res->ai_addr, res->ai_addrlen);
	out->addrlen = res->ai_addrlen;
	out->family = family;
	out->path[0] = '\0';
	freeaddrinfo(res);
	return true;
}

bool
bmx_listen_parse(
    const char *spec, struct bmx_listen *out, char *err, size_t errlen)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&out->addr;
	const char *path = spec;

	memset(out, 0, sizeof(*out));
	if (strncmp(spec, "inet:", 5) == 0)
		return parse_inet(spec + 5, AF_INET, out, err, errlen);
	if (strncmp(spec, "inet6:", 6) == 0)
		return parse_inet(spec + 6, AF_INET6, out, err, errlen);
	if (strncmp(spec, "unix:", 5) == 0)
		path = spec + 5;
	if (path[0] != '/') {
		snprintf(err, errlen,
		    "use inet:PORT@ADDRESS, inet6:PORT@[ADDRESS] or "
		    "unix:/PATH");
		return false;
	}
	if (strlen(path) >= sizeof(sun->sun_path)) {
		snprintf(err, errlen,
		    "a unix socket's path is at most %zu bytes",
		    sizeof(sun->sun_path) - 1);
		return false;
	}
	out->family = AF_UNIX;
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path, sizeof(sun->sun_path), "%s", path);
	snprintf(out->path, sizeof(out->path), "%s", path);
	out->addrlen = (socklen_t)sizeof(*sun);
	return true;
}

/* Remove a stale unix socket; anything else at the path stays. */
static bool
remove_stale(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return true;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s: exists and is not a socket", path);
		return false;
	}
	if (unlink(path) != 0) {
		snprintf(err, errlen, "%s: cannot remove the old socket: %s",
		    path, strerror(errno));
		return false;
	}
	return true;
}

int
bmx_listen_open(const struct bmx_listen *l, unsigned mode, uid_t uid, gid_t gid,
    char *err, size_t errlen)
{
	const char *what = l->family == AF_UNIX ? l->path : "the address";
	int fd, on = 1, rc;
	mode_t old;

	if (l->family == AF_UNIX && !remove_stale(l->path, err, errlen))
		return -1;
	fd = socket(l->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (l->family != AF_UNIX)
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	old = umask(l->family == AF_UNIX ? (~mode & 0777) : 0);
	rc = bind(fd, (const struct sockaddr *)&l->addr, l->addrlen);
	umask(old);
	if (rc != 0 || listen(fd, 16) != 0 ||
	    (l->family == AF_UNIX && chmod(l->path, mode) != 0) ||
	    (l->family == AF_UNIX && uid != (uid_t)-1 &&
		chown(l->path, uid, gid) != 0)) {
		snprintf(err, errlen, "%s: cannot listen: %s", what,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
bmx_listen_spec(const char *key, const char *spec, unsigned mode, uid_t uid,
    gid_t gid, struct bmx_listen *out, char *err, size_t errlen)
{
	char msg[256];

	if (!bmx_listen_parse(spec, out, msg, sizeof(msg))) {
		snprintf(err, errlen, "%s \"%s\": %s", key, spec, msg);
		return -1;
	}
	return bmx_listen_open(out, mode, uid, gid, err, errlen);
}
