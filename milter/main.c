/*
 * main.c - bogusmx-milter: the daemon
 *
 * bogusmx-milter [-c FILE] [-p SOCKET] [-f] [-u USER[:GROUP]] [-P PIDFILE]
 *     [-n] [-V]
 *
 * Order of start-up: the configuration is read and checked before
 * anything else; then the socket is opened (a stale unix socket removed,
 * its mode and owner set) while still privileged; then the process
 * becomes a daemon (unless -f), drops to the configured user (verified)
 * and only then writes its pid file, once, as that user, so that it can
 * remove the file when it stops: the file's directory must be the
 * user's (systemd: RuntimeDirectory).  All of this before it serves a
 * single connection.
 *
 * Permissions are looked at, for warnings only (perm.h): those of the
 * configuration and the files it names once it is read, at start and
 * at each reload, and those of the socket once it is set up.
 *
 * Signals: SIGUSR1 reloads the configuration (a broken file is logged
 * with file:line and the old configuration stays); SIGUSR2 logs the
 * counters (cache, DNS queries); SIGTERM, SIGINT and SIGHUP stop
 * (libmilter owns them).
 *
 * Exit status: 0 after a clean stop, 64 usage, 78 configuration error,
 * 71 (EX_OSERR) when the socket, the user or the daemon cannot be set up.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <syslog.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "cache.h"
#include "callbacks.h"
#include "guardrun.h"
#include "config.h"
#include "observe.h"
#include "ops.h"
#include "perm.h"
#include "registry.h"
#include "state.h"

static const char usage_text[] =
    "usage: bogusmx-milter [-c FILE] [-p SOCKET] [-f] [-u USER[:GROUP]] "
    "[-P PIDFILE] [-n] [-V]\n";

struct options {
	const char *conf;
	bool conf_named;
	const char *socket, *user, *pid_file;
	bool foreground, check_only;
};

static struct options opt = { .conf = BMX_CONFIG_FILE };

static void
report(const struct bmx_diag *d, bool to_stderr)
{
	char line[1024];
	size_t i;

	if (to_stderr) {
		bmx_diag_print(d, stderr, "");
		return;
	}
	for (i = 0; i < d->nentries; i++) {
		bmx_diag_format(&d->entries[i], line, sizeof(line));
		syslog(d->entries[i].level == BMX_DIAG_ERROR ? LOG_ERR :
							       LOG_WARNING,
		    "%s", line);
	}
	if (d->errors + d->warnings > d->nentries)
		syslog(LOG_ERR, "... and %zu more",
		    d->errors + d->warnings - d->nentries);
}

/* Permission warnings (perm.h): to the log, and at start to standard
 * error as well, for whoever starts the daemon (in the foreground the
 * log is copied there already, see openlog). */
static void
report_perm(const struct bmx_diag *d, bool starting)
{
	report(d, false);
	if (starting && !opt.foreground)
		bmx_diag_print(d, stderr, "bogusmx-milter: ");
}

/* What the log says of a configuration when it comes into force. */
static void
log_config(const struct bmx_config *c, const char *how)
{
	size_t i;

	syslog(LOG_INFO,
	    "%s configuration %s: action %s, mode %s, built-in registry %s "
	    "(%zu rules, registry date %s), %zu table(s)",
	    how, c->file[0] ? c->file : "(built-in defaults)",
	    bmx_action_name(c->action),
	    c->engine.policy.mode == BMX_MODE_ALL ? "all" : "any",
	    c->use_registry ? "on" : "off",
	    c->registry != NULL ? bmx_cidr_nrules(c->registry) : 0,
	    bmx_registry_date(), c->ntables);
	for (i = 0; i < c->ntables; i++)
		syslog(LOG_INFO, "table %s: %zu rules, %zu ranges, %zu bytes",
		    c->table_files[i], bmx_cidr_nrules(c->tables[i]),
		    bmx_cidr_nranges(c->tables[i]),
		    bmx_cidr_memory(c->tables[i]));
}

static struct bmx_config *
load(bool to_stderr)
{
	struct bmx_diag d;
	struct bmx_config *c;

	bmx_diag_init(&d);
	c = bmx_config_load(opt.conf, !opt.conf_named, &d);
	report(&d, to_stderr);
	bmx_diag_clear(&d);
	return c;
}

static bool
same(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* Reload on SIGUSR1: build the new state completely, then swap.  Log
 * the counters on SIGUSR2. */
static void *
reloader(void *arg)
{
	sigset_t set;
	int sig;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	for (;;) {
		struct bmx_state *old, *st;
		struct bmx_config *c;
		struct bmx_diag d;
		char err[512];

		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGUSR2) {
			char g[256];

			bmx_state_stats(err, sizeof(err));
			bmx_guardrun_stats(g, sizeof(g));
			syslog(LOG_INFO, "stats: %s%s%s", err,
			    g[0] != '\0' ? "; " : "", g);
			continue;
		}
		syslog(LOG_INFO, "SIGUSR1: reloading %s", opt.conf);
		c = load(false);
		if (c == NULL) {
			bmx_observe_reload(false);
			syslog(LOG_ERR,
			    "reload failed: the configuration in "
			    "force is kept");
			continue;
		}
		bmx_diag_init(&d);
		bmx_perm_check_config(c, getuid(), &d);
		report_perm(&d, false);
		bmx_diag_clear(&d);
		old = bmx_state_get();
		if (old != NULL &&
		    (!same(old->cfg->socket, c->socket) ||
			!same(old->cfg->user, c->user) ||
			!same(old->cfg->group, c->group) ||
			!same(old->cfg->pid_file, c->pid_file) ||
			old->cfg->socket_mode != c->socket_mode ||
			old->cfg->backlog != c->backlog ||
			old->cfg->milter_timeout != c->milter_timeout ||
			memcmp(&old->cfg->engine.cache, &c->engine.cache,
			    sizeof(c->engine.cache)) != 0))
			syslog(LOG_WARNING,
			    "reload: socket, socket-mode, user, group, "
			    "pid-file, backlog, milter-timeout and cache "
			    "settings take effect only at the next start");
		bmx_state_put(old);
		st = bmx_state_build(c, err, sizeof(err));
		bmx_observe_reload(st != NULL);
		if (st == NULL) {
			syslog(LOG_ERR,
			    "reload failed: %s; the configuration "
			    "in force is kept",
			    err);
			continue;
		}
		if (err[0] != '\0')
			syslog(LOG_WARNING, "%s", err);
		bmx_state_install(st);
		log_config(st->cfg, "reloaded");
		bmx_guardrun_kick();
	}
	return NULL;
}

/* Look up USER[:GROUP]. */
static bool
find_user(const char *spec, const char *group, uid_t *uid, gid_t *gid,
    char *name, size_t namelen)
{
	const char *colon = strchr(spec, ':');
	struct passwd *pw;
	struct group *gr;

	snprintf(name, namelen, "%.*s",
	    (int)(colon != NULL ? (size_t)(colon - spec) : strlen(spec)), spec);
	if (colon != NULL)
		group = colon + 1;
	pw = getpwnam(name);
	if (pw == NULL) {
		fprintf(stderr, "bogusmx-milter: no such user \"%s\"\n", name);
		return false;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	if (group != NULL && *group != '\0') {
		gr = getgrnam(group);
		if (gr == NULL) {
			fprintf(stderr,
			    "bogusmx-milter: no such group \"%s\"\n", group);
			return false;
		}
		*gid = gr->gr_gid;
	}
	if (*uid == 0) {
		fprintf(stderr,
		    "bogusmx-milter: user \"%s\" is root: refusing to serve "
		    "as root; create a system user (bogusmx)\n",
		    name);
		return false;
	}
	return true;
}

/* Not root: give the socket the configured group, which works when
 * this process is a member of it (e.g. systemd's SupplementaryGroups). */
static bool
socket_group(const char *path, const char *group)
{
	struct group *gr;

	if (group[0] == '\0')
		return true;
	gr = getgrnam(group);
	if (gr == NULL) {
		fprintf(
		    stderr, "bogusmx-milter: no such group \"%s\"\n", group);
		return false;
	}
	if (chown(path, (uid_t)-1, gr->gr_gid) != 0) {
		fprintf(stderr,
		    "bogusmx-milter: %s: cannot give it group %s: %s (not "
		    "a member of the group?)\n",
		    path, group, strerror(errno));
		return false;
	}
	return true;
}

static bool
drop_privileges(const char *name, uid_t uid, gid_t gid)
{
	if (initgroups(name, gid) != 0 || setgid(gid) != 0 ||
	    setuid(uid) != 0) {
		fprintf(stderr, "bogusmx-milter: cannot become %s: %s\n", name,
		    strerror(errno));
		return false;
	}
	/* Verified: there must be no way back. */
	if (getuid() == 0 || geteuid() == 0 || setuid(0) == 0) {
		fprintf(stderr,
		    "bogusmx-milter: still root after dropping "
		    "privileges: refusing to run\n");
		return false;
	}
	return true;
}

static bool
write_pid_file(const char *path)
{
	FILE *f;
	int fd;

	(void)unlink(path);
	fd = open(
	    path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		fprintf(
		    stderr, "bogusmx-milter: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) != 0) {
		fprintf(
		    stderr, "bogusmx-milter: %s: %s\n", path, strerror(errno));
		return false;
	}
	return true;
}

static bool
daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return false;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return false;
	pid = fork();
	if (pid < 0)
		return false;
	if (pid > 0)
		_exit(0);
	if (chdir("/") != 0)
		return false;
	fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		return false;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return true;
}

static void
parse_args(int argc, char **argv)
{
	int ch;

	while ((ch = getopt(argc, argv, "c:p:fu:P:nVh")) != -1) {
		switch (ch) {
		case 'c':
			opt.conf = optarg;
			opt.conf_named = true;
			break;
		case 'p':
			opt.socket = optarg;
			break;
		case 'f':
			opt.foreground = true;
			break;
		case 'u':
			opt.user = optarg;
			break;
		case 'P':
			opt.pid_file = optarg;
			break;
		case 'n':
			opt.check_only = true;
			break;
		case 'V':
			printf("bogusmx-milter %s, special-purpose address "
			       "registry of %s\n",
			    BMX_VERSION, bmx_registry_date());
			exit(EX_OK);
		case 'h':
			fputs(usage_text, stdout);
			exit(EX_OK);
		default:
			fputs(usage_text, stderr);
			exit(EX_USAGE);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "bogusmx-milter: unexpected argument \"%s\"\n",
		    argv[optind]);
		fputs(usage_text, stderr);
		exit(EX_USAGE);
	}
}

int
main(int argc, char **argv)
{
	struct bmx_config *c;
	struct bmx_state *st;
	struct bmx_diag d;
	const char *sock, *user, *path;
	char err[512], name[256], pid_file[4096];
	uid_t uid = 0;
	gid_t gid = 0;
	bool root = geteuid() == 0;
	sigset_t set;
	pthread_t tid;
	int rc;

	parse_args(argc, argv);
	/* -f copies the log to stderr, except under systemd, whose journal
	 * takes both syslog and stderr: the lines would come twice. */
	openlog("bogusmx-milter",
	    LOG_PID |
		(opt.foreground && getenv("JOURNAL_STREAM") == NULL ?
			LOG_PERROR :
			0),
	    LOG_MAIL);
	c = load(true);
	if (opt.check_only) {
		if (c != NULL)
			printf("%s: ok\n",
			    c->file[0] ? c->file : "built-in defaults");
		bmx_config_free(c);
		return c != NULL ? EX_OK : EX_CONFIG;
	}
	if (c == NULL)
		return EX_CONFIG;
	sock = opt.socket != NULL ? opt.socket : c->socket;
	user = opt.user != NULL ? opt.user : c->user;
	/* a copy: the config is freed at exit before the file is removed */
	snprintf(pid_file, sizeof(pid_file), "%s",
	    opt.pid_file != NULL ? opt.pid_file : c->pid_file);
	if (root &&
	    !find_user(user, c->group, &uid, &gid, name, sizeof(name))) {
		bmx_config_free(c);
		return EX_OSERR;
	}
	if (!root) {
		const struct passwd *pw = getpwuid(getuid());

		/* Started as the service user (systemd's User=) is normal;
		 * another user means the configured one is not used. */
		if (opt.user != NULL ||
		    (pw != NULL && strcmp(pw->pw_name, user) != 0))
			fprintf(stderr,
			    "bogusmx-milter: warning: not started as root: "
			    "user %s ignored, running as %s (uid %ld)\n",
			    user, pw != NULL ? pw->pw_name : "?",
			    (long)getuid());
	}

	/* Warnings only: the admin may have reasons. */
	bmx_diag_init(&d);
	bmx_perm_check_config(c, root ? uid : getuid(), &d);
	report_perm(&d, true);
	bmx_diag_clear(&d);

	/* The engine before the socket: a bad nameserver stops us here. */
	st = bmx_state_build(c, err, sizeof(err));
	if (st == NULL) {
		fprintf(stderr, "bogusmx-milter: %s\n", err);
		return EX_CONFIG;
	}
	if (err[0] != '\0')
		fprintf(stderr, "bogusmx-milter: warning: %s\n", err);

	if (smfi_setconn((char *)sock) != MI_SUCCESS ||
	    smfi_register(bmx_milter_desc) != MI_SUCCESS ||
	    smfi_settimeout((int)st->cfg->milter_timeout) != MI_SUCCESS ||
	    (st->cfg->backlog > 0 &&
		smfi_setbacklog((int)st->cfg->backlog) != MI_SUCCESS)) {
		fprintf(stderr, "bogusmx-milter: bad socket \"%s\"\n", sock);
		rc = EX_USAGE;
		goto fail;
	}
	if (smfi_opensocket(true) != MI_SUCCESS) {
		fprintf(stderr,
		    "bogusmx-milter: cannot open socket %s (in use? "
		    "permissions?)\n",
		    sock);
		rc = EX_OSERR;
		goto fail;
	}
	if ((path = bmx_perm_unix_path(sock)) != NULL) {
		if (chmod(path, st->cfg->socket_mode) != 0 ||
		    (root && chown(path, uid, gid) != 0)) {
			fprintf(stderr, "bogusmx-milter: %s: %s\n", path,
			    strerror(errno));
			rc = EX_OSERR;
			goto fail;
		}
		if (!root && !socket_group(path, st->cfg->group)) {
			rc = EX_OSERR;
			goto fail;
		}
	}
	bmx_perm_check_socket(sock, root ? uid : getuid(), &d);
	if (!bmx_ops_open(st->cfg, root, root ? uid : getuid(),
		root ? gid : getgid(), &d, err, sizeof(err))) {
		fprintf(stderr, "bogusmx-milter: %s\n", err);
		rc = EX_OSERR;
		goto fail;
	}
	report_perm(&d, true);
	bmx_diag_clear(&d);
	if (!opt.foreground && !daemonize()) {
		fprintf(stderr, "bogusmx-milter: cannot become a daemon: %s\n",
		    strerror(errno));
		rc = EX_OSERR;
		goto fail;
	}
	if (root && !drop_privileges(name, uid, gid)) {
		rc = EX_OSERR;
		goto fail;
	}
	/* Written as the service user, so that it can remove it at exit:
	 * its directory must be the user's (systemd: RuntimeDirectory). */
	if (pid_file[0] != '\0' && !write_pid_file(pid_file)) {
		rc = EX_OSERR;
		goto fail;
	}

	/* Block the signals in every thread before any is made: SIGUSR1
	 * and SIGUSR2 then reach only the reloader's sigwait(), and HUP, TERM
	 * and INT only libmilter's, which stops smfi_main(). */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pthread_create(&tid, NULL, reloader, NULL) != 0) {
		syslog(LOG_ERR, "cannot start the reload thread");
		rc = EX_OSERR;
		goto fail;
	}
	pthread_detach(tid);
	if (!bmx_ops_start(err, sizeof(err))) {
		syslog(LOG_ERR, "%s", err);
		rc = EX_OSERR;
		goto fail;
	}
	bmx_state_install(st);
	log_config(st->cfg, "starting with");
	if (!bmx_guardrun_start())
		syslog(LOG_WARNING,
		    "cannot start the resolver guard: deciding without it");
	syslog(LOG_INFO, "bogusmx-milter %s listening on %s as uid %ld",
	    BMX_VERSION, sock, (long)getuid());

	rc = smfi_main();

	syslog(LOG_INFO, "stopping");
	bmx_ops_stop();
	if (bmx_state_shutdown(10000))
		bmx_ops_free();
	else
		syslog(LOG_WARNING, "decisions still running at exit");
	if (pid_file[0] != '\0' && unlink(pid_file) != 0 && errno != ENOENT)
		syslog(LOG_WARNING, "cannot remove %s: %s", pid_file,
		    strerror(errno));
	closelog();
	return rc == MI_SUCCESS ? EX_OK : EX_SOFTWARE;
fail:
	/* nothing serves yet: free what was built, for a clean exit */
	bmx_ops_stop();
	bmx_ops_free();
	bmx_state_put(st);
	bmx_state_shutdown(0);
	closelog();
	return rc;
}
