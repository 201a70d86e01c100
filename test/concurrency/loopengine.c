/*
 * loopengine.c - an engine on a loopdns server with the registry as its
 * table
 *
 * The engine keeps a copy of its nameserver's address but borrows the
 * list of its tables, so that list lives here, in static storage: one
 * slot, the registry, set again by every call.
 */
#include <stdio.h>

#include "loopengine.h"

struct bmx_engine *
loopengine_new(const struct loopdns *dns, const struct bmx_cidr_table *registry,
    const struct bmx_engine_settings *settings, char *err, size_t errlen)
{
	static const struct bmx_cidr_table *tables[1];
	struct bmx_engine_settings s = *settings;
	char ns[64];
	const char *nsp = ns;

	snprintf(ns, sizeof(ns), "127.0.0.1:%u", loopdns_port(dns));
	tables[0] = registry;
	s.nameservers = &nsp;
	s.nnameservers = 1;
	s.policy.tables = tables;
	s.policy.ntables = 1;
	s.policy.registry = registry;
	return bmx_engine_new(&s, err, errlen);
}
