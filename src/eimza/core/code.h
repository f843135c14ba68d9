/* code.h - the Doğrulama Kodu as the holder types it, and the eimza://
 * link that carries it from the page.
 *
 * The link is exactly
 *
 *   eimza://sign?code=DDDDDDDDDDDDDDDD     (16 digits, Damm check digit)
 *
 * and nothing else: no other host, no user, port, path, parameter or
 * fragment.  The link names no server, so a hostile page cannot point the
 * application anywhere: it talks only to the configured server, and a
 * refused link causes no network traffic at all. */
#pragma once
#include <stddef.h>

#define EIMZA_CODE_DIGITS 16
#define EIMZA_LINK_MAX 128

enum eimza_code_state {
	EIMZA_CODE_EMPTY,
	EIMZA_CODE_PARTIAL,	/* fewer than 16 digits so far */
	EIMZA_CODE_BAD_CHAR,	/* something other than digits, spaces, dashes */
	EIMZA_CODE_TOO_LONG,	/* more than 16 digits */
	EIMZA_CODE_TYPO,	/* 16 digits, check digit wrong */
	EIMZA_CODE_OK,
};

/* Checks a typed code (spaces and dashes allowed anywhere) as it is being
 * typed; on EIMZA_CODE_OK ret_digits holds the 16 digits.  ret_digits
 * holds whatever digits were seen otherwise (for counting). */
enum eimza_code_state eimza_code_check(const char *typed, char ret_digits[EIMZA_CODE_DIGITS + 1],
				       size_t *ret_n_digits);

/* A Turkish sentence for a state (for the window and the CLI). */
const char *eimza_code_state_tr(enum eimza_code_state s);

/* Parses an eimza:// link into the code's 16 digits.  -EINVAL with
 * *ret_why (a Turkish sentence, static) and ret_digits "" for anything
 * else. */
int eimza_link_parse(const char *link, char ret_digits[EIMZA_CODE_DIGITS + 1], const char **ret_why);
