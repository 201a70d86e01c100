/*
 * ipclass.c - classify an address: unwrap embedded IPv4, consult the
 * tables in order, name the class from the registry.
 */
#include <string.h>

#include "ipclass.h"
#include "registry.h"

static bool
has_prefix(const struct bmx_ip *ip, const uint8_t *p, size_t nbytes)
{
	return memcmp(ip->bytes, p, nbytes) == 0;
}

/* Find the IPv4 addresses hidden in ip; returns how many (0 to 2). */
static int
unwrap(const struct bmx_ip *ip, struct bmx_ip v4[2], enum bmx_embed e[2])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
		0xff };
	static const uint8_t nat64[12] = { 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0,
		0, 0, 0 };
	static const uint8_t nat64l[6] = { 0, 0x64, 0xff, 0x9b, 0, 1 };
	const uint8_t *b = ip->bytes;
	uint8_t x[4];
	int i;

	if (ip->family != BMX_IP_V6)
		return 0;
	if (has_prefix(ip, mapped, 12)) {
		v4[0] = bmx_ip_v4(b + 12);
		e[0] = BMX_EMBED_MAPPED;
		return 1;
	}
	if (has_prefix(ip, nat64, 12)) {
		v4[0] = bmx_ip_v4(b + 12);
		e[0] = BMX_EMBED_NAT64;
		return 1;
	}
	if (has_prefix(ip, nat64l, 6) && b[8] == 0 &&
	    (b[11] | b[12] | b[13] | b[14] | b[15]) == 0) {
		/* RFC 6052 /48: bits 48-63, octet u (bits 64-71), 72-87 */
		x[0] = b[6];
		x[1] = b[7];
		x[2] = b[9];
		x[3] = b[10];
		v4[0] = bmx_ip_v4(x);
		e[0] = BMX_EMBED_NAT64_LOCAL;
		return 1;
	}
	if (b[0] == 0x20 && b[1] == 0x02) {
		v4[0] = bmx_ip_v4(b + 2);
		e[0] = BMX_EMBED_6TO4;
		return 1;
	}
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) {
		v4[0] = bmx_ip_v4(b + 4);
		e[0] = BMX_EMBED_TEREDO_SERVER;
		for (i = 0; i < 4; i++)
			x[i] = (uint8_t)~b[12 + i];
		v4[1] = bmx_ip_v4(x);
		e[1] = BMX_EMBED_TEREDO_CLIENT;
		return 2;
	}
	return 0;
}

/*
 * Consult the tables for one address.  Returns true when a table
 * decided (bogus or OK) and fills the decision into out.  With skip_names,
 * the registry (names) is passed over: the literal form of an address
 * with IPv4 inside is for the user's tables only.
 */
static bool
judge(const struct bmx_cidr_table *const *tables, size_t ntables,
    const struct bmx_cidr_table *names, bool skip_names,
    const struct bmx_ip *ip, struct bmx_ipclass *out)
{
	const struct bmx_cidr_rule *r;
	struct bmx_access a;
	char err[8];
	size_t i;

	for (i = 0; i < ntables; i++) {
		if (tables[i] == NULL || (skip_names && tables[i] == names))
			continue;
		r = bmx_cidr_match(tables[i], ip);
		if (r == NULL ||
		    !bmx_access_parse(r->result, &a, err, sizeof(err)))
			continue;
		if (a.action == BMX_ACCESS_DUNNO)
			continue;
		if (a.action == BMX_ACCESS_WARN) {
			if (out->warn == NULL) {
				out->warn = r;
				out->warn_table = tables[i];
			}
			continue;
		}
		out->table = tables[i];
		out->rule = r;
		out->access = a;
		out->bogus = a.action == BMX_ACCESS_REJECT ||
		    a.action == BMX_ACCESS_DEFER;
		return true;
	}
	return false;
}

void
bmx_ipclass_classify(const struct bmx_cidr_table *const *tables, size_t ntables,
    const struct bmx_cidr_table *names, const struct bmx_ip *ip,
    struct bmx_ipclass *out)
{
	struct bmx_ip v4[2];
	enum bmx_embed e[2];
	const struct bmx_cidr_rule *r;
	int n, i;

	memset(out, 0, sizeof(*out));
	out->address = *ip;
	out->judged = *ip;
	out->access.text = "";
	n = unwrap(ip, v4, e);
	if (n == 0) {
		static const uint8_t zero[12] = { 0 };

		if (ip->family == BMX_IP_V6 &&
		    memcmp(ip->bytes, zero, 12) == 0 &&
		    (ip->bytes[12] | ip->bytes[13] | ip->bytes[14] |
			(ip->bytes[15] & 0xfe)) != 0) {
			out->embed = BMX_EMBED_COMPAT;
			out->embedded = bmx_ip_v4(ip->bytes + 12);
		}
		judge(tables, ntables, names, false, ip, out);
	} else if (judge(tables, ntables, names, true, ip, out)) {
		/* a user's table decided on the address as written */
		out->embed = e[0];
		out->embedded = v4[0];
	} else {
		for (i = 0; i < n; i++) {
			out->judged = v4[i];
			out->embed = e[i];
			out->embedded = v4[i];
			if (judge(tables, ntables, names, false, &v4[i], out) &&
			    out->bogus)
				break;
		}
		if (!out->bogus && n == 2) {
			/* Teredo with both public: report the server. */
			out->judged = v4[0];
			out->embed = e[0];
			out->embedded = v4[0];
		}
	}
	r = names != NULL ? bmx_cidr_match(names, &out->judged) : NULL;
	if (r != NULL) {
		bmx_registry_class(r, out->class_name, sizeof(out->class_name));
		if (out->class_name[0] != '\0')
			out->class_rule = r;
	}
	if (out->class_rule == NULL)
		strcpy(out->class_name,
		    out->bogus && names != NULL && out->table != names ?
			"listed" :
			"public");
}

const char *
bmx_embed_name(enum bmx_embed e)
{
	switch (e) {
	case BMX_EMBED_MAPPED:
		return "ipv4-mapped";
	case BMX_EMBED_NAT64:
		return "nat64";
	case BMX_EMBED_NAT64_LOCAL:
		return "nat64-local";
	case BMX_EMBED_6TO4:
		return "6to4";
	case BMX_EMBED_TEREDO_SERVER:
		return "teredo-server";
	case BMX_EMBED_TEREDO_CLIENT:
		return "teredo-client";
	case BMX_EMBED_COMPAT:
		return "ipv4-compatible";
	case BMX_EMBED_NONE:
		break;
	}
	return "";
}
