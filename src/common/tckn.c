/* tckn.c - T.C. Kimlik No validation.
 *
 * 11 digits, the first not zero; digit 10 is ((d1+d3+d5+d7+d9)*7 -
 * (d2+d4+d6+d8)) mod 10 and digit 11 is (d1+...+d10) mod 10.  Every place that
 * takes a T.C. Kimlik No from outside (pages, API, CLI, registry import)
 * goes through tckn_check(). */
#include "common/tckn.h"

#include <stddef.h>

enum tckn_error tckn_check(const char *s)
{
	int d[11], odd = 0, even = 0, sum = 0;
	size_t n = 0;

	if (!s || !*s)
		return TCKN_EMPTY;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return TCKN_NOT_DIGITS;
		if (n < 11)
			d[n] = *p - '0';
		n++;
	}
	if (n != 11)
		return TCKN_LENGTH;
	if (d[0] == 0)
		return TCKN_LEADING_ZERO;
	for (int i = 0; i < 9; i += 2)
		odd += d[i];
	for (int i = 1; i < 8; i += 2)
		even += d[i];
	if (((odd * 7 - even) % 10 + 10) % 10 != d[9])
		return TCKN_CHECK10;
	for (int i = 0; i < 10; i++)
		sum += d[i];
	if (sum % 10 != d[10])
		return TCKN_CHECK11;
	return TCKN_OK;
}

const char *tckn_error_str(enum tckn_error e)
{
	switch (e) {
	case TCKN_OK:
		return "valid";
	case TCKN_EMPTY:
		return "T.C. Kimlik No is empty";
	case TCKN_NOT_DIGITS:
		return "T.C. Kimlik No must contain digits only";
	case TCKN_LENGTH:
		return "T.C. Kimlik No must have exactly 11 digits";
	case TCKN_LEADING_ZERO:
		return "T.C. Kimlik No cannot start with 0";
	case TCKN_CHECK10:
	case TCKN_CHECK11:
		return "T.C. Kimlik No check digits do not match (typo?)";
	}
	return "invalid T.C. Kimlik No";
}

const char *tckn_error_tr(enum tckn_error e)
{
	switch (e) {
	case TCKN_OK:
		return "Geçerli";
	case TCKN_EMPTY:
		return "T.C. Kimlik No giriniz.";
	case TCKN_NOT_DIGITS:
		return "T.C. Kimlik No yalnızca rakamlardan oluşmalıdır.";
	case TCKN_LENGTH:
		return "T.C. Kimlik No 11 haneli olmalıdır.";
	case TCKN_LEADING_ZERO:
		return "T.C. Kimlik No 0 ile başlayamaz.";
	case TCKN_CHECK10:
	case TCKN_CHECK11:
		return "Geçersiz T.C. Kimlik No. Lütfen numarayı kontrol ediniz.";
	}
	return "Geçersiz T.C. Kimlik No.";
}
