/*
 * ops.h - the operations side of the daemon, for main.c: the counters
 * (observe.h), the control socket (control.h) and the metrics endpoint
 * (metrics_http.h), each set up when the configuration asks for it
 *
 * Order: bmx_ops_open() while still privileged and before daemonizing
 * (sockets made, owners set, permission warnings into diag),
 * bmx_ops_start() once signals are blocked (threads), bmx_ops_stop() at
 * exit before the state is shut down, bmx_ops_free() after.  The sockets'
 * settings are read at start only: a reload keeps them (like the milter's
 * socket).
 */
#ifndef BMX_OPS_H
#define BMX_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "diag.h"

/**
 * @param uid, gid the service user and group (owners of unix sockets
 *     when root)
 * @return true, or false with a message in err (nothing is left open)
 */
bool bmx_ops_open(const struct bmx_config *c, bool root, uid_t uid, gid_t gid,
    struct bmx_diag *diag, char *err, size_t errlen);

/** @return true, or false with a message in err */
bool bmx_ops_start(char *err, size_t errlen);

/**
 * Stop serving and remove the sockets: before the cache and the states
 * are freed (bmx_state_shutdown), which the servers' threads read.
 */
void bmx_ops_stop(void);

/** Free the counters, once no decision runs any more. */
void bmx_ops_free(void);

#endif
