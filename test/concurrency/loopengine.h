/*
 * loopengine.h - a decision engine for tests and benchmarks that asks a
 * loopdns server and nothing else, with the built-in registry as its one
 * table
 *
 * The caller sets what its test is about (cache size, timeouts ...) in
 * settings made by bmx_engine_defaults(); loopengine_new() points them
 * at the server (127.0.0.1 and its port) and at the registry, and makes
 * the engine.
 *
 * Ownership: the engine is the caller's, freed with bmx_engine_free().
 * The registry is borrowed and must outlive every engine made with it;
 * the server must run while the engine decides (the engine keeps its
 * address, not the pointer).
 *
 * Thread safety: call loopengine_new() from one thread (the list of
 * tables it gives the engines is one static array); each engine it makes
 * decides in any number of threads at once, as engine.h says.
 */
#ifndef LOOPENGINE_H
#define LOOPENGINE_H

#include <stddef.h>

#include "engine.h"
#include "loopdns.h"

/**
 * Make an engine on a loopdns server.
 * @param dns the server, the engine's one nameserver
 * @param registry the built-in table (bmx_registry_table()): the policy's
 * one table and its registry; the same one for every engine alive at once
 * @param settings the rest of the settings (copied); its nameservers,
 * policy tables and registry are replaced
 * @param err filled with the reason on failure
 * @param errlen size of err
 * @return the engine, or NULL with a message in err
 */
struct bmx_engine *loopengine_new(const struct loopdns *dns,
    const struct bmx_cidr_table *registry,
    const struct bmx_engine_settings *settings, char *err, size_t errlen);

#endif
