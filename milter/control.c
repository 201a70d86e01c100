/*
 * control.c - the control socket: accept, read one line, answer, close
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "control.h"
#include "listen.h"
#include "clock.h"

static int lfd = -1;
static char sock_path[108];
static pthread_t tid;
static bool running;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle = PTHREAD_COND_INITIALIZER;
static unsigned active; /* clients being served */

bool
bmx_control_open(
    const char *path, bool root, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	struct bmx_listen l;

	if (path[0] != '/') {
		snprintf(
		    err, errlen, "control-socket \"%s\": not a path", path);
		return false;
	}
	lfd = bmx_listen_spec("control-socket", path, 0660,
	    root ? uid : (uid_t)-1, gid, &l, err, errlen);
	if (lfd < 0)
		return false;
	snprintf(sock_path, sizeof(sock_path), "%s", l.path);
	return true;
}

/* Why a request line is refused, or NULL. */
static const char *
bad_line(const char *line, size_t len)
{
	size_t i;

	if (len == 0)
		return "error usage: empty request\n";
	for (i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 ||
		    (unsigned char)line[i] >= 0x7f)
			return "error usage: the request holds a control or "
			       "8-bit byte\n";
	return NULL;
}

/* Read one line within the timeout.  @return its length, or -1 with
 * the reply to send in *why */
static ssize_t
read_line(int fd, char *line, const char **why)
{
	long long until = bmx_now_ms() + BMX_CONTROL_TIMEOUT_MS;
	size_t len = 0;
	char *nl;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = until - bmx_now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			*why = "error usage: no complete request line in "
			       "time\n";
			return -1;
		}
		n = recv(fd, line + len, BMX_CONTROL_LINE_MAX - 1 - len, 0);
		if (n <= 0) {
			*why = NULL; /* gone, or nothing ended by "\n" */
			return -1;
		}
		len += (size_t)n;
		line[len] = '\0';
		if ((nl = memchr(line, '\n', len)) != NULL) {
			len = (size_t)(nl - line);
			if (len > 0 && line[len - 1] == '\r')
				len--;
			line[len] = '\0';
			return (ssize_t)len; /* a NUL in it: bad_line() */
		}
		if (len == BMX_CONTROL_LINE_MAX - 1) {
			*why = "error usage: request line longer than 511 "
			       "bytes\n";
			return -1;
		}
	}
}

static void
send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static void
serve(int fd)
{
	char line[BMX_CONTROL_LINE_MAX], *reply = NULL;
	const char *why = NULL;
	size_t rlen = 0;
	ssize_t len;
	FILE *out;

	len = read_line(fd, line, &why);
	if (len >= 0)
		why = bad_line(line, (size_t)len);
	if (why != NULL || len < 0) {
		if (why != NULL)
			send_all(fd, why, strlen(why));
		return;
	}
	out = open_memstream(&reply, &rlen);
	if (out == NULL) {
		why = "error software: out of memory\n";
		send_all(fd, why, strlen(why));
		return;
	}
	bmx_control_answer(line, out);
	if (fclose(out) == 0)
		send_all(fd, reply, rlen);
	free(reply);
}

static void *
worker(void *arg)
{
	int fd = (int)(intptr_t)arg;

	serve(fd);
	close(fd);
	pthread_mutex_lock(&lock);
	active--;
	pthread_cond_broadcast(&idle);
	pthread_mutex_unlock(&lock);
	return NULL;
}

/* Hand a client to a worker of its own, or turn it away when
 * BMX_CONTROL_CLIENTS are being served already. */
static void
dispatch(int fd)
{
	static const char busy[] = "error unavailable: busy (too many "
				   "control clients at once)\n";
	pthread_attr_t attr;
	pthread_t t;
	bool taken;

	pthread_mutex_lock(&lock);
	taken = active < BMX_CONTROL_CLIENTS;
	if (taken)
		active++;
	pthread_mutex_unlock(&lock);
	if (taken) {
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		taken = pthread_create(
			    &t, &attr, worker, (void *)(intptr_t)fd) == 0;
		pthread_attr_destroy(&attr);
		if (taken)
			return;
		pthread_mutex_lock(&lock);
		active--;
		pthread_mutex_unlock(&lock);
	}
	send_all(fd, busy, sizeof(busy) - 1);
	close(fd);
}

static void *
loop(void *arg)
{
	(void)arg;
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EBADF || errno == EINVAL)
				break;
			if (errno != EINTR && errno != ECONNABORTED)
				poll(NULL, 0, 100); /* EMFILE: breathe */
			continue;
		}
		dispatch(fd);
	}
	return NULL;
}

bool
bmx_control_start(void)
{
	if (lfd < 0)
		return true;
	if (pthread_create(&tid, NULL, loop, NULL) != 0)
		return false;
	running = true;
	return true;
}

void
bmx_control_stop(void)
{
	if (lfd < 0)
		return;
	/* shutdown() wakes accept() with EINVAL */
	shutdown(lfd, SHUT_RDWR);
	if (running)
		pthread_join(tid, NULL);
	/* each worker ends within its timeout */
	pthread_mutex_lock(&lock);
	while (active > 0)
		pthread_cond_wait(&idle, &lock);
	pthread_mutex_unlock(&lock);
	close(lfd);
	lfd = -1;
	running = false;
	if (unlink(sock_path) != 0 && errno != ENOENT)
		syslog(LOG_WARNING, "cannot remove %s: %s", sock_path,
		    strerror(errno));
}
