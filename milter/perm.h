/*
 * perm.h - warnings about permissions that let others steer the milter
 *
 * bogusmx-milter trusts its configuration file, the files that file
 * names, and whoever can talk to its socket.  These functions look at
 * them with stat(2) and say, as warnings, what lets somebody else
 * change them or talk to the milter:
 *
 *   - the configuration file, its tables and a resolv-conf other than
 *     /etc/resolv.conf (the system's own, not ours to judge): writable
 *     by group or other; owned by a user other than root or the
 *     service user.  Being readable is fine: the configuration holds
 *     no secret.
 *   - a unix socket: a mode that lets any local user connect (o+w, with
 *     every directory above it searchable by other).
 *   - for both: a directory above them (on the path as named and on
 *     the path its symbolic links lead to) that group or other may
 *     write without the sticky bit, or that a user other than root or
 *     the service user owns: the file, or the socket, could be
 *     replaced by somebody else's.
 *   - an inet socket (or fd:N, through getsockname) on an address that
 *     is not loopback: the milter is reachable from the network, and
 *     the milter protocol has no authentication; on loopback: every
 *     local user can connect, and a client can crash libmilter (the
 *     warning names the unix socket that keeps them out).
 *   - once privileges are dropped: the configuration file and tables
 *     the service user cannot read (read at start as root, they would
 *     fail every reload).
 *
 * Warnings only: nothing is opened, changed or refused, and no decision
 * depends on what stat() said (the file may change a moment later).  A
 * path that cannot be looked at is left alone: reading it reports the
 * problem.  Each warning is added to a struct bmx_diag as level
 * BMX_DIAG_WARNING, its file being the object with the problem, its
 * message naming owner, mode and what to do, e.g.
 *   /etc/bogusmx/bogusmx.conf: warning: writable by anyone (owner
 *   root, group root, mode 0666): any local user can change what the
 *   milter decides; chmod o-w /etc/bogusmx/bogusmx.conf
 * The caller decides where the text goes.
 *
 * Thread safety: reentrant (getpwuid_r, getgrgid_r, getaddrinfo).
 */
#ifndef BMX_PERM_H
#define BMX_PERM_H

#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "diag.h"

/**
 * Check the configuration file of c (none when c->file is "") and the
 * files it names: its tables, and its resolv-conf when that is read
 * (no nameservers configured) and is not /etc/resolv.conf.
 * @param c a loaded configuration, borrowed
 * @param service_uid the user the milter serves as: a file or directory
 *     it owns is fine, as is one of root's
 * @param diag receives the warnings
 * @return the number of warnings added
 */
size_t bmx_perm_check_config(
    const struct bmx_config *c, uid_t service_uid, struct bmx_diag *diag);

/**
 * Check the socket the milter listens on, once it is open and has its
 * final mode and owner.
 * @param spec the libmilter socket spec ("inet:8894@127.0.0.1",
 *     "inet6:8894@[::1]", "unix:/path", "local:/path", "/path", "fd:3",
 *     see sockspec.h); a spec that does not parse is not looked at;
 *     an inet host name is looked up (getaddrinfo)
 * @param service_uid the user the milter serves as: a directory it owns
 *     is fine, as is one of root's
 * @param diag receives the warnings
 * @return the number of warnings added
 */
size_t bmx_perm_check_socket(
    const char *spec, uid_t service_uid, struct bmx_diag *diag);

/**
 * Check the metrics endpoint once it listens: an address that is not
 * loopback (the counters are readable from the network), or, for a unix
 * socket, the directories above it (as for the configuration).
 * @param fd the listening socket
 * @return the number of warnings added
 */
size_t bmx_perm_check_metrics(int fd, uid_t service_uid, struct bmx_diag *diag);

/**
 * Called as the service user, after the privilege drop: the
 * configuration file and tables it cannot read (access(2), R_OK) are
 * warned about, for a reload would then fail.
 * @param c the configuration read at start (as root), borrowed
 * @param user the service user's name, for the message
 * @param diag receives the warnings
 * @return the number of warnings added
 */
size_t bmx_perm_check_readable(
    const struct bmx_config *c, const char *user, struct bmx_diag *diag);

#endif
