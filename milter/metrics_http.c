/*
 * metrics_http.c - GET /metrics through libmicrohttpd
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "listen.h"
#include "metrics_http.h"
#include "observe.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

static int lfd = -1;
static struct MHD_Daemon *daemon_;
static char unix_path[108];

int
bmx_metrics_http_open(
    const char *spec, bool root, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	struct bmx_listen l;

	lfd = bmx_listen_spec("metrics", spec, 0660, root ? uid : (uid_t)-1,
	    gid, &l, err, errlen);
	if (lfd >= 0 && l.family == AF_UNIX)
		snprintf(unix_path, sizeof(unix_path), "%s", l.path);
	return lfd;
}

static enum MHD_Result
reply(struct MHD_Connection *conn, unsigned status, char *body, size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result rc;

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    status == MHD_HTTP_OK ? CONTENT_TYPE : "text/plain");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result
text(struct MHD_Connection *conn, unsigned status, const char *msg)
{
	char *body = strdup(msg);

	return body != NULL ? reply(conn, status, body, strlen(body)) : MHD_NO;
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct bmx_metrics_extra x;
	char *body = NULL;
	size_t len = 0;
	FILE *f;

	(void)cls;
	(void)version;
	(void)upload;
	(void)con_cls;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return text(
		    conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET /metrics\n");
	if (*upload_size != 0) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(url, "/metrics") != 0)
		return text(conn, MHD_HTTP_NOT_FOUND, "only GET /metrics\n");
	f = open_memstream(&body, &len);
	if (f == NULL)
		return MHD_NO;
	bmx_observe_extra(&x);
	if (bmx_metrics_write(bmx_observe_metrics(), &x, f) != 0 ||
	    fclose(f) != 0) {
		free(body);
		return text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "cannot write the metrics\n");
	}
	return reply(conn, MHD_HTTP_OK, body, len);
}

bool
bmx_metrics_http_start(char *err, size_t errlen)
{
	if (lfd < 0)
		return true;
	daemon_ = MHD_start_daemon(MHD_USE_POLL_INTERNAL_THREAD, 0, NULL, NULL,
	    handle, NULL, MHD_OPTION_LISTEN_SOCKET, lfd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)8,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768, MHD_OPTION_END);
	if (daemon_ == NULL) {
		snprintf(err, errlen,
		    "metrics: libmicrohttpd cannot serve on the socket");
		return false;
	}
	return true;
}

void
bmx_metrics_http_stop(void)
{
	if (daemon_ != NULL)
		MHD_stop_daemon(daemon_); /* closes lfd */
	else if (lfd >= 0)
		close(lfd);
	daemon_ = NULL;
	lfd = -1;
	if (unix_path[0] != '\0')
		(void)unlink(unix_path);
	unix_path[0] = '\0';
}
