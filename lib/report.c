/*
 * report.c - counts by outcome and class, and the Space-Saving top-k
 * of refused domains
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "report.h"

struct bmx_report {
	pthread_mutex_t lock;
	time_t since;
	unsigned long decisions, rejected, tempfailed, other;
	struct bmx_report_row rows[BMX_REPORT_ROWS];
	size_t nrows;
	struct bmx_report_domain *slots; /* topk of them */
	size_t nslots, topk;
};

struct bmx_report *
bmx_report_new(size_t topk, time_t now)
{
	struct bmx_report *r;

	if (topk == 0 || topk > BMX_REPORT_TOPK_MAX)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->slots = calloc(topk, sizeof(*r->slots));
	if (r->slots == NULL || pthread_mutex_init(&r->lock, NULL) != 0) {
		free(r->slots);
		free(r);
		return NULL;
	}
	r->topk = topk;
	r->since = now;
	return r;
}

void
bmx_report_free(struct bmx_report *r)
{
	if (r == NULL)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r->slots);
	free(r);
}

void
bmx_report_reset(struct bmx_report *r, time_t now)
{
	pthread_mutex_lock(&r->lock);
	r->since = now;
	r->decisions = r->rejected = r->tempfailed = r->other = 0;
	r->nrows = r->nslots = 0;
	pthread_mutex_unlock(&r->lock);
}

/* The row of (verdict, outcome, class); NULL when the rows are full. */
static struct bmx_report_row *
row(struct bmx_report *r, enum bmx_verdict verdict, enum bmx_outcome outcome,
    const char *class_name)
{
	struct bmx_report_row *w;
	size_t i;

	for (i = 0; i < r->nrows; i++) {
		w = &r->rows[i];
		if (w->verdict == verdict && w->outcome == outcome &&
		    strncmp(w->class_name, class_name,
			sizeof(w->class_name) - 1) == 0)
			return w;
	}
	if (r->nrows == BMX_REPORT_ROWS)
		return NULL;
	w = &r->rows[r->nrows++];
	w->verdict = verdict;
	w->outcome = outcome;
	snprintf(w->class_name, sizeof(w->class_name), "%s", class_name);
	w->count = 0;
	return w;
}

/* Space-Saving: count domain in its slot, a free one, or the smallest. */
static void
count_domain(struct bmx_report *r, const char *domain, enum bmx_outcome o)
{
	struct bmx_report_domain *d, *min = NULL;
	size_t i;

	for (i = 0; i < r->nslots; i++) {
		d = &r->slots[i];
		if (strncmp(d->name, domain, BMX_DOMAIN_MAX) == 0) {
			d->count++;
			d->outcome = o;
			return;
		}
		if (min == NULL || d->count < min->count)
			min = d;
	}
	if (r->nslots < r->topk) {
		d = &r->slots[r->nslots++];
		d->count = 1;
		d->error = 0;
	} else {
		d = min;
		d->error = d->count;
		d->count++;
	}
	snprintf(d->name, sizeof(d->name), "%.*s", BMX_DOMAIN_MAX, domain);
	d->outcome = o;
}

void
bmx_report_add(struct bmx_report *r, enum bmx_verdict verdict,
    enum bmx_outcome outcome, const char *class_name, const char *domain)
{
	struct bmx_report_row *w;

	pthread_mutex_lock(&r->lock);
	r->decisions++;
	if (verdict == BMX_VERDICT_ACCEPT) {
		pthread_mutex_unlock(&r->lock);
		return;
	}
	if (verdict == BMX_VERDICT_REJECT)
		r->rejected++;
	else
		r->tempfailed++;
	w = row(r, verdict, outcome, class_name != NULL ? class_name : "");
	if (w != NULL)
		w->count++;
	else
		r->other++;
	if (domain != NULL && domain[0] != '\0')
		count_domain(r, domain, outcome);
	pthread_mutex_unlock(&r->lock);
}

static int
by_count(const void *a, const void *b)
{
	const struct bmx_report_domain *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int
by_row(const void *a, const void *b)
{
	const struct bmx_report_row *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if (x->outcome != y->outcome)
		return x->outcome < y->outcome ? -1 : 1;
	return strcmp(x->class_name, y->class_name);
}

bool
bmx_report_get(struct bmx_report *r, struct bmx_report_view *out)
{
	bool ok = true;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&r->lock);
	out->since = r->since;
	out->decisions = r->decisions;
	out->rejected = r->rejected;
	out->tempfailed = r->tempfailed;
	out->other = r->other;
	out->topk = r->topk;
	memcpy(out->rows, r->rows, r->nrows * sizeof(r->rows[0]));
	out->nrows = r->nrows;
	if (r->nslots > 0) {
		out->domains = malloc(r->nslots * sizeof(*out->domains));
		if (out->domains != NULL) {
			memcpy(out->domains, r->slots,
			    r->nslots * sizeof(*out->domains));
			out->ndomains = r->nslots;
		} else {
			ok = false;
		}
	}
	pthread_mutex_unlock(&r->lock);
	qsort(out->rows, out->nrows, sizeof(out->rows[0]), by_row);
	if (out->domains != NULL)
		qsort(out->domains, out->ndomains, sizeof(*out->domains),
		    by_count);
	return ok;
}

void
bmx_report_view_clear(struct bmx_report_view *v)
{
	free(v->domains);
	v->domains = NULL;
	v->ndomains = 0;
}

static size_t
shown(const struct bmx_report_view *v, size_t limit)
{
	return limit == 0 || limit > v->ndomains ? v->ndomains : limit;
}

void
bmx_report_write_text(
    const struct bmx_report_view *v, size_t limit, time_t now, FILE *f)
{
	char when[64];
	struct tm tm;
	size_t i, n = shown(v, limit);

	gmtime_r(&v->since, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	fprintf(f,
	    "since %s (%lld s ago): %lu decisions; with action = reject, "
	    "%lu would have been rejected and %lu deferred\n",
	    when, (long long)(now - v->since), v->decisions, v->rejected,
	    v->tempfailed);
	if (v->nrows > 0) {
		fprintf(f, "\n%-9s %-14s %-20s %10s\n", "verdict", "outcome",
		    "class", "count");
		for (i = 0; i < v->nrows; i++)
			fprintf(f, "%-9s %-14s %-20s %10lu\n",
			    bmx_verdict_name(v->rows[i].verdict),
			    bmx_outcome_name(v->rows[i].outcome),
			    v->rows[i].class_name[0] ? v->rows[i].class_name :
						       "-",
			    v->rows[i].count);
	}
	if (v->other > 0)
		fprintf(f, "%-45s %10lu\n", "(other classes)", v->other);
	if (n == 0)
		return;
	fprintf(f,
	    "\ntop domains (of %zu kept; a count with \"<=\" may hold "
	    "others' refusals)\n",
	    v->topk);
	fprintf(f, "%-40s %-14s %10s\n", "domain", "outcome", "count");
	for (i = 0; i < n; i++)
		fprintf(f, "%-40s %-14s %s%8lu\n", v->domains[i].name,
		    bmx_outcome_name(v->domains[i].outcome),
		    v->domains[i].error > 0 ? "<=" : "  ", v->domains[i].count);
}

void
bmx_report_write_json(
    const struct bmx_report_view *v, size_t limit, time_t now, FILE *f)
{
	size_t i, n = shown(v, limit);

	fprintf(f,
	    "{\"since\":%lld,\"seconds\":%lld,\"decisions\":%lu,"
	    "\"rejected\":%lu,\"tempfailed\":%lu,\"other\":%lu,\"rows\":[",
	    (long long)v->since, (long long)(now - v->since), v->decisions,
	    v->rejected, v->tempfailed, v->other);
	for (i = 0; i < v->nrows; i++) {
		fprintf(f,
		    "%s{\"verdict\":\"%s\",\"outcome\":\"%s\",\"class\":",
		    i ? "," : "", bmx_verdict_name(v->rows[i].verdict),
		    bmx_outcome_name(v->rows[i].outcome));
		bmx_json_str(f, v->rows[i].class_name);
		fprintf(f, ",\"count\":%lu}", v->rows[i].count);
	}
	fprintf(f, "],\"topk\":%zu,\"domains\":[", v->topk);
	for (i = 0; i < n; i++) {
		fprintf(f, "%s{\"domain\":", i ? "," : "");
		bmx_json_str(f, v->domains[i].name);
		fprintf(f, ",\"outcome\":\"%s\",\"count\":%lu,\"error\":%lu}",
		    bmx_outcome_name(v->domains[i].outcome),
		    v->domains[i].count, v->domains[i].error);
	}
	fputs("]}\n", f);
}
