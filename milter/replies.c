/*
 * replies.c - the answers not yet known to be written (replies.h)
 *
 * Each thread that answered has a record (thread-specific data, freed
 * by its destructor when the thread ends); a record and the session it
 * answered point at each other while the answer is owed.  The records
 * are also on one list, so that those of threads still running when the
 * process exits (libmilter's pool workers outlive smfi_main()) remain
 * held by the module, not only by thread-specific slots, in which
 * LeakSanitizer did not always find them.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/queue.h>

#include "replies.h"

struct bmx_replies_thread {
	struct bmx_session *s;		     /* owed to, or NULL */
	LIST_ENTRY(bmx_replies_thread) link; /* on threads */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t written = PTHREAD_COND_INITIALIZER;
static unsigned long owed;
static LIST_HEAD(, bmx_replies_thread) threads = LIST_HEAD_INITIALIZER(threads);
static pthread_key_t key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static bool have_key;

/* The answer of t is written: unlink it.  The lock is held. */
static void
settle_locked(struct bmx_replies_thread *t)
{
	if (t == NULL || t->s == NULL)
		return;
	t->s->owed_by = NULL;
	t->s = NULL;
	if (--owed == 0)
		pthread_cond_broadcast(&written);
}

/* The thread ends: libmilter has written what it answered. */
static void
thread_ends(void *p)
{
	struct bmx_replies_thread *t = p;

	pthread_mutex_lock(&lock);
	settle_locked(t);
	LIST_REMOVE(t, link);
	pthread_mutex_unlock(&lock);
	free(t);
}

static void
make_key(void)
{
	have_key = pthread_key_create(&key, thread_ends) == 0;
}

void
bmx_replies_settle(struct bmx_session *s)
{
	pthread_once(&key_once, make_key);
	pthread_mutex_lock(&lock);
	if (have_key)
		settle_locked(pthread_getspecific(key));
	if (s != NULL)
		settle_locked(s->owed_by);
	pthread_mutex_unlock(&lock);
}

void
bmx_replies_owe(struct bmx_session *s)
{
	struct bmx_replies_thread *t;
	bool new_record = false;

	pthread_once(&key_once, make_key);
	if (!have_key)
		return;
	t = pthread_getspecific(key);
	if (t == NULL) {
		/* no memory: this answer goes uncounted, as before */
		t = calloc(1, sizeof(*t));
		if (t == NULL || pthread_setspecific(key, t) != 0) {
			free(t);
			return;
		}
		new_record = true;
	}
	pthread_mutex_lock(&lock);
	if (new_record)
		LIST_INSERT_HEAD(&threads, t, link);
	settle_locked(t);
	settle_locked(s->owed_by);
	t->s = s;
	s->owed_by = t;
	owed++;
	pthread_mutex_unlock(&lock);
}

bool
bmx_replies_wait(const struct timespec *until)
{
	bool done;

	pthread_mutex_lock(&lock);
	while (owed > 0)
		if (pthread_cond_timedwait(&written, &lock, until) == ETIMEDOUT)
			break;
	done = owed == 0;
	pthread_mutex_unlock(&lock);
	return done;
}
