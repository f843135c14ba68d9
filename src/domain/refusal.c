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
	[REFUSAL_TOO_MANY_OPEN] = "too_many_open",
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
	[REFUSAL_EDEVLET_DISABLED] = "edevlet_disabled",
	[REFUSAL_EDEVLET_STATE_INVALID] = "edevlet_state_invalid",
	[REFUSAL_EDEVLET_STATE_USED] = "edevlet_state_used",
	[REFUSAL_EDEVLET_STATE_EXPIRED] = "edevlet_state_expired",
	[REFUSAL_EDEVLET_CODE_REUSED] = "edevlet_code_reused",
	[REFUSAL_EDEVLET_CODE_REJECTED] = "edevlet_code_rejected",
	[REFUSAL_EDEVLET_CANCELLED] = "edevlet_cancelled",
	[REFUSAL_EDEVLET_PROVIDER_ERROR] = "edevlet_provider_error",
	[REFUSAL_EDEVLET_UNREACHABLE] = "edevlet_unreachable",
	[REFUSAL_EDEVLET_TOKEN_MALFORMED] = "edevlet_token_malformed",
	[REFUSAL_EDEVLET_TOKEN_ALG] = "edevlet_token_alg",
	[REFUSAL_EDEVLET_TOKEN_KEY] = "edevlet_token_key",
	[REFUSAL_EDEVLET_TOKEN_SIGNATURE] = "edevlet_token_signature",
	[REFUSAL_EDEVLET_TOKEN_ISSUER] = "edevlet_token_issuer",
	[REFUSAL_EDEVLET_TOKEN_AUDIENCE] = "edevlet_token_audience",
	[REFUSAL_EDEVLET_TOKEN_EXPIRED] = "edevlet_token_expired",
	[REFUSAL_EDEVLET_TOKEN_NONCE] = "edevlet_token_nonce",
	[REFUSAL_EDEVLET_UNKNOWN_PERSON] = "edevlet_unknown_person",
	[REFUSAL_LOGIN_FAILED] = "login_failed",
	[REFUSAL_LOGIN_LOCKED] = "login_locked",
	[REFUSAL_CERT_NOT_OWNER] = "cert_not_owner",
	[REFUSAL_CERT_EXPIRED] = "cert_expired",
	[REFUSAL_CONFIRMATION] = "confirmation",
	[REFUSAL_CONTACT_INVALID] = "contact_invalid",
	[REFUSAL_NO_CARD] = "no_card",
	[REFUSAL_CARD_MISMATCH] = "card_mismatch",
	[REFUSAL_PIN_RESET_USED] = "pin_reset_used",
	[REFUSAL_PIN_RESET_STATE] = "pin_reset_state",
	[REFUSAL_WRONG_PURPOSE] = "wrong_purpose",
	[REFUSAL_APPLY_IDENTITY] = "apply_identity",
	[REFUSAL_INSTITUTION_UNKNOWN] = "institution_unknown",
	[REFUSAL_APPLICATION_OPEN] = "application_open",
	[REFUSAL_APPLICATION_STATE] = "application_state",
	[REFUSAL_APPLICATION_ACTOR] = "application_actor",
	[REFUSAL_APPLICATION_ACCESS] = "application_access",
	[REFUSAL_CAPTCHA_WRONG] = "captcha_wrong",
	[REFUSAL_CAPTCHA_EXPIRED] = "captcha_expired",
	[REFUSAL_APPLY_NO_DRAFT] = "apply_no_draft",
	[REFUSAL_APPLY_STEP] = "apply_step",
	[REFUSAL_FORM_INVALID] = "form_invalid",
	[REFUSAL_SMS_WRONG] = "sms_wrong",
	[REFUSAL_SMS_EXPIRED] = "sms_expired",
	[REFUSAL_SMS_LIMIT] = "sms_limit",
	[REFUSAL_EONAY_MOBILE] = "eonay_mobile",
	[REFUSAL_APPLICATION_CLAIMS] = "application_claims",
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
