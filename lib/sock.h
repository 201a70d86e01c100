/*
 * sock.h - a unix socket of ours: another instance, mode and owner
 *
 * The milter's socket (made by libmilter's smfi_opensocket), the control
 * socket and the metrics socket (bmx_listen_open) are made by name, in a
 * directory the service user may be able to write.  Nothing here follows that
 * name again blindly: the mode comes from the umask in force when the
 * socket is made (bmx_sock_umask), and the owner is set through a
 * descriptor of the path opened without following a symbolic link,
 * after checking that it is a socket this process owns; a chown that
 * would change nothing is not made (systemd's SystemCallFilter may
 * forbid it, and a setgid directory gives the socket its group).
 *
 * Errors are returned as text in the caller's buffer; nothing logs.
 * Thread safety: call from one thread (the umask is the process's).
 */
#ifndef BMX_SOCK_H
#define BMX_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/**
 * Does another process serve on this unix socket (a connect answers)?
 * @param path absolute path
 * @return true when a connect succeeded
 */
bool bmx_sock_in_use(const char *path);

/**
 * Set the umask so that a socket made now gets mode (and return the
 * previous umask, to restore).
 * @param mode the socket's permission bits (0660)
 * @return the previous umask
 */
mode_t bmx_sock_umask(unsigned mode);

/**
 * The socket just made at path: check it is still a socket owned by
 * this process's user, give it mode if the umask did not (a default
 * ACL), and the owner uid:gid where different.
 * For tests, BOGUSMX_TEST_STOP_AFTER_BIND in the environment stops the
 * process (SIGSTOP) before the check, so that a test can swap the path.
 * @param path absolute path
 * @param mode permission bits
 * @param uid the owner wanted, (uid_t)-1 to leave it
 * @param gid the group wanted, (gid_t)-1 to leave it
 * @return false with a message in err: the socket must not be used
 */
bool bmx_sock_finish(const char *path, unsigned mode, uid_t uid, gid_t gid,
    char *err, size_t errlen);

#endif
