/*
 * ops.c - set up, start and stop the control socket and the metrics
 * endpoint
 */
#include <stdio.h>

#include "control.h"
#include "metrics_http.h"
#include "observe.h"
#include "ops.h"
#include "perm.h"

bool
bmx_ops_open(const struct bmx_config *c, bool root, uid_t uid, gid_t gid,
    struct bmx_diag *diag, char *err, size_t errlen)
{
	int fd;

	if (!bmx_observe_init(c)) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	if (c->control_socket[0] != '\0') {
		if (!bmx_control_open(
			c->control_socket, root, uid, gid, err, errlen)) {
			bmx_observe_free();
			return false;
		}
		bmx_perm_check_socket(c->control_socket, uid, diag);
	}
	if (c->metrics[0] != '\0') {
		fd = bmx_metrics_http_open(
		    c->metrics, root, uid, gid, err, errlen);
		if (fd < 0) {
			bmx_ops_stop();
			bmx_ops_free();
			return false;
		}
		bmx_perm_check_metrics(fd, uid, diag);
	}
	return true;
}

bool
bmx_ops_start(char *err, size_t errlen)
{
	if (!bmx_control_start()) {
		snprintf(err, errlen, "cannot start the control thread");
		return false;
	}
	return bmx_metrics_http_start(err, errlen);
}

void
bmx_ops_stop(void)
{
	bmx_metrics_http_stop();
	bmx_control_stop();
}

void
bmx_ops_free(void)
{
	bmx_observe_free();
}
