/*
 * listen.c - parse a listening spec, open the socket
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "listen.h"
#include "sock.h"
#include "sockspec.h"

#define LISTEN_FORMS                                                           \
	"use inet:PORT@ADDRESS, inet6:PORT@[ADDRESS], unix:/PATH or "          \
	"local:/PATH"

/* The restrictions on an inet spec: a port number, a numeric address. */
static bool
inet_spec(const struct bmx_sockspec *s, struct bmx_listen *out, char *err,
    size_t errlen)
{
	int family = s->kind == BMX_SOCK_INET ? AF_INET : AF_INET6;
	struct sockaddr_in *sin = (struct sockaddr_in *)&out->addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->addr;
	unsigned long port;
	char *end;
	void *dst;

	port = strtoul(s->port, &end, 10);
	if (s->port[0] < '0' || s->port[0] > '9' || *end != '\0' || port == 0 ||
	    port > 65535) {
		snprintf(err, errlen, "the port must be 1..65535 before '@'");
		return false;
	}
	if (s->host[0] == '\0') {
		snprintf(err, errlen, "an address is needed after '@'");
		return false;
	}
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		dst = &sin->sin_addr;
		out->addrlen = (socklen_t)sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		dst = &sin6->sin6_addr;
		out->addrlen = (socklen_t)sizeof(*sin6);
	}
	if (inet_pton(family, s->host, dst) != 1) {
		snprintf(err, errlen, "\"%s\" is not an IPv%c address", s->host,
		    family == AF_INET ? '4' : '6');
		return false;
	}
	out->family = family;
	return true;
}

bool
bmx_listen_parse(
    const char *spec, struct bmx_listen *out, char *err, size_t errlen)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&out->addr;
	struct bmx_sockspec s;

	memset(out, 0, sizeof(*out));
	if (!bmx_sockspec_parse(spec, &s, err, errlen)) {
		/* A unix spec's reason is its own (a relative path); any
		 * other names the forms of this key, not fd:N. */
		if (s.kind != BMX_SOCK_UNIX || s.path[0] == '\0')
			snprintf(err, errlen, "%s", LISTEN_FORMS);
		return false;
	}
	if (s.kind == BMX_SOCK_FD) {
		snprintf(err, errlen, "%s", LISTEN_FORMS);
		return false;
	}
	if (s.kind != BMX_SOCK_UNIX)
		return inet_spec(&s, out, err, errlen);
	if (strlen(s.path) >= sizeof(sun->sun_path)) {
		snprintf(err, errlen,
		    "a unix socket's path is at most %zu bytes",
		    sizeof(sun->sun_path) - 1);
		return false;
	}
	out->family = AF_UNIX;
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path, sizeof(sun->sun_path), "%s", s.path);
	snprintf(out->path, sizeof(out->path), "%s", s.path);
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
	if (rc != 0 || listen(fd, 16) != 0) {
		snprintf(err, errlen, "%s: cannot listen: %s", what,
		    strerror(errno));
		close(fd);
		return -1;
	}
	/* Mode and owner through a descriptor of the socket just made,
	 * never by following its name again (the directory may be the
	 * service user's). */
	if (l->family == AF_UNIX &&
	    !bmx_sock_finish(l->path, mode, uid,
		uid == (uid_t)-1 ? (gid_t)-1 : gid, err, errlen)) {
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
