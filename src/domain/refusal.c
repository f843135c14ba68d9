/* refusal.c - the machine strings of the domain's refusals (refusal.h).
 * The strings are API: pages, eimza and the audit log read them. */
#include "domain/refusal.h"

#include "common/util.h"

static const char *const codes[] = {
	[REFUSAL_NONE] = "none",
	[REFUSAL_CODE_TYPO] = "code_typo",
	[REFUSAL_CODE_UNKNOWN] = "code_unknown",
	[REFUSAL_CODE_EXPIRED] = "code_expired",
	[REFUSAL_CODE_REPLACED] = "code_replaced",
	[REFUSAL_CODE_USED] = "code_used",
	[REFUSAL_RATE_LIMITED] = "rate_limited",
	[REFUSAL_TOKEN_INVALID] = "token_invalid",
	[REFUSAL_SESSION_EXPIRED] = "session_expired",
	[REFUSAL_SESSION_CLOSED] = "session_closed",
	[REFUSAL_SIGNATURE_COUNT] = "signature_count",
	[REFUSAL_SIGNATURE_MALFORMED] = "signature_malformed",
	[REFUSAL_SIGNATURE_REPLAYED] = "signature_replayed",
	[REFUSAL_SIGNATURE_INVALID] = "signature_invalid",
	[REFUSAL_CERT_REVOKED] = "cert_revoked",
	[REFUSAL_CERT_ON_HOLD] = "cert_on_hold",
	[REFUSAL_CERT_UNKNOWN] = "cert_unknown",
	[REFUSAL_SIGNING_TIME_SKEW] = "signing_time_skew",
	[REFUSAL_CONTENT_MISMATCH] = "content_mismatch",
	[REFUSAL_SIGNER_MISMATCH] = "signer_mismatch",
	[REFUSAL_EONAY_ALREADY_ACTIVE] = "eonay_already_active",
	[REFUSAL_EONAY_NOT_ACTIVE] = "eonay_not_active",
	[REFUSAL_NOT_ACCEPTED] = "not_accepted",
	[REFUSAL_NOT_LOGGED_IN] = "unauthenticated",
	[REFUSAL_BAD_TCKN] = "bad_tckn",
	[REFUSAL_BAD_PURPOSE] = "bad_purpose",
	[REFUSAL_NOT_FOUND] = "not_found",
	[REFUSAL_CERT_STATE] = "cert_state",
	[REFUSAL_CERT_REASON] = "cert_reason",
	[REFUSAL_HOLDER_UNKNOWN] = "holder_unknown",
	[REFUSAL_CARD_EXISTS] = "card_exists",
	[REFUSAL_CERT_PROFILE] = "cert_profile",
	[REFUSAL_NO_CARD] = "no_card",
	[REFUSAL_CARD_MISMATCH] = "card_mismatch",
	[REFUSAL_PIN_RESET_USED] = "pin_reset_used",
	[REFUSAL_PIN_RESET_STATE] = "pin_reset_state",
	[REFUSAL_WRONG_PURPOSE] = "wrong_purpose",
};

_Static_assert(ELEMENTSOF(codes) == _REFUSAL_MAX, "a refusal without its code");

const char *refusal_code(enum refusal r)
{
	return (unsigned)r < _REFUSAL_MAX && codes[r] ? codes[r] : "internal";
}

enum refusal refusal_parse(const char *code)
{
	for (unsigned i = 1; code && i < _REFUSAL_MAX; i++)
		if (streq(codes[i], code))
			return (enum refusal)i;
	return REFUSAL_NONE;
}
