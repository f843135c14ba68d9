/* checkdigit.c - Damm check digit and code formatting.
 *
 * Verification codes are 15 random digits plus a Damm check digit, shown
 * in groups of four.  The signing application and the server both call
 * checkdigit_valid() before anything else. */
#include "common/checkdigit.h"

#include <errno.h>

/* The totally anti-symmetric quasigroup of order 10 (Damm, 2004). */
static const unsigned char damm[10][10] = {
	{ 0, 3, 1, 7, 5, 9, 8, 6, 4, 2 }, { 7, 0, 9, 2, 1, 5, 4, 8, 6, 3 },
	{ 4, 2, 0, 6, 8, 7, 1, 3, 5, 9 }, { 1, 7, 5, 0, 9, 8, 3, 4, 2, 6 },
	{ 6, 1, 2, 3, 0, 4, 5, 9, 7, 8 }, { 3, 6, 7, 4, 2, 0, 9, 5, 8, 1 },
	{ 5, 8, 6, 9, 7, 2, 0, 1, 3, 4 }, { 8, 9, 4, 5, 3, 6, 2, 0, 1, 7 },
	{ 9, 4, 3, 8, 6, 1, 7, 2, 0, 5 }, { 2, 5, 8, 1, 4, 3, 6, 7, 9, 0 },
};

static int damm_interim(const char *s, size_t n)
{
	int x = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		x = damm[x][s[i] - '0'];
	}
	return x;
}

int checkdigit_compute(const char *digits, size_t n)
{
	int x = damm_interim(digits, n);

	return x < 0 ? x : '0' + x;
}

bool checkdigit_valid(const char *s, size_t n)
{
	return n >= 2 && damm_interim(s, n) == 0;
}

int code_normalize(const char *in, char *ret, size_t retsz)
{
	size_t n = 0;

	for (const char *p = in; *p; p++) {
		if (*p == ' ' || *p == '-' || *p == '\t')
			continue;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (n + 1 >= retsz)
			return -E2BIG;
		ret[n++] = *p;
	}
	ret[n] = '\0';
	return 0;
}

void code_format_groups(const char *digits, char *ret, size_t retsz)
{
	size_t o = 0;

	if (retsz == 0)
		return;
	for (size_t i = 0; digits[i] && o + 1 < retsz; i++) {
		if (i > 0 && i % 4 == 0) {
			ret[o++] = ' ';
			if (o + 1 >= retsz)
				break;
		}
		ret[o++] = digits[i];
	}
	ret[o] = '\0';
}
