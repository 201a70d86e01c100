/*
 * benchfmt.h - how the benchmarks print their figures: times, rates,
 * sizes and counts with three significant digits, and the machine and
 * compiler they ran on
 *
 * Every figure is written into a buffer the caller gives, with its unit,
 * and the buffer is returned so that a call can stand as a printf
 * argument.  BENCHFMT_LEN bytes hold the figures the benchmarks print; a
 * figure that does not fit is cut short (snprintf), never overrun.
 *
 * Ownership and thread safety: nothing is allocated and nothing is kept;
 * the functions may run in any thread.  benchfmt_machine() reads /proc
 * and writes to the stream it is given.
 */
#ifndef BENCHFMT_H
#define BENCHFMT_H

#include <stddef.h>
#include <stdio.h>

/** A buffer long enough for a figure with its unit. */
#define BENCHFMT_LEN 32

/**
 * A time: "24.5 ns", "1.26 us", "15.4 ms", "2.10 s".
 * @param buf the caller's buffer, written
 * @param len its size
 * @param ns the time in nanoseconds
 * @return buf
 */
const char *benchfmt_ns(char *buf, size_t len, double ns);

/**
 * The rate of a thing that takes ns: "40.8 M lookups/s", "791 k
 * decisions/s", "120 decisions/s".
 * @param buf the caller's buffer, written
 * @param len its size
 * @param ns the time of one thing, in nanoseconds (more than 0)
 * @param things what is counted, plural ("lookups")
 * @return buf
 */
const char *benchfmt_rate(char *buf, size_t len, double ns, const char *things);

/**
 * A size: "633 KiB", "1.93 MiB", or "512 bytes" below one KiB.
 * @param buf the caller's buffer, written
 * @param len its size
 * @param bytes the size
 * @return buf
 */
const char *benchfmt_size(char *buf, size_t len, double bytes);

/**
 * A count as given on a command line: "20k", "1M", "2500".
 * @param buf the caller's buffer, written
 * @param len its size
 * @param n the count; "k" or "M" only when it is a whole multiple
 * @return buf
 */
const char *benchfmt_count(char *buf, size_t len, size_t n);

/**
 * Write what a figure depends on: "machine: N CPUs online, <model>" (from
 * /proc/cpuinfo; "unknown CPU" without it) and, where the compiler says
 * its version, "compiler: <version>, optimized" or ", NOT optimized (use
 * a Release build)".  Optimized means this file was; bench/CMakeLists.txt
 * builds it with every benchmark, with the benchmark's flags.
 * @param out the stream, stdout for the benchmarks
 */
void benchfmt_machine(FILE *out);

#endif
