/*
 * registry.c - the built-in special-purpose address table (etc/bogons.cidr)
 *
 * The bytes of etc/bogons.cidr are generated into bogons_data.c by the
 * build, and its registry-date line into BMX_REGISTRY_DATE by CMake.
 * Nothing is cached here: bmx_registry_table() parses the text each time
 * it is called.
 */
#include <ctype.h>

#include "access.h"
#include "registry.h"

extern const char bmx_bogons_data[];
extern const size_t bmx_bogons_data_len;

const char *
bmx_registry_text(size_t *len)
{
	*len = bmx_bogons_data_len;
	return bmx_bogons_data;
}

const char *
bmx_registry_date(void)
{
	return BMX_REGISTRY_DATE;
}

struct bmx_cidr_table *
bmx_registry_table(struct bmx_diag *diag)
{
	struct bmx_cidr_table *t;

	t = bmx_cidr_parse(
	    BMX_REGISTRY_NAME, bmx_bogons_data, bmx_bogons_data_len, diag);
	if (t != NULL && !bmx_access_check_table(t, diag)) {
		bmx_cidr_free(t);
		return NULL;
	}
	return t;
}

const char *
bmx_registry_class(const struct bmx_cidr_rule *rule, char *buf, size_t len)
{
	struct bmx_access a;
	char err[256];
	size_t i = 0;
	const char *s;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (!bmx_access_parse(rule->result, &a, err, sizeof(err)))
		return buf;
	for (s = a.text; *s != '\0' && *s != ' ' && *s != ',' && i + 1 < len;
	     s++)
		buf[i++] = (char)tolower((unsigned char)*s);
	buf[i] = '\0';
	return buf;
}
