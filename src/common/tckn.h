/* tckn.h - T.C. Kimlik No (Turkish national identity number) validation. */
#pragma once
#include <stdbool.h>

/* Why a number is not a valid T.C. Kimlik No. */
enum tckn_error {
	TCKN_OK = 0,
	TCKN_EMPTY,
	TCKN_NOT_DIGITS,	/* a character other than 0-9 */
	TCKN_LENGTH,		/* not exactly 11 digits */
	TCKN_LEADING_ZERO,	/* the first digit is 0 */
	TCKN_CHECK10,		/* the 10th digit does not match */
	TCKN_CHECK11,		/* the 11th digit does not match */
};

/* Checks length, digits, first digit and both check digits. */
enum tckn_error tckn_check(const char *s);
static inline bool tckn_valid(const char *s)
{
	return tckn_check(s) == TCKN_OK;
}
/* English reason for logs and the CLI. */
const char *tckn_error_str(enum tckn_error e);
/* Turkish message for the pages and the signing application. */
const char *tckn_error_tr(enum tckn_error e);
