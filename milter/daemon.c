/*
 * daemon.c - detaching, readiness, pid file and service user (daemon.h)
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "daemon.h"

/* The write end of the pipe the starting process waits on; -1 when
 * not detached or already told. */
static int ready_fd = -1;

/* The starting process: wait for the daemon's word, exit with it. */
static void
wait_for_daemon(int fd, pid_t child)
{
	unsigned char status;
	ssize_t n;

	do
		n = read(fd, &status, 1);
	while (n < 0 && errno == EINTR);
	(void)waitpid(child, NULL, 0);
	_exit(n == 1 ? status : EX_OSERR);
}

bool
bmx_daemon_detach(void)
{
	int p[2], fd;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		return false;
	pid = fork();
	if (pid < 0)
		return false;
	if (pid > 0) {
		close(p[1]);
		wait_for_daemon(p[0], pid);
	}
	close(p[0]);
	if (setsid() < 0)
		_exit(EX_OSERR);
	pid = fork();
	if (pid < 0)
		_exit(EX_OSERR);
	if (pid > 0)
		_exit(EX_OK); /* the first child; the pipe stays open */
	ready_fd = p[1];
	if (chdir("/") != 0)
		return false;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return false;
	dup2(fd, 0);
	dup2(fd, 1);
	if (fd > 2)
		close(fd);
	return true;
}

static void
tell_parent(unsigned char status)
{
	int fd;

	if (ready_fd < 0)
		return;
	(void)write(ready_fd, &status, 1);
	close(ready_fd);
	ready_fd = -1;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

void
bmx_daemon_ready(void)
{
	bmx_daemon_notify("READY=1");
	tell_parent(EX_OK);
}

void
bmx_daemon_failed(int status)
{
	tell_parent((unsigned char)status);
}

void
bmx_daemon_notify(const char *state)
{
	(void)sd_notify(0, state);
}

/* Open path for the pid; create says whether a fresh file is wanted. */
static int
pidfile_try(const char *path, bool fresh, char *err, size_t errlen)
{
	struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char old[32] = "";
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path,
	    O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
		(fresh ? O_EXCL : 0),
	    0644);
	if (fd < 0) {
		snprintf(err, errlen, "pid file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "pid file %s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (fcntl(fd, F_SETLK, &lk) != 0) {
		if (errno == EAGAIN || errno == EACCES) {
			n = pread(fd, old, sizeof(old) - 1, 0);
			old[n > 0 ? n : 0] = '\0';
			old[strcspn(old, "\n")] = '\0';
			snprintf(err, errlen,
			    "pid file %s is locked by a running bogusmx-milter "
			    "(pid %s): refusing to start a second instance",
			    path, old[0] ? old : "?");
		} else {
			snprintf(err, errlen, "pid file %s: lock: %s", path,
			    strerror(errno));
		}
		close(fd);
		return -1;
	}
	/* Left by someone else (another user, a link to elsewhere): not
	 * ours to write into; replaced by a fresh file. */
	if (!fresh && (st.st_uid != geteuid() || st.st_nlink != 1)) {
		close(fd);
		return -2;
	}
	return fd;
}

int
bmx_pidfile_open(const char *path, char *err, size_t errlen)
{
	char line[32];
	int fd, len;

	fd = pidfile_try(path, false, err, errlen);
	if (fd == -2) {
		if (unlink(path) != 0) {
			snprintf(err, errlen, "pid file %s: %s", path,
			    strerror(errno));
			return -1;
		}
		fd = pidfile_try(path, true, err, errlen);
	}
	if (fd < 0)
		return -1;
	len = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, line, (size_t)len, 0) != len) {
		snprintf(err, errlen, "pid file %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void
bmx_pidfile_close(int fd, const char *path)
{
	struct stat mine, there;

	if (fd < 0)
		return;
	/* Removed only when the name still leads to our file. */
	if (fstat(fd, &mine) == 0 && lstat(path, &there) == 0 &&
	    mine.st_dev == there.st_dev && mine.st_ino == there.st_ino &&
	    unlink(path) != 0)
		(void)ftruncate(fd, 0);
	close(fd);
}

bool
bmx_user_lookup(const char *spec, const char *group, struct bmx_user *out,
    char *err, size_t errlen)
{
	const char *colon = strchr(spec, ':');
	struct passwd *pw;
	struct group *gr;

	snprintf(out->name, sizeof(out->name), "%.*s",
	    (int)(colon != NULL ? (size_t)(colon - spec) : strlen(spec)), spec);
	if (colon != NULL)
		group = colon + 1;
	pw = getpwnam(out->name);
	if (pw == NULL) {
		snprintf(err, errlen, "no such user \"%s\"", out->name);
		return false;
	}
	out->uid = pw->pw_uid;
	out->gid = pw->pw_gid;
	if (group != NULL && *group != '\0') {
		gr = getgrnam(group);
		if (gr == NULL) {
			snprintf(err, errlen, "no such group \"%s\"", group);
			return false;
		}
		out->gid = gr->gr_gid;
	}
	if (out->uid == 0) {
		snprintf(err, errlen,
		    "user \"%s\" is root: refusing to serve as root; create a "
		    "system user (bogusmx)",
		    out->name);
		return false;
	}
	if (out->gid == 0) {
		snprintf(err, errlen,
		    "group of user \"%s\" is gid 0 (root's group): refusing "
		    "to serve with it; name another group",
		    out->name);
		return false;
	}
	return true;
}

/* After the drop: every id is the user's, no group is root's. */
static bool
verify(const struct bmx_user *u, char *err, size_t errlen)
{
	uid_t r, e, s;
	gid_t rg, eg, sg, groups[256];
	int i, n;

	if (getresuid(&r, &e, &s) != 0 || r != u->uid || e != u->uid ||
	    s != u->uid || getresgid(&rg, &eg, &sg) != 0 || rg != u->gid ||
	    eg != u->gid || sg != u->gid) {
		snprintf(err, errlen,
		    "user and group ids are not those of %s after the drop",
		    u->name);
		return false;
	}
	n = getgroups((int)(sizeof(groups) / sizeof(groups[0])), groups);
	if (n < 0) {
		snprintf(err, errlen, "getgroups: %s", strerror(errno));
		return false;
	}
	for (i = 0; i < n; i++)
		if (groups[i] == 0) {
			snprintf(err, errlen,
			    "user %s is a member of group root (gid 0): "
			    "refusing to serve with it",
			    u->name);
			return false;
		}
	if (setuid(0) == 0 || setgid(0) == 0) {
		snprintf(err, errlen,
		    "root could be regained after the drop: refusing to run");
		return false;
	}
	return true;
}

bool
bmx_user_become(const struct bmx_user *u, char *err, size_t errlen)
{
	if (initgroups(u->name, u->gid) != 0 || setgid(u->gid) != 0 ||
	    setuid(u->uid) != 0) {
		snprintf(err, errlen, "cannot become %s: %s", u->name,
		    strerror(errno));
		return false;
	}
	return verify(u, err, errlen);
}
