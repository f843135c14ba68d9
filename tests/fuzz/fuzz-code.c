/* fuzz-code.c - the verification code as typed (spaces, dashes, check
 * digit) and the eimza:// link (eimza/core/code.c). */
#include <errno.h>

#include "common/checkdigit.h"
#include "eimza/core/code.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = fuzz_str(data, size);
	char digits[EIMZA_CODE_DIGITS + 1];
	const char *why = NULL;
	size_t n = 0;

	if (eimza_code_check(s, digits, &n) == EIMZA_CODE_OK &&
	    (strlen(digits) != EIMZA_CODE_DIGITS || !checkdigit_valid(digits, EIMZA_CODE_DIGITS)))
		abort();
	if (strlen(digits) > EIMZA_CODE_DIGITS)
		abort();
	(void)eimza_code_state_tr(eimza_code_check(s, digits, NULL));
	if (eimza_link_parse(s, digits, &why) == 0) {
		/* Only the exact link passes: nothing after the digits. */
		if (strlen(digits) != EIMZA_CODE_DIGITS || strlen(s) > EIMZA_LINK_MAX ||
		    strcmp(s + strlen(s) - EIMZA_CODE_DIGITS, digits) != 0)
			abort();
	} else if (!why || digits[0] != '\0')
		abort();
	return 0;
}
