/* fuzz.h - shared by the libFuzzer targets of tests/fuzz/ (one
 * fuzz-NAME.c per place that reads outside input; scripts/fuzz runs them,
 * docs/SECURITY.md records the runs).  Static inline: meson builds each
 * target from its own .c file. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

/* The fixed test data (tests/fuzz/data, made by gen-seeds.c): a CA with
 * passphrase FUZZ_CA_PASS, a holder certificate, and the seed corpora. */
#define FUZZ_DATA EONAY_SRCDIR "/tests/fuzz/data"
#define FUZZ_CA_PASS "fuzz passphrase 1234"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* data[0..size) as a NUL-terminated string (cut at the first NUL). */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* The next part of a string split at '\n' (or the rest), advancing *p;
 * NULL when none is left.  Cuts the string in place. */
static inline char *fuzz_part(char **p)
{
	char *s = *p, *e;

	if (!s)
		return NULL;
	e = strchr(s, '\n');
	if (e) {
		*e = '\0';
		*p = e + 1;
	} else
		*p = NULL;
	return s;
}
