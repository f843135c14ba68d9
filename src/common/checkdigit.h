/* checkdigit.h - Damm check digits for typo-proof verification codes.
 *
 * The Damm algorithm detects every single-digit error and every adjacent
 * transposition, so a mistyped code is told apart from an unknown one
 * without any look-up. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

/* Returns the check digit ('0'..'9') for a string of digits, or -EINVAL. */
int checkdigit_compute(const char *digits, size_t n);

/* True when s (digits only, check digit last) is consistent. */
bool checkdigit_valid(const char *s, size_t n);

/* Strips spaces and dashes from a typed code into ret (size retsz), keeping
 * digits only.  -EINVAL on any other character, -E2BIG when too long. */
int code_normalize(const char *in, char *ret, size_t retsz);

/* Formats digits in groups of four separated by spaces into ret. */
void code_format_groups(const char *digits, char *ret, size_t retsz);
