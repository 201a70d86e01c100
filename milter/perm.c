/*
 * perm.c - warnings about permissions that let others steer the milter
 *
 * Looks at files, directories and sockets with stat(2), access(2),
 * getsockname(2) and getaddrinfo(3); opens, changes and refuses nothing, and
 * logs nothing: the warnings go into the caller's struct bmx_diag (see perm.h
 * for what is checked and why).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "perm.h"
#include "sockspec.h"

/* Directories looked at for one file, each once (a path and the path
 * its symbolic links lead to share most of theirs). */
#define SEEN_MAX 64

struct check {
	uid_t service_uid;
	struct bmx_diag *diag;
	size_t warnings;
	struct {
		dev_t dev;
		ino_t ino;
	} seen[SEEN_MAX];
	size_t nseen;
};

static void
user_name(uid_t uid, char *buf, size_t len)
{
	struct passwd pw, *res = NULL;
	char tmp[1024];

	if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) == 0 && res != NULL)
		snprintf(buf, len, "%s", pw.pw_name);
	else
		snprintf(buf, len, "uid %ld", (long)uid);
}

static void
group_name(gid_t gid, char *buf, size_t len)
{
	struct group gr, *res = NULL;
	char tmp[16384]; /* the member list too */

	if (getgrgid_r(gid, &gr, tmp, sizeof(tmp), &res) == 0 && res != NULL)
		snprintf(buf, len, "%s", gr.gr_name);
	else
		snprintf(buf, len, "gid %ld", (long)gid);
}

/* "owner root, group bogusmx, mode 0640" */
static void
describe(const struct stat *st, char *buf, size_t len)
{
	char user[64], group[64];

	user_name(st->st_uid, user, sizeof(user));
	group_name(st->st_gid, group, sizeof(group));
	snprintf(buf, len, "owner %s, group %s, mode %04o", user, group,
	    (unsigned)(st->st_mode & 07777));
}

static void warn(struct check *k, const char *object, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
warn(struct check *k, const char *object, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bmx_diag_add(k->diag, BMX_DIAG_WARNING, object, 0, "%s", msg);
	k->warnings++;
}

static bool
trusted_owner(const struct check *k, uid_t uid)
{
	return uid == 0 || uid == k->service_uid;
}

/* Who may write, by mode ("group adm", "anyone", "group adm and by
 * anyone"), who that is in a sentence, and chmod's letters. */
static void
writers(const struct stat *st, char *who, size_t wholen, char *people,
    size_t peoplelen, const char **letters)
{
	char group[64];

	group_name(st->st_gid, group, sizeof(group));
	if ((st->st_mode & S_IWGRP) && (st->st_mode & S_IWOTH)) {
		snprintf(who, wholen, "group %s and by anyone", group);
		snprintf(people, peoplelen, "any local user");
		*letters = "go-w";
	} else if (st->st_mode & S_IWOTH) {
		snprintf(who, wholen, "anyone");
		snprintf(people, peoplelen, "any local user");
		*letters = "o-w";
	} else {
		snprintf(who, wholen, "group %s", group);
		snprintf(people, peoplelen, "the members of group %s", group);
		*letters = "g-w";
	}
}

/* A directory above path: may someone else replace what is in it? */
static void
check_dir(struct check *k, const char *dir, const char *path)
{
	char desc[256], who[128], people[128], owner[64], service[64];
	const char *letters;
	struct stat st;
	size_t i;

	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return;
	for (i = 0; i < k->nseen; i++)
		if (k->seen[i].dev == st.st_dev && k->seen[i].ino == st.st_ino)
			return;
	if (k->nseen < SEEN_MAX) {
		k->seen[k->nseen].dev = st.st_dev;
		k->seen[k->nseen].ino = st.st_ino;
		k->nseen++;
	}
	describe(&st, desc, sizeof(desc));
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		writers(
		    &st, who, sizeof(who), people, sizeof(people), &letters);
		warn(k, dir,
		    "directory writable by %s without the sticky bit (%s): "
		    "%s can replace %s; chmod %s %s",
		    who, desc, people, path, letters, dir);
	}
	if (!trusted_owner(k, st.st_uid)) {
		user_name(st.st_uid, owner, sizeof(owner));
		user_name(k->service_uid, service, sizeof(service));
		warn(k, dir,
		    "directory owned by %s, neither root nor the service "
		    "user %s (%s): %s can replace %s; chown root %s",
		    owner, service, desc, owner, path, dir);
	}
}

/* path made absolute (relative to the working directory) */
static bool
absolute(const char *path, char *buf, size_t len)
{
	char cwd[PATH_MAX];
	int n;

	if (path[0] == '/')
		n = snprintf(buf, len, "%s", path);
	else if (getcwd(cwd, sizeof(cwd)) != NULL)
		n = snprintf(buf, len, "%s/%s", cwd, path);
	else
		return false;
	return n > 0 && (size_t)n < len;
}

/* Every directory above the absolute path walked, for path. */
static void
check_dirs(struct check *k, const char *walked, const char *path)
{
	char dir[PATH_MAX];
	size_t i, len = strlen(walked);

	if (walked[0] != '/' || len >= sizeof(dir))
		return;
	check_dir(k, "/", path);
	for (i = 1; i < len; i++) {
		if (walked[i] != '/')
			continue;
		memcpy(dir, walked, i);
		dir[i] = '\0';
		check_dir(k, dir, path);
	}
}

/* The directories above path, as named and as its links lead. */
static void
check_path(struct check *k, const char *path)
{
	char buf[PATH_MAX];

	k->nseen = 0;
	if (absolute(path, buf, sizeof(buf)))
		check_dirs(k, buf, path);
	if (realpath(path, buf) != NULL)
		check_dirs(k, buf, path);
}

/* A file the milter reads its decisions from. */
static void
check_file(struct check *k, const char *path)
{
	char desc[256], who[128], people[128], owner[64], service[64];
	const char *letters;
	struct stat st;

	if (path == NULL || path[0] == '\0' || stat(path, &st) != 0)
		return;
	describe(&st, desc, sizeof(desc));
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		writers(
		    &st, who, sizeof(who), people, sizeof(people), &letters);
		warn(k, path,
		    "writable by %s (%s): %s can change what the milter "
		    "decides; chmod %s %s",
		    who, desc, people, letters, path);
	}
	if (!trusted_owner(k, st.st_uid)) {
		user_name(st.st_uid, owner, sizeof(owner));
		user_name(k->service_uid, service, sizeof(service));
		warn(k, path,
		    "owned by %s, neither root nor the service user %s (%s): "
		    "%s can change what the milter decides; chown root %s",
		    owner, service, desc, owner, path);
	}
	check_path(k, path);
}

size_t
bmx_perm_check_config(
    const struct bmx_config *c, uid_t service_uid, struct bmx_diag *diag)
{
	struct check k = { .service_uid = service_uid, .diag = diag };
	const char *resolv = c->engine.resolv_conf;
	size_t i;

	check_file(&k, c->file);
	for (i = 0; i < c->ntables; i++)
		check_file(&k, c->table_files[i]);
	if (c->engine.nnameservers == 0 && resolv != NULL &&
	    strcmp(resolv, "/etc/resolv.conf") != 0)
		check_file(&k, resolv);
	return k.warnings;
}

/* One file the service user must read at each reload. */
static void
check_readable(struct check *k, const char *path, const char *user)
{
	if (path == NULL || path[0] == '\0' || access(path, R_OK) == 0)
		return;
	warn(k, path,
	    "the service user %s cannot read it (%s): every reload will "
	    "fail; let it read the file (chgrp %s, chmod g+r) and its "
	    "directories",
	    user, strerror(errno), user);
}

size_t
bmx_perm_check_readable(
    const struct bmx_config *c, const char *user, struct bmx_diag *diag)
{
	struct check k = { .diag = diag };
	size_t i;

	check_readable(&k, c->file, user);
	for (i = 0; i < c->ntables; i++)
		check_readable(&k, c->table_files[i], user);
	return k.warnings;
}

/* May other search every directory down to the absolute path? */
static bool
others_reach(const char *abs)
{
	char dir[PATH_MAX];
	struct stat st;
	size_t i, len = strlen(abs);

	if (len >= sizeof(dir))
		return true;
	for (i = 0; i < len; i++) {
		if (abs[i] != '/')
			continue;
		memcpy(dir, abs, i == 0 ? 1 : i);
		dir[i == 0 ? 1 : i] = '\0';
		if (stat(dir, &st) == 0 && !(st.st_mode & S_IXOTH))
			return false;
	}
	return true;
}

/* fix: how to give the socket another mode */
static void
check_unix(struct check *k, const char *path, const char *fix)
{
	char abs[PATH_MAX], desc[256];
	struct stat st;

	if (path[0] == '\0' || stat(path, &st) != 0 ||
	    !absolute(path, abs, sizeof(abs)))
		return;
	describe(&st, desc, sizeof(desc));
	if ((st.st_mode & S_IWOTH) && others_reach(abs))
		warn(k, path,
		    "any local user can connect to the milter (%s): it "
		    "answers whoever asks; %s, and put the MTA's user in "
		    "the socket's group",
		    desc, fix);
	check_path(k, path);
}

static bool
loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in *sin = (const void *)sa;
	const struct sockaddr_in6 *sin6 = (const void *)sa;

	if (sa->sa_family == AF_INET)
		return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr) ||
		    (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) &&
			sin6->sin6_addr.s6_addr[12] == 127);
	return true;
}

static bool
unspecified(const struct sockaddr *sa)
{
	const struct sockaddr_in *sin = (const void *)sa;
	const struct sockaddr_in6 *sin6 = (const void *)sa;

	if (sa->sa_family == AF_INET)
		return sin->sin_addr.s_addr == htonl(INADDR_ANY);
	return sa->sa_family == AF_INET6 &&
	    IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr);
}

/* A listening address: a warning either way, on loopback what it
 * costs, elsewhere that the network can reach it. */
static void
check_inet(
    struct check *k, const char *spec, const struct sockaddr *sa, socklen_t len)
{
	char host[NI_MAXHOST];

	if (getnameinfo(sa, len, host, sizeof(host), NULL, 0, NI_NUMERICHOST) !=
	    0)
		snprintf(host, sizeof(host), "?");
	if (loopback(sa)) {
		warn(k, spec,
		    "listening on loopback TCP (%s): every local user can "
		    "connect to the milter, and a client can crash libmilter "
		    "(BUGS in bogusmx-milter(8)); a unix socket that only "
		    "the MTA's group can reach keeps them out: socket = "
		    "\"" BMX_DEFAULT_SOCKET "\"",
		    host);
		return;
	}
	warn(k, spec,
	    "listening on %s%s, not on loopback: the milter is reachable "
	    "from the network, and the milter protocol has no "
	    "authentication; listen on 127.0.0.1 or [::1] (socket, -p), or "
	    "keep the port behind a firewall",
	    host, unspecified(sa) ? " (every address)" : "");
}

/* inet:PORT@HOST, inet6:PORT@HOST; no host is every address. */
static void
check_inet_spec(struct check *k, const char *text, const struct bmx_sockspec *s)
{
	struct addrinfo hints, *res;
	const char *host = s->host;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_family = s->kind == BMX_SOCK_INET ? AF_INET : AF_INET6;
	if (host[0] == '\0')
		host = s->kind == BMX_SOCK_INET ? "0.0.0.0" : "::";
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return;
	/* the first address is the one libmilter listens on */
	if (res != NULL)
		check_inet(k, text, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
}

/* fd:N, a socket opened by the service manager. */
static void
check_fd(struct check *k, const char *text, int fd)
{
	struct sockaddr_storage ss;
	struct sockaddr_un sun;
	socklen_t len = sizeof(ss);
	char path[sizeof(sun.sun_path) + 1];
	size_t n;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return;
	if (ss.ss_family != AF_UNIX) {
		check_inet(k, text, (const struct sockaddr *)&ss, len);
		return;
	}
	/* the name may lack its NUL; an abstract one has no file */
	memcpy(&sun, &ss, sizeof(sun));
	if (len <= offsetof(struct sockaddr_un, sun_path))
		return;
	n = len - offsetof(struct sockaddr_un, sun_path);
	if (n > sizeof(sun.sun_path))
		n = sizeof(sun.sun_path);
	memcpy(path, sun.sun_path, n);
	path[n] = '\0';
	check_unix(
	    k, path, "make it 0660 where it is made (systemd: SocketMode=)");
}

size_t
bmx_perm_check_socket(
    const char *text, uid_t service_uid, struct bmx_diag *diag)
{
	struct check k = { .service_uid = service_uid, .diag = diag };
	struct bmx_sockspec s;
	char err[256];

	if (!bmx_sockspec_parse(text, &s, err, sizeof(err)))
		return 0;
	if (s.kind == BMX_SOCK_UNIX)
		check_unix(&k, s.path, "set socket-mode = \"0660\"");
	else if (s.kind == BMX_SOCK_FD)
		check_fd(&k, text, s.fd);
	else
		check_inet_spec(&k, text, &s);
	return k.warnings;
}

size_t
bmx_perm_check_metrics(int fd, uid_t service_uid, struct bmx_diag *diag)
{
	struct check k = { .service_uid = service_uid, .diag = diag };
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[NI_MAXHOST];

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	if (ss.ss_family == AF_UNIX) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&ss;

		sun->sun_path[sizeof(sun->sun_path) - 1] = '\0';
		check_path(&k, sun->sun_path);
		return k.warnings;
	}
	if (loopback((const struct sockaddr *)&ss))
		return 0;
	if (getnameinfo((const struct sockaddr *)&ss, len, host, sizeof(host),
		NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(host, sizeof(host), "?");
	warn(&k, "metrics",
	    "the endpoint listens on %s%s, not on loopback: the counters are "
	    "readable from the network, with no authentication; listen on "
	    "127.0.0.1 or [::1], or keep the port behind a firewall",
	    host,
	    unspecified((const struct sockaddr *)&ss) ? " (every address)" :
							"");
	return k.warnings;
}
