/*
 * metrics_http.h - the metrics endpoint: GET /metrics over HTTP, served
 * by libmicrohttpd in a thread of its own
 *
 * The body is bmx_metrics_write()'s (lib/metrics.h), the counters of
 * observe.h with the cache's and the DNS queries' of the moment, as
 * "text/plain; version=0.0.4" (what Prometheus scrapes).  Any other
 * path is 404, any method but GET and HEAD 405.  At most a few clients
 * at once, each with a short timeout: a scraper needs one.
 *
 * Thread safety: open before daemonizing and dropping privileges, start
 * once signals are blocked, stop at exit; all from the main thread.
 */
#ifndef BMX_METRICS_HTTP_H
#define BMX_METRICS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/**
 * Listen where spec says (listen.h); a unix socket is made 0660 and
 * given to uid:gid when root.
 * @return the listening descriptor, or -1 with a message in err
 */
int bmx_metrics_http_open(const char *spec, bool root, uid_t uid, gid_t gid,
    char *err, size_t errlen);

/** Serve.  @return false (err says why) when libmicrohttpd cannot */
bool bmx_metrics_http_start(char *err, size_t errlen);

/** Stop serving; remove a unix socket. */
void bmx_metrics_http_stop(void);

#endif
