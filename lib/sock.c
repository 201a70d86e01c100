/*
 * sock.c - the unix socket's owner and mode, without following names
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "sock.h"

bool
bmx_sock_in_use(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	bool answered;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return false;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	answered = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return answered;
}

mode_t
bmx_sock_umask(unsigned mode)
{
	return umask((mode_t)(~mode & 0777));
}

static const char *
kind(mode_t m)
{
	if (S_ISLNK(m))
		return "a symbolic link";
	if (S_ISREG(m))
		return "a regular file";
	if (S_ISDIR(m))
		return "a directory";
	return "not a socket";
}

bool
bmx_sock_finish(const char *path, unsigned mode, uid_t uid, gid_t gid,
    char *err, size_t errlen)
{
	char self[64];
	struct stat st;
	int fd;

	if (getenv("BOGUSMX_TEST_STOP_AFTER_BIND") != NULL)
		raise(SIGSTOP);
	fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	if (!S_ISSOCK(st.st_mode) || st.st_uid != geteuid()) {
		snprintf(err, errlen,
		    "%s: replaced since it was made (%s, owner uid %ld): "
		    "refusing to touch it; is its directory writable by "
		    "others?",
		    path, S_ISSOCK(st.st_mode) ? "a socket" : kind(st.st_mode),
		    (long)st.st_uid);
		close(fd);
		return false;
	}
	/* An O_PATH descriptor has no fchmod; its /proc name leads to
	 * this very inode, never through the directory again. */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	if ((st.st_mode & 07777) != mode && chmod(self, (mode_t)mode) != 0) {
		snprintf(err, errlen, "%s: mode %04o: %s", path, mode,
		    strerror(errno));
		close(fd);
		return false;
	}
	if (uid == st.st_uid)
		uid = (uid_t)-1;
	if (gid == st.st_gid)
		gid = (gid_t)-1;
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) &&
	    fchownat(fd, "", uid, gid, AT_EMPTY_PATH) != 0) {
		snprintf(err, errlen,
		    "%s: cannot give it owner %ld, group %ld: %s (not a "
		    "member of the group? a setgid directory of that group "
		    "gives it without a chown)",
		    path, (long)uid, (long)gid, strerror(errno));
		close(fd);
		return false;
	}
	close(fd);
	return true;
}
