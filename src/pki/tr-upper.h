/* tr-upper.h - Turkish upper-casing of names, over UTF-8.
 *
 * For src/pki (profile issuance and linting) and its unit tests; the
 * public entry point is pki_name_normalize() in pki/profile.h.  Turkish
 * upper case differs from the C locale's in two letters: i -> İ (U+0130)
 * and ı (U+0131) -> I. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The Turkish upper case of code point c when it is a letter a name may
 * hold (A-Z, a-z, Turkish and Latin-1 letters), else 0.  Capitals map to
 * themselves; ß stays ß. */
uint32_t tr_upper_char(uint32_t c);

/* Decodes one UTF-8 character at *s (shortest form, no surrogates, at
 * most U+10FFFF) and advances *s.  -EINVAL for anything else. */
int tr_upper_utf8_next(const unsigned char **s, uint32_t *ret);

/* The number of characters of a valid UTF-8 string; -EINVAL otherwise. */
int tr_upper_utf8_count(const char *s, size_t *ret);
