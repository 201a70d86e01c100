/*
 * fuzz_query_stub.h - the network of the programs that resolve without
 * one (fuzz_dnsmsg, fuzz_dns_seeds)
 *
 * fuzz_query_stub.c defines bmx_query_run(), so that the linker never
 * takes lib/query.o from the library: it answers every query of the
 * batch that has no answer yet, in order, through fuzz_answer_one(),
 * which each program defines.  The servers and the deadline are not
 * used.
 */
#ifndef FUZZ_QUERY_STUB_H
#define FUZZ_QUERY_STUB_H

#include "query.h"

/**
 * Answer one query: set q->answer (never left NULL).
 * @param q a query of the batch bmx_query_run() was given
 */
void fuzz_answer_one(struct bmx_query *q);

#endif
