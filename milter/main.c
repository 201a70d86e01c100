/*
 * main.c - bogusmx-milter: the daemon
 *
 * bogusmx-milter [-c FILE] [-p SOCKET] [-f] [-u USER[:GROUP]] [-P PIDFILE]
 *     [-n] [-V]
 *
 * Order of start-up: SIGUSR1, SIGUSR2, SIGHUP, SIGTERM and SIGINT are
 * blocked first (they wait for their threads); the configuration is
 * read and checked, and the command line's relative paths made absolute
 * (relative paths in the file are refused: the daemon works in /);
 * the service user is looked up (never root, never gid 0); then the
 * process becomes a daemon (unless -f) whose starter waits for its word;
 * the pid file is written and locked as the starting user (a locked one
 * means another instance: refused); the engine is built; the socket is
 * opened (refused when another milter answers on a unix one; made with
 * its mode by the umask, its owner set through a checked descriptor,
 * sock.h); privileges are dropped, verified (daemon.h); then the daemon
 * tells its starter and systemd (sd_notify READY=1) it serves.  Every
 * error on the way goes to the log, and to standard error while the
 * starter waits; the starter exits with the daemon's status.
 *
 * Permissions are looked at, for warnings only (perm.h): those of the
 * configuration and the files it names once it is read, at start and
 * at each reload, those of the socket once it is set up, and whether
 * the service user can read the configuration and tables after the drop.
 *
 * Signals: SIGUSR1 reloads the configuration (a broken or missing file
 * is logged and the configuration in force stays; the default file may
 * be missing at the first start only, for the built-in defaults);
 * SIGUSR2 logs the counters (cache, DNS queries); SIGTERM, SIGINT and
 * SIGHUP stop (libmilter owns them): the reload thread finishes a reload
 * in progress and is joined before the state is freed; the decisions in
 * flight finish and their answers are written (replies.h) before the
 * exit, ten seconds at most.
 *
 * For tests only: BOGUSMX_TEST_STOP_AFTER_BIND (sock.h),
 * BOGUSMX_TEST_START_HOLD=FILE, which holds the start (the configuration
 * read, nothing set up) until FILE exists, and
 * BOGUSMX_TEST_RELOAD_HOLD=FILE, which holds a reload in progress until
 * FILE exists.
 *
 * Exit status: 0 after a clean stop, 64 usage, 78 configuration error,
 * 71 (EX_OSERR) when the socket, the user or the daemon cannot be set up.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <semaphore.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
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
#include "config.h"
#include "daemon.h"
#include "guardrun.h"
#include "observe.h"
#include "ops.h"
#include "perm.h"
#include "registry.h"
#include "replies.h"
#include "sock.h"
#include "sockspec.h"
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

/* The pid file (a copy: the configuration is freed before it is
 * removed) and the descriptor that holds its lock. */
/* At a stop, the decisions in flight and their answers get this long. */
#define STOP_WAIT_S 10

static char pid_file[PATH_MAX];
static int pid_fd = -1;

/* Until the daemon serves, whoever started it reads standard error;
 * in the foreground the log is copied there already (openlog), and -n
 * writes there only. */
static atomic_bool starting = true;

static bool
to_stderr(void)
{
	return opt.check_only || (atomic_load(&starting) && !opt.foreground);
}

static void say(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A line for the log, and for standard error while starting. */
static void
say(int prio, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!opt.check_only)
		syslog(prio, "%s", msg);
	if (to_stderr())
		fprintf(stderr, "bogusmx-milter: %s\n", msg);
}

/* Problems and warnings (configuration, permissions): to the log, and
 * to standard error while starting, each line after prefix. */
static void
report(const struct bmx_diag *d, const char *prefix)
{
	char line[1024];
	size_t i;

	if (to_stderr())
		bmx_diag_print(d, stderr, prefix);
	if (opt.check_only)
		return;
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

/* Relative paths would change meaning once the daemon works in /:
 * refused, at start and on reload. */
static bool
relative_paths(const struct bmx_config *c)
{
	const char *rc = c->engine.resolv_conf;
	size_t i;

	for (i = 0; i < c->ntables; i++)
		if (c->table_files[i][0] != '/') {
			say(LOG_ERR,
			    "%s: tables: \"%s\" is a relative path: the daemon "
			    "works in /; give an absolute path",
			    c->file, c->table_files[i]);
			return true;
		}
	if (c->engine.nnameservers == 0 && rc != NULL && rc[0] != '/') {
		say(LOG_ERR,
		    "%s: dns: resolv-conf = \"%s\" is a relative path: the "
		    "daemon works in /; give an absolute path",
		    c->file, rc);
		return true;
	}
	return false;
}

/* The configuration file; a missing default file means the built-in
 * defaults at the first start only: on reload it is an error, and the
 * configuration in force stays. */
static struct bmx_config *
load(bool first)
{
	struct bmx_diag d;
	struct bmx_config *c;

	bmx_diag_init(&d);
	c = bmx_config_load(opt.conf, first && !opt.conf_named, &d);
	report(&d, "");
	bmx_diag_clear(&d);
	if (c != NULL && relative_paths(c)) {
		bmx_config_free(c);
		return NULL;
	}
	return c;
}

static bool
same(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* What a reload cannot change: said, the new values are not used. */
static void
warn_fixed(const struct bmx_config *old, const struct bmx_config *c)
{
	if (!same(old->socket, c->socket) || !same(old->user, c->user) ||
	    !same(old->group, c->group) || !same(old->pid_file, c->pid_file) ||
	    old->socket_mode != c->socket_mode || old->backlog != c->backlog ||
	    old->milter_timeout != c->milter_timeout ||
	    !same(old->metrics, c->metrics) ||
	    !same(old->control_socket, c->control_socket) ||
	    old->report_domains != c->report_domains ||
	    memcmp(&old->engine.cache, &c->engine.cache,
		sizeof(c->engine.cache)) != 0)
		syslog(LOG_WARNING,
		    "reload: socket, socket-mode, user, group, pid-file, "
		    "backlog, milter-timeout, metrics, control-socket, "
		    "report-domains and cache settings take effect only at "
		    "the next start");
}

/* For tests: wait until the file that the environment variable env
 * names exists (nothing when env is not set). */
static void
test_hold(const char *env)
{
	const char *file = getenv(env);

	if (file != NULL)
		while (access(file, F_OK) != 0)
			usleep(20000);
}

static void
reload(void)
{
	struct bmx_state *old, *st;
	struct bmx_config *c;
	struct bmx_diag d;
	char err[512];

	syslog(LOG_INFO, "SIGUSR1: reloading %s", opt.conf);
	c = load(false);
	if (c == NULL) {
		bmx_observe_reload(false);
		syslog(LOG_ERR,
		    "reload failed: the configuration in force is kept");
		return;
	}
	bmx_diag_init(&d);
	bmx_perm_check_config(c, getuid(), &d);
	report(&d, "bogusmx-milter: ");
	bmx_diag_clear(&d);
	test_hold("BOGUSMX_TEST_RELOAD_HOLD");
	old = bmx_state_get();
	if (old != NULL)
		warn_fixed(old->cfg, c);
	bmx_state_put(old);
	st = bmx_state_build(c, err, sizeof(err));
	bmx_observe_reload(st != NULL);
	if (st == NULL) {
		syslog(LOG_ERR,
		    "reload failed: %s; the configuration in force is kept",
		    err);
		return;
	}
	if (err[0] != '\0')
		syslog(LOG_WARNING, "%s", err);
	bmx_state_install(st);
	log_config(st->cfg, "reloaded");
	bmx_guardrun_kick();
}

/* SIGUSR1 reloads, SIGUSR2 logs the counters, from the moment the
 * daemon is ready (a signal during the start waits until then, and
 * RELOADING=1 never comes before the first READY=1) until
 * stop_reloader(). */
static atomic_bool reloader_stop;
static sem_t reloader_go;

static void *
reloader(void *arg)
{
	sigset_t set;
	char stats[512];
	int sig;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	while (sem_wait(&reloader_go) != 0)
		;
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (atomic_load(&reloader_stop))
			break;
		if (sig == SIGUSR2) {
			char g[256];

			bmx_state_stats(stats, sizeof(stats));
			bmx_guardrun_stats(g, sizeof(g));
			syslog(LOG_INFO, "stats: %s%s%s", stats,
			    g[0] != '\0' ? "; " : "", g);
			continue;
		}
		bmx_daemon_notify("RELOADING=1");
		reload();
		bmx_daemon_notify("READY=1");
	}
	return NULL;
}

/* A reload in progress ends first; then the thread is gone. */
static void
stop_reloader(pthread_t tid)
{
	atomic_store(&reloader_stop, true);
	pthread_kill(tid, SIGUSR2);
	pthread_join(tid, NULL);
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

/* A path named on the command line, made absolute: the daemon works
 * in / once started. */
static const char *
absolute(const char *path, char *buf, size_t len)
{
	char cwd[PATH_MAX];
	int n;

	if (path == NULL || path[0] == '/' || path[0] == '\0')
		return path;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return path;
	n = snprintf(buf, len, "%s/%s", cwd, path);
	return n > 0 && (size_t)n < len ? buf : path;
}

/* Everything about the service user before anything is set up; c is
 * borrowed. @return false when the daemon must not start */
static bool
service_user(
    const struct bmx_config *c, const char *user, bool root, struct bmx_user *u)
{
	const struct passwd *pw;
	char err[512];

	if (root) {
		if (bmx_user_lookup(user, c->group, u, err, sizeof(err)))
			return true;
		say(LOG_ERR, "%s", err);
		return false;
	}
	pw = getpwuid(getuid());
	/* Started as the service user (systemd's User=) is normal;
	 * another user means the configured one is not used. */
	if (opt.user != NULL || (pw != NULL && strcmp(pw->pw_name, user) != 0))
		say(LOG_WARNING,
		    "warning: not started as root: user %s ignored, running "
		    "as %s (uid %ld)",
		    user, pw != NULL ? pw->pw_name : "?", (long)getuid());
	return true;
}

/* libmilter's socket, made and given its mode and owner.
 * @return 0, or the exit status */
static int
open_socket(const char *text, const struct bmx_sockspec *spec,
    const struct bmx_state *st, bool root, const struct bmx_user *u)
{
	const struct bmx_config *c = st->cfg;
	struct group *gr = NULL;
	char err[512];
	mode_t old;
	bool ok;

	if (smfi_setconn((char *)text) != MI_SUCCESS ||
	    smfi_register(bmx_milter_desc) != MI_SUCCESS ||
	    smfi_settimeout((int)c->milter_timeout) != MI_SUCCESS ||
	    (c->backlog > 0 &&
		smfi_setbacklog((int)c->backlog) != MI_SUCCESS)) {
		say(LOG_ERR, "bad socket \"%s\"", text);
		return EX_USAGE;
	}
	if (spec->kind == BMX_SOCK_UNIX && bmx_sock_in_use(spec->path)) {
		say(LOG_ERR,
		    "%s: another milter answers on it: refusing to start a "
		    "second instance",
		    spec->path);
		return EX_OSERR;
	}
	if (spec->kind == BMX_SOCK_UNIX && !root && c->group[0] != '\0' &&
	    (gr = getgrnam(c->group)) == NULL) {
		say(LOG_ERR, "no such group \"%s\"", c->group);
		return EX_OSERR;
	}
	old = bmx_sock_umask(c->socket_mode);
	ok = smfi_opensocket(true) == MI_SUCCESS;
	umask(old);
	if (!ok) {
		say(LOG_ERR, "cannot open socket %s (in use? permissions?)",
		    text);
		return EX_OSERR;
	}
	if (spec->kind == BMX_SOCK_UNIX &&
	    !bmx_sock_finish(spec->path, c->socket_mode,
		root ? u->uid : (uid_t)-1,
		root	       ? u->gid :
		    gr != NULL ? gr->gr_gid :
				 (gid_t)-1,
		err, sizeof(err))) {
		say(LOG_ERR, "%s", err);
		return EX_OSERR;
	}
	return 0;
}

/* The warnings of perm.h, given what is known at this point. */
static void
check_perm(const struct bmx_config *c, const char *sock, uid_t uid)
{
	struct bmx_diag d;

	bmx_diag_init(&d);
	if (c != NULL)
		bmx_perm_check_config(c, uid, &d);
	if (sock != NULL)
		bmx_perm_check_socket(sock, uid, &d);
	report(&d, "bogusmx-milter: ");
	bmx_diag_clear(&d);
}

/* Detached (unless -f), pid file, engine, socket, user: everything
 * up to serving.  @return 0, or the exit status */
static int
set_up(struct bmx_config *c, const char *sock, const struct bmx_sockspec *spec,
    bool root, struct bmx_state **stp)
{
	struct bmx_user u = { .uid = getuid(), .gid = getgid() };
	struct bmx_diag d;
	char err[512];
	int rc;

	if (!service_user(c, opt.user != NULL ? opt.user : c->user, root, &u)) {
		bmx_config_free(c);
		return EX_OSERR;
	}
	check_perm(c, NULL, u.uid);
	if (!opt.foreground && !bmx_daemon_detach()) {
		say(LOG_ERR, "cannot become a daemon: %s", strerror(errno));
		bmx_config_free(c);
		return EX_OSERR;
	}
	if (pid_file[0] != '\0' &&
	    (pid_fd = bmx_pidfile_open(pid_file, err, sizeof(err))) < 0) {
		say(LOG_ERR, "%s", err);
		bmx_config_free(c);
		return EX_OSERR;
	}
	/* The engine before the socket: a bad nameserver stops us here. */
	*stp = bmx_state_build(c, err, sizeof(err));
	if (*stp == NULL) {
		say(LOG_ERR, "%s", err);
		return EX_CONFIG;
	}
	if (err[0] != '\0')
		say(LOG_WARNING, "warning: %s", err);
	if ((rc = open_socket(sock, spec, *stp, root, &u)) != 0)
		return rc;
	check_perm(NULL, sock, u.uid);
	bmx_diag_init(&d);
	if (!bmx_ops_open(
		(*stp)->cfg, root, u.uid, u.gid, &d, err, sizeof(err))) {
		say(LOG_ERR, "%s", err);
		bmx_diag_clear(&d);
		return EX_OSERR;
	}
	report(&d, "bogusmx-milter: ");
	bmx_diag_clear(&d);
	if (root && !bmx_user_become(&u, err, sizeof(err))) {
		say(LOG_ERR, "%s", err);
		return EX_OSERR;
	}
	bmx_diag_init(&d);
	if (root)
		bmx_perm_check_readable((*stp)->cfg, u.name, &d);
	report(&d, "bogusmx-milter: ");
	bmx_diag_clear(&d);
	return 0;
}

/* SIGUSR1 and SIGUSR2 (the reloader's, sigwait) and HUP, TERM and INT
 * (libmilter's, sigwait) blocked in every thread, from the first
 * instruction: a signal during a slow start waits for its thread. */
static void
block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* Read the configuration, and the command line's paths made absolute.
 * @return the configuration, or NULL with *rc the exit status */
static struct bmx_config *
configure(const char **sock, struct bmx_sockspec *spec, int *rc)
{
	static char conf[PATH_MAX], pid[PATH_MAX];
	struct bmx_config *c;
	char err[256];

	opt.conf = absolute(opt.conf, conf, sizeof(conf));
	opt.pid_file = absolute(opt.pid_file, pid, sizeof(pid));
	if (opt.socket != NULL &&
	    !bmx_sockspec_parse(opt.socket, spec, err, sizeof(err))) {
		say(LOG_ERR, "-p \"%s\": %s", opt.socket, err);
		*rc = EX_USAGE;
		return NULL;
	}
	c = load(true);
	if (c == NULL) {
		*rc = EX_CONFIG;
		return NULL;
	}
	*sock = opt.socket != NULL ? opt.socket : c->socket;
	if (!bmx_sockspec_parse(*sock, spec, err, sizeof(err))) {
		say(LOG_ERR, "socket \"%s\": %s", *sock, err);
		bmx_config_free(c);
		*rc = EX_CONFIG;
		return NULL;
	}
	/* a copy: the config is freed at exit before the file is removed */
	snprintf(pid_file, sizeof(pid_file), "%s",
	    opt.pid_file != NULL ? opt.pid_file : c->pid_file);
	return c;
}

int
main(int argc, char **argv)
{
	struct bmx_sockspec spec;
	struct bmx_state *st = NULL;
	struct bmx_config *c;
	const char *sock = NULL;
	bool root = geteuid() == 0;
	struct timespec until;
	pthread_t tid;
	char err[512];
	int rc = 0;

	block_signals();
	parse_args(argc, argv);
	/* -f copies the log to stderr, except under systemd, whose journal
	 * takes both syslog and stderr: the lines would come twice. */
	openlog("bogusmx-milter",
	    LOG_PID |
		(opt.foreground && getenv("JOURNAL_STREAM") == NULL ?
			LOG_PERROR :
			0),
	    LOG_MAIL);
	c = configure(&sock, &spec, &rc);
	if (opt.check_only) {
		if (c != NULL)
			printf("%s: ok\n",
			    c->file[0] ? c->file : "built-in defaults");
		bmx_config_free(c);
		return c != NULL ? EX_OK : rc;
	}
	if (c == NULL)
		return rc;
	test_hold("BOGUSMX_TEST_START_HOLD");
	if ((rc = set_up(c, sock, &spec, root, &st)) != 0)
		goto fail;
	if (sem_init(&reloader_go, 0, 0) != 0 ||
	    pthread_create(&tid, NULL, reloader, NULL) != 0) {
		say(LOG_ERR, "cannot start the reload thread");
		rc = EX_OSERR;
		goto fail;
	}
	if (!bmx_ops_start(err, sizeof(err))) {
		say(LOG_ERR, "%s", err);
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
	bmx_daemon_ready();
	atomic_store(&starting, false);
	sem_post(&reloader_go);

	rc = smfi_main();

	syslog(LOG_INFO, "stopping");
	bmx_daemon_notify("STOPPING=1");
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += STOP_WAIT_S;
	stop_reloader(tid);
	bmx_ops_stop();
	if (bmx_state_shutdown(STOP_WAIT_S * 1000))
		bmx_ops_free();
	else
		syslog(LOG_WARNING, "decisions still running at exit");
	/* smfi_main() does not wait for the threads that answer: exit only
	 * once the answers of the decisions logged are written */
	if (!bmx_replies_wait(&until))
		syslog(LOG_WARNING, "answers still unwritten at exit");
	bmx_pidfile_close(pid_fd, pid_file);
	closelog();
	return rc == MI_SUCCESS ? EX_OK : EX_SOFTWARE;
fail:
	/* nothing serves yet: free what was built, for a clean exit */
	bmx_daemon_failed(rc);
	bmx_ops_stop();
	bmx_ops_free();
	bmx_state_put(st);
	bmx_state_shutdown(0);
	bmx_pidfile_close(pid_fd, pid_file);
	closelog();
	return rc;
}
