/*
 * access.c - parse Postfix access(5) results: REJECT, DEFER, 4NN, 5NN,
 * OK, DUNNO, WARN.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "access.h"

static const char *
skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Does s start with word (any case) followed by white space or end? */
static const char *
word(const char *s, const char *w)
{
	size_t n = strlen(w);

	if (strncasecmp(s, w, n) != 0)
		return NULL;
	if (s[n] != '\0' && s[n] != ' ' && s[n] != '\t')
		return NULL;
	return skip_space(s + n);
}

/* An enhanced status code "c.d.d" whose class matches. */
static size_t
dsn_len(const char *s, char cls)
{
	size_t i = 0, n;

	if (s[0] != cls || s[1] != '.')
		return 0;
	i = 2;
	for (n = 0; s[i] >= '0' && s[i] <= '9'; i++, n++)
		;
	if (n < 1 || n > 3 || s[i] != '.')
		return 0;
	i++;
	for (n = 0; s[i] >= '0' && s[i] <= '9'; i++, n++)
		;
	if (n < 1 || n > 3 || (s[i] != '\0' && s[i] != ' ' && s[i] != '\t'))
		return 0;
	return i;
}

bool
bmx_access_parse(
    const char *result, struct bmx_access *out, char *err, size_t errlen)
{
	const char *s = skip_space(result), *rest;
	size_t n;

	memset(out, 0, sizeof(*out));
	out->text = "";
	if ((rest = word(s, "REJECT")) != NULL) {
		out->action = BMX_ACCESS_REJECT;
		out->text = rest;
		return true;
	}
	if ((rest = word(s, "DEFER")) != NULL) {
		out->action = BMX_ACCESS_DEFER;
		out->text = rest;
		return true;
	}
	if ((rest = word(s, "WARN")) != NULL) {
		out->action = BMX_ACCESS_WARN;
		out->text = rest;
		return true;
	}
	if ((rest = word(s, "OK")) != NULL ||
	    (rest = word(s, "DUNNO")) != NULL) {
		if (*rest != '\0') {
			snprintf(err, errlen,
			    "unexpected text \"%s\" after %.5s", rest, s);
			return false;
		}
		out->action = (s[0] == 'O' || s[0] == 'o') ? BMX_ACCESS_OK :
							     BMX_ACCESS_DUNNO;
		return true;
	}
	n = strspn(s, "0123456789");
	if (n == 3 && s[3] == '\0' && (s[0] == '4' || s[0] == '5')) {
		snprintf(err, errlen,
		    "\"%s\" alone is an all-numerical result, which Postfix "
		    "takes as OK; write \"%s text\" to refuse",
		    s, s);
		return false;
	}
	if (n > 0 && s[n] == '\0') {
		out->action = BMX_ACCESS_OK; /* all-numerical: as OK */
		return true;
	}
	if (n == 3 && (s[3] == '\0' || s[3] == ' ' || s[3] == '\t') &&
	    (s[0] == '4' || s[0] == '5')) {
		out->action =
		    s[0] == '4' ? BMX_ACCESS_DEFER : BMX_ACCESS_REJECT;
		out->code = (unsigned)((s[0] - '0') * 100 + (s[1] - '0') * 10 +
		    (s[2] - '0'));
		rest = skip_space(s + 3);
		if ((n = dsn_len(rest, s[0])) > 0) {
			memcpy(out->dsn, rest, n);
			out->dsn[n] = '\0';
			rest = skip_space(rest + n);
		}
		out->text = rest;
		return true;
	}
	snprintf(err, errlen,
	    "unsupported result \"%s\": use REJECT [text], DEFER [text], "
	    "4NN or 5NN [text], OK, DUNNO or WARN [text]",
	    s);
	return false;
}

bool
bmx_access_check_table(const struct bmx_cidr_table *t, struct bmx_diag *diag)
{
	struct bmx_access a;
	char err[512];
	size_t i;
	bool ok = true;

	for (i = 0; i < bmx_cidr_nrules(t); i++) {
		const struct bmx_cidr_rule *r = bmx_cidr_rule(t, i);

		if (!bmx_access_parse(r->result, &a, err, sizeof(err))) {
			bmx_diag_add(diag, BMX_DIAG_ERROR, bmx_cidr_name(t),
			    r->line, "%s", err);
			ok = false;
		}
	}
	return ok;
}

const char *
bmx_access_name(enum bmx_access_action a)
{
	switch (a) {
	case BMX_ACCESS_OK:
		return "OK";
	case BMX_ACCESS_REJECT:
		return "REJECT";
	case BMX_ACCESS_DEFER:
		return "DEFER";
	case BMX_ACCESS_WARN:
		return "WARN";
	case BMX_ACCESS_DUNNO:
		break;
	}
	return "DUNNO";
}
