/*
 * benchfmt.c - the figures and the machine line of the benchmarks
 *
 * Figures have three significant digits ("25.1", "140", "2.10"), the
 * unit chosen so that the number is at least 1.  Nothing here allocates
 * or keeps state; the machine line reads /proc/cpuinfo once per call.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "benchfmt.h"

/* Three significant digits: "25.1", "140", "2.10". */
static void
sig3(char *buf, size_t len, double v, const char *unit)
{
	if (v < 10)
		snprintf(buf, len, "%.2f %s", v, unit);
	else if (v < 100)
		snprintf(buf, len, "%.1f %s", v, unit);
	else
		snprintf(buf, len, "%.0f %s", v, unit);
}

const char *
benchfmt_ns(char *buf, size_t len, double ns)
{
	if (ns >= 1e9)
		sig3(buf, len, ns / 1e9, "s");
	else if (ns >= 1e6)
		sig3(buf, len, ns / 1e6, "ms");
	else if (ns >= 1e3)
		sig3(buf, len, ns / 1e3, "us");
	else
		sig3(buf, len, ns, "ns");
	return buf;
}

const char *
benchfmt_rate(char *buf, size_t len, double ns, const char *things)
{
	double r = 1e9 / ns;
	char unit[BENCHFMT_LEN];

	if (r >= 1e6) {
		snprintf(unit, sizeof(unit), "M %s/s", things);
		sig3(buf, len, r / 1e6, unit);
	} else if (r >= 1e3) {
		snprintf(unit, sizeof(unit), "k %s/s", things);
		sig3(buf, len, r / 1e3, unit);
	} else {
		snprintf(unit, sizeof(unit), "%s/s", things);
		sig3(buf, len, r, unit);
	}
	return buf;
}

const char *
benchfmt_size(char *buf, size_t len, double bytes)
{
	if (bytes >= 1024.0 * 1024)
		sig3(buf, len, bytes / (1024.0 * 1024), "MiB");
	else if (bytes >= 1024)
		sig3(buf, len, bytes / 1024, "KiB");
	else
		snprintf(buf, len, "%.0f bytes", bytes);
	return buf;
}

const char *
benchfmt_count(char *buf, size_t len, size_t n)
{
	if (n >= 1000000 && n % 1000000 == 0)
		snprintf(buf, len, "%zuM", n / 1000000);
	else if (n >= 1000 && n % 1000 == 0)
		snprintf(buf, len, "%zuk", n / 1000);
	else
		snprintf(buf, len, "%zu", n);
	return buf;
}

void
benchfmt_machine(FILE *out)
{
	char line[512], model[256] = "unknown CPU";
	char *v;
	FILE *f;

	f = fopen("/proc/cpuinfo", "r");
	if (f != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			if (strncmp(line, "model name", 10) != 0 ||
			    (v = strchr(line, ':')) == NULL)
				continue;
			v += strspn(v + 1, " \t") + 1;
			v[strcspn(v, "\n")] = '\0';
			snprintf(model, sizeof(model), "%s", v);
			break;
		}
		fclose(f);
	}
	fprintf(out, "machine: %ld CPUs online, %s\n",
	    sysconf(_SC_NPROCESSORS_ONLN), model);
#ifdef __VERSION__
	fprintf(out, "compiler: %s%s%s\n",
#if defined(__GNUC__) && !defined(__clang__)
	    "gcc ",
#else
	    "",
#endif
	    __VERSION__,
#ifdef __OPTIMIZE__
	    ", optimized"
#else
	    ", NOT optimized (use a Release build)"
#endif
	);
#endif
}
