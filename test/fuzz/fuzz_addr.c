/*
 * fuzz_addr.c - libFuzzer target: recipients and domain names (lib/addr)
 *
 * The input, as a C string, goes through bmx_addr_parse() and
 * bmx_domain_normalize() (as RCPT TO text, as a DNS or configured name,
 * and the part after its last '@'), with error buffers of every size.
 * MX targets go through bmx_mx_literal() (inet_aton forms included).
 * What comes out must keep the header's promises: a domain (a routing
 * domain too) is lower
 * case A-labels of at most 253 octets, labels of 1 to 63, no trailing
 * dot, and normalising it again changes nothing; a mailbox holds no
 * control character (it goes into reply texts); an error comes with a
 * message that fits its buffer, success with none.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "resolve.h"

#include "fuzz_common.h"

/* Normalise name; check the result and that it is a fixed point. */
static void
normalize(const char *name, size_t errlen)
{
	char out[BMX_DOMAIN_MAX + 1], again[BMX_DOMAIN_MAX + 1], e2[256];
	char *err = errlen > 0 ? malloc(errlen) : NULL;
	enum bmx_addr_status st;

	st = bmx_domain_normalize(name, out, err, errlen);
	FUZZ_CHECK(st <= BMX_ADDR_UNSUPPORTED && st != BMX_ADDR_UNSUPPORTED);
	if (err != NULL)
		FUZZ_CHECK(memchr(err, '\0', errlen) != NULL);
	if (st == BMX_ADDR_OK) {
		fuzz_check_domain(out);
		if (err != NULL)
			FUZZ_CHECK(err[0] == '\0');
		FUZZ_CHECK(bmx_domain_normalize(out, again, e2, sizeof(e2)) ==
		    BMX_ADDR_OK);
		FUZZ_CHECK(strcmp(out, again) == 0);
		(void)bmx_special_name(out);
	} else {
		FUZZ_CHECK(out[0] == '\0');
		if (err != NULL && errlen > 1)
			FUZZ_CHECK(err[0] != '\0');
	}
	free(err);
}

static bool
has_8bit(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return true;
	return false;
}

static void
parse(const char *rcpt, size_t errlen)
{
	struct bmx_addr *a = malloc(sizeof(*a));
	char *err = errlen > 0 ? malloc(errlen) : NULL;
	char again[BMX_DOMAIN_MAX + 1], e2[256];
	enum bmx_addr_status st;

	FUZZ_CHECK(a != NULL);
	st = bmx_addr_parse(rcpt, a, err, errlen);
	FUZZ_CHECK(st <= BMX_ADDR_UNSUPPORTED);
	FUZZ_CHECK(bmx_addr_status_name(st)[0] != '\0');
	if (err != NULL)
		FUZZ_CHECK(memchr(err, '\0', errlen) != NULL);
	if (st != BMX_ADDR_OK) {
		if (err != NULL && errlen > 1)
			FUZZ_CHECK(err[0] != '\0');
		goto out;
	}
	if (err != NULL)
		FUZZ_CHECK(err[0] == '\0');
	FUZZ_CHECK(strlen(a->mailbox) <= BMX_RCPT_MAX);
	FUZZ_CHECK(strlen(a->mailbox) <= strlen(rcpt));
	/* the mailbox ends up in reply texts: no CR, LF or other control */
	for (const char *p = a->mailbox; *p != '\0'; p++)
		FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
	switch (a->kind) {
	case BMX_ADDR_DOMAIN:
		fuzz_check_domain(a->domain);
		FUZZ_CHECK(strchr(a->mailbox, '@') != NULL);
		FUZZ_CHECK(bmx_domain_normalize(a->domain, again, e2,
			       sizeof(e2)) == BMX_ADDR_OK);
		FUZZ_CHECK(strcmp(a->domain, again) == 0);
		/* converted from UTF-8 (not always to an A-label: UTS #46
		 * maps U+017F to "s") */
		if (a->idn)
			FUZZ_CHECK(has_8bit(a->mailbox));
		else
			FUZZ_CHECK(!has_8bit(strrchr(a->mailbox, '@')));
		break;
	case BMX_ADDR_LITERAL:
		FUZZ_CHECK(a->domain[0] == '\0' && !a->idn);
		FUZZ_CHECK(a->literal.family == BMX_IP_V4 ||
		    a->literal.family == BMX_IP_V6);
		break;
	case BMX_ADDR_NODOMAIN:
		FUZZ_CHECK(a->domain[0] == '\0' && !a->idn);
		break;
	default:
		FUZZ_CHECK(!"unknown kind");
	}
	/* routing domains: normalised like the domain, or an address */
	FUZZ_CHECK(a->nroutes <= BMX_ROUTES_MAX);
	for (size_t k = 0; k < a->nroutes; k++) {
		const struct bmx_route *r = &a->routes[k];

		FUZZ_CHECK(bmx_route_form_name(r->form)[0] != '\0');
		if (r->literal)
			FUZZ_CHECK(r->domain[0] == '\0' &&
			    (r->ip.family == BMX_IP_V4 ||
				r->ip.family == BMX_IP_V6));
		else
			fuzz_check_domain(r->domain);
	}
out:
	free(err);
	free(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	const char *at = strrchr(s, '@');
	/* error buffers from none to roomy, chosen by the input */
	size_t errlen = size > 0 ? data[0] % 80 : 0;
	struct bmx_ip ip;

	parse(s, 256);
	parse(s, errlen);
	normalize(s, 256);
	normalize(s, errlen);
	if (at != NULL)
		normalize(at + 1, 256);
	if (bmx_mx_literal(s, &ip))
		FUZZ_CHECK(ip.family == BMX_IP_V4 || ip.family == BMX_IP_V6);
	free(s);
	return 0;
}
