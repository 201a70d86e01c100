/*
 * sockspec.c - parse libmilter's socket specs (see sockspec.h)
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sockspec.h"

#define SOCKSPEC_FORMS                                                         \
	"use inet:PORT@HOST, inet6:PORT@HOST, unix:/PATH, local:/PATH or fd:N"

/* "inet:" and the like, in any case; @return what follows, or NULL */
static const char *
prefix(const char *text, const char *name)
{
	size_t n = strlen(name);

	if (strncasecmp(text, name, n) == 0 && text[n] == ':')
		return text + n + 1;
	return NULL;
}

/* PORT@HOST, PORT@[HOST] or PORT */
static bool
parse_inet(const char *rest, struct bmx_sockspec *out)
{
	const char *at = strchr(rest, '@'), *host;
	size_t plen = at != NULL ? (size_t)(at - rest) : strlen(rest);
	size_t hlen;

	if (plen == 0 || plen >= sizeof(out->port))
		return false;
	memcpy(out->port, rest, plen);
	out->port[plen] = '\0';
	out->host[0] = '\0';
	if (at == NULL)
		return true;
	host = at + 1;
	hlen = strlen(host);
	if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
		host++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof(out->host))
		return false;
	memcpy(out->host, host, hlen);
	out->host[hlen] = '\0';
	return true;
}

static bool
parse_fd(const char *rest, struct bmx_sockspec *out)
{
	char *end;
	long fd;

	if (rest[0] < '0' || rest[0] > '9')
		return false;
	fd = strtol(rest, &end, 10);
	if (*end != '\0' || fd > INT_MAX)
		return false;
	out->fd = (int)fd;
	return true;
}

bool
bmx_sockspec_parse(
    const char *text, struct bmx_sockspec *out, char *err, size_t errlen)
{
	const char *rest;
	bool ok;

	memset(out, 0, sizeof(*out));
	out->fd = -1;
	if ((rest = prefix(text, "inet")) != NULL) {
		out->kind = BMX_SOCK_INET;
		ok = parse_inet(rest, out);
	} else if ((rest = prefix(text, "inet6")) != NULL) {
		out->kind = BMX_SOCK_INET6;
		ok = parse_inet(rest, out);
	} else if ((rest = prefix(text, "unix")) != NULL ||
	    (rest = prefix(text, "local")) != NULL || text[0] == '/') {
		out->kind = BMX_SOCK_UNIX;
		out->path = rest != NULL ? rest : text;
		ok = out->path[0] == '/';
		if (!ok && out->path[0] != '\0') {
			snprintf(err, errlen,
			    "the unix socket path \"%s\" is relative: the "
			    "daemon works in /; give an absolute path",
			    out->path);
			return false;
		}
	} else if ((rest = prefix(text, "fd")) != NULL) {
		out->kind = BMX_SOCK_FD;
		ok = parse_fd(rest, out);
	} else {
		ok = false;
	}
	if (!ok)
		snprintf(err, errlen, "%s", SOCKSPEC_FORMS);
	return ok;
}
