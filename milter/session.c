/*
 * session.c - per-connection state
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "session.h"

void
bmx_session_set_client(
    struct bmx_session *s, const char *host, const struct bmx_ip *ip)
{
	char addr[BMX_IP_STRLEN];

	s->has_client_ip = ip != NULL;
	if (ip != NULL) {
		s->client_ip = *ip;
		bmx_ip_format(ip, addr, sizeof(addr));
	} else {
		snprintf(addr, sizeof(addr), "unknown");
	}
	snprintf(s->client, sizeof(s->client), "%.60s[%s]",
	    host != NULL && *host != '\0' && *host != '[' ? host : "unknown",
	    addr);
	/* for logs: the name is the MTA's, CR and LF included */
	bmx_reply_sanitize(s->client);
}

struct bmx_session *
bmx_session_new(const char *host, const struct bmx_ip *ip)
{
	struct bmx_session *s = calloc(1, sizeof(*s));

	if (s != NULL)
		bmx_session_set_client(s, host, ip);
	return s;
}

void
bmx_session_clear_tags(struct bmx_session *s)
{
	size_t i;

	for (i = 0; i < s->ntags; i++)
		free(s->tags[i]);
	free(s->tags);
	s->tags = NULL;
	s->ntags = 0;
	s->tags_dropped = 0;
}

void
bmx_session_free(struct bmx_session *s)
{
	if (s == NULL)
		return;
	bmx_session_clear_tags(s);
	free(s);
}

void
bmx_session_add_tag(struct bmx_session *s, const char *value)
{
	char **n, *copy;

	if (s->ntags == BMX_SESSION_TAGS_MAX) {
		s->tags_dropped++;
		return;
	}
	copy = strdup(value);
	n = realloc(s->tags, (s->ntags + 1) * sizeof(*n));
	if (copy == NULL || n == NULL) {
		free(copy);
		if (n != NULL)
			s->tags = n;
		s->tags_dropped++;
		return;
	}
	s->tags = n;
	s->tags[s->ntags++] = copy;
}
