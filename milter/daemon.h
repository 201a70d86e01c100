/*
 * daemon.h - the daemon's life: detaching, readiness, pid file, user
 *
 * Detaching (bmx_daemon_detach) forks twice; the process that was
 * started waits until the daemon says it serves (bmx_daemon_ready) or
 * that it failed (bmx_daemon_failed, with the exit status), and exits
 * with that status: a start that fails after detaching is not reported
 * as a success.  Readiness is also told to systemd (sd_notify, when
 * NOTIFY_SOCKET is set: Type=notify).
 *
 * The pid file is written as the user that starts the daemon (root,
 * before the privilege drop) and locked (fcntl) for the daemon's life,
 * so a second instance finds it locked and refuses to start.
 *
 * The service user is looked up before anything is set up and become
 * after the socket is made; both refuse root, uid 0 and gid 0, and the
 * drop is verified (real, effective and saved ids, supplementary
 * groups, and no way back).
 *
 * Errors are returned as text in the caller's buffer; nothing here logs.
 * Thread safety: call from the main thread, before threads are made
 * (bmx_daemon_detach forks), except bmx_daemon_notify.
 */
#ifndef BMX_DAEMON_H
#define BMX_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct bmx_user {
	char name[256];
	uid_t uid;
	gid_t gid;
};

/**
 * Become a daemon: fork, new session, fork, chdir("/"), standard input
 * and output to /dev/null.  Standard error stays open until
 * bmx_daemon_ready(), so start-up errors still reach whoever started it.
 * The process that called it does not return: it exits with the status
 * the daemon reports (EX_OSERR when the daemon dies without a word).
 * @return true in the daemon; false (errno set) when a fork failed
 */
bool bmx_daemon_detach(void);

/**
 * The daemon serves: tell systemd (READY=1) and the waiting parent
 * (exit 0), and send standard error to /dev/null when detached.
 */
void bmx_daemon_ready(void);

/**
 * Start-up failed: tell the waiting parent to exit with status.
 * @param status the exit status (sysexits.h)
 */
void bmx_daemon_failed(int status);

/**
 * Tell systemd something (sd_notify(3): "RELOADING=1", "STOPPING=1",
 * "STATUS=..."); nothing when not run by systemd.
 * @param state the notification text
 */
void bmx_daemon_notify(const char *state);

/**
 * Create (or take over) the pid file, locked, with this process's pid.
 * An existing file that is not a regular file is refused; one that is
 * locked means another instance runs: refused, naming its pid.
 * @param path absolute path
 * @param err receives the reason on failure
 * @param errlen size of err
 * @return the descriptor that holds the lock (keep it open), or -1
 */
int bmx_pidfile_open(const char *path, char *err, size_t errlen);

/**
 * At exit: remove the pid file when it is still ours (or, when its
 * directory does not let us, empty it), and release the lock.
 * @param fd from bmx_pidfile_open(); -1 is a no-op
 * @param path the same path
 */
void bmx_pidfile_close(int fd, const char *path);

/**
 * Look up USER[:GROUP] (group, when not in spec, from the second
 * argument; "" for the user's primary group).
 * @return false with a message in err when a name is unknown, or the
 *     user is root or the group gid 0
 */
bool bmx_user_lookup(const char *spec, const char *group, struct bmx_user *out,
    char *err, size_t errlen);

/**
 * Become the user: supplementary groups (initgroups), gid, uid; then
 * verify every id and that root cannot be regained.
 * @return false with a message in err; the process must not go on
 */
bool bmx_user_become(const struct bmx_user *u, char *err, size_t errlen);

#endif
