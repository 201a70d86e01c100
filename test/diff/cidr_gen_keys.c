/*
 * cidr_gen_keys.c - lookup keys for the prefixes of cidr tables
 *
 * gen_keys() reads tables, takes every token that parses as an address
 * pattern (after "!", "if!" and [brackets] are stripped) and writes keys
 * at and around each prefix's edges and inside it, then random addresses
 * and edge cases of address syntax.  Tokens of result texts are seldom
 * addresses; when one is, it only adds keys.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "cidr_gen.h"

static void
emit(const struct addr *a)
{
	char buf[INET6_ADDRSTRLEN];
	struct addr m;

	puts(fmt_addr(a, buf, sizeof(buf)));
	if (a->family == AF_INET && chance(40)) {
		/* The IPv4-mapped IPv6 form. */
		memset(&m, 0, sizeof(m));
		m.family = AF_INET6;
		m.b[10] = m.b[11] = 0xff;
		memcpy(m.b + 12, a->b, 4);
		puts(fmt_addr(&m, buf, sizeof(buf)));
	}
	if (a->family == AF_INET6 && chance(3)) {
		/* Now and then a non-canonical spelling too. */
		spell_addr(a, buf, sizeof(buf));
		puts(buf);
	}
}

static void
keys_of_prefix(const struct prefix *p)
{
	struct addr first = p->a, last = p->a, x;
	int i;

	fill_host(&first, p->plen, false);
	fill_host(&last, p->plen, true);
	emit(&first);
	emit(&last);
	x = first;
	if (step(&x, -1))
		emit(&x);
	x = last;
	if (step(&x, 1))
		emit(&x);
	for (i = 0; i < 3; i++) {
		x = first;
		random_host(&x, p->plen);
		emit(&x);
	}
}

/* Read one pattern token: "!", "if", "[", "]" and "/len" are handled. */
static bool
token_prefix(const char *tok, struct prefix *p)
{
	char buf[128], *s, *close, *slash, *end;
	unsigned long plen;

	if (strlen(tok) >= sizeof(buf))
		return false;
	strcpy(buf, tok);
	s = buf;
	if (strncasecmp(s, "if!", 3) == 0)
		s += 2;
	while (*s == '!')
		s++;
	if (*s == '[') {
		s++;
		close = strchr(s, ']');
		if (close == NULL)
			return false;
		memmove(close, close + 1, strlen(close + 1) + 1);
	}
	slash = strchr(s, '/');
	if (slash != NULL)
		*slash++ = '\0';
	if (!parse_addr(s, &p->a))
		return false;
	p->plen = nbits(&p->a);
	if (slash != NULL) {
		plen = strtoul(slash, &end, 10);
		if (*slash == '\0' || *end != '\0' || plen > p->plen)
			return false;
		p->plen = (unsigned)plen;
	}
	return true;
}

static int
keys_of_file(const char *path)
{
	char line[8192], *tok, *save;
	struct prefix p;
	unsigned n = 0;
	FILE *fp;

	fp = fopen(path, "r");
	if (fp == NULL) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		for (tok = strtok_r(line, " \t\r\n", &save); tok != NULL;
		     tok = strtok_r(NULL, " \t\r\n", &save)) {
			if (*tok == '#')
				break;
			if (token_prefix(tok, &p)) {
				keys_of_prefix(&p);
				n++;
			}
		}
	}
	if (ferror(fp)) {
		perror(path);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	return (int)n;
}

/* Edge cases of address syntax, valid and not. */
static const char *const odd_keys[] = { "", "1.2.3", "1.2.3.4.5", "1.2.3.256",
	"01.2.3.4", "1.2.3.04", "0.0.0.00", "1.2.3.4/32", "[1.2.3.4]",
	" 1.2.3.4", "1.2.3.4 ", "1.2.3.4\t", "1.2.3.4.", ".1.2.3.4", "1..2.3",
	"10.0.0.1x", "127.1", "4294967295", "0x7f.0.0.1", "+1.2.3.4",
	"1.2.3.-1", "localhost", "255.255.255.255", "0.0.0.0", "::1/128",
	"[::1]", ":::1", "1::2::3", ":", "::", ":1::", "1:::2", "gggg::1",
	"fffff::", "00000::1", "0000::1", "fe80::1%eth0", "::%1",
	"0:0:0:0:0:0:0:0", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9",
	"1:2:3:4:5:6:7:8:", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8",
	"1:2:3:4:5:6:7::", "::1:2:3:4:5:6:7", "1::2:3:4:5:6:7",
	"A:B:C:D:E:F:0:1", "::0.0.0.0", "::1.2.3.4", "::1.2.3.4.5",
	"::ffff:1.2.3", "::FFFF:1.2.3.4", "::ffff:01.2.3.4", "::ffff:1.2.3.04",
	"::ffff:256.1.1.1", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5::1.2.3.4",
	"1:2:3:4:5:6:7:1.2.3.4", "1:2:3:4:5:6:255.255.255.255",
	"2001:db8::1.2.3.4", "1::1.2.3.4:5", "1.2.3.4:" };

void
gen_keys(int nfiles, char **files)
{
	struct prefix p;
	struct addr a;
	int i, n, total = 0;

	for (i = 0; i < nfiles; i++) {
		n = keys_of_file(files[i]);
		if (n < 0)
			exit(2);
		total += n;
	}
	/* Random addresses: anywhere, and near the usual bases. */
	for (i = 0; i < 1500 + 4 * total; i++) {
		memset(&a, 0, sizeof(a));
		a.family = chance(55) ? AF_INET : AF_INET6;
		random_host(&a, 0);
		if (chance(50)) {
			if (!parse_prefix(
				base_text[below((unsigned)nbase_text)], &p))
				abort();
			random_host(&p.a, p.plen);
			a = p.a;
		}
		emit(&a);
	}
	for (i = 0; i < (int)(sizeof(odd_keys) / sizeof(odd_keys[0])); i++)
		puts(odd_keys[i]);
}
