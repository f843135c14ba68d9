/* refusal.h - every refusal the domain can give.
 *
 * The one convention of src/domain: a function that refuses by the rules
 * (the user or the input is refused, not the machine failing) returns
 * -EACCES and sets *ret_refusal; any other negative value is a failure of
 * the machine (store, memory, crypto).  src/server/refusals.c maps each
 * refusal to an HTTP status and a Turkish message; nothing in src/domain
 * knows either.  refusal_code() is the stable machine string the API and
 * the audit log carry. */
#pragma once

enum refusal {
	REFUSAL_NONE,
	/* the verification code (claim) */
	REFUSAL_CODE_TYPO,
	REFUSAL_CODE_UNKNOWN,
	REFUSAL_CODE_EXPIRED,
	REFUSAL_CODE_REPLACED,
	REFUSAL_CODE_USED,
	REFUSAL_RATE_LIMITED,
	REFUSAL_TOO_MANY_OPEN,	/* open signing sessions of an address or holder */
	/* the signing session (submit, renew, wait) */
	REFUSAL_TOKEN_INVALID,
	REFUSAL_SESSION_EXPIRED,
	REFUSAL_SESSION_CLOSED,
	/* the signature decision */
	REFUSAL_SIGNATURE_COUNT,
	REFUSAL_SIGNATURE_MALFORMED,
	REFUSAL_SIGNATURE_REPLAYED,
	REFUSAL_SIGNATURE_INVALID,
	REFUSAL_CERT_REVOKED,
	REFUSAL_CERT_ON_HOLD,
	REFUSAL_CERT_UNKNOWN,
	REFUSAL_SIGNING_TIME_SKEW,
	REFUSAL_CONTENT_MISMATCH,
	REFUSAL_SIGNER_MISMATCH,
	/* the signed acts' preconditions and inputs */
	REFUSAL_EONAY_ALREADY_ACTIVE,
	REFUSAL_EONAY_NOT_ACTIVE,
	REFUSAL_NOT_ACCEPTED,
	REFUSAL_NOT_LOGGED_IN,
	REFUSAL_BAD_TCKN,
	REFUSAL_BAD_PURPOSE,
	REFUSAL_NOT_FOUND,
	/* the certificate lifecycle */
	REFUSAL_CERT_STATE,
	REFUSAL_CERT_REASON,
	/* card production */
	REFUSAL_HOLDER_UNKNOWN,
	REFUSAL_CARD_EXISTS,
	REFUSAL_CERT_PROFILE,
	/* E-Devlet ile Giriş (domain/edevlet.c, domain/oidc.c) */
	REFUSAL_EDEVLET_DISABLED,
	REFUSAL_EDEVLET_STATE_INVALID,
	REFUSAL_EDEVLET_STATE_USED,
	REFUSAL_EDEVLET_STATE_EXPIRED,
	REFUSAL_EDEVLET_CODE_REUSED,
	REFUSAL_EDEVLET_CODE_REJECTED,
	REFUSAL_EDEVLET_CANCELLED,
	REFUSAL_EDEVLET_PROVIDER_ERROR,
	REFUSAL_EDEVLET_UNREACHABLE,
	REFUSAL_EDEVLET_TOKEN_MALFORMED,
	REFUSAL_EDEVLET_TOKEN_ALG,
	REFUSAL_EDEVLET_TOKEN_KEY,
	REFUSAL_EDEVLET_TOKEN_SIGNATURE,
	REFUSAL_EDEVLET_TOKEN_ISSUER,
	REFUSAL_EDEVLET_TOKEN_AUDIENCE,
	REFUSAL_EDEVLET_TOKEN_EXPIRED,
	REFUSAL_EDEVLET_TOKEN_NONCE,
	REFUSAL_EDEVLET_UNKNOWN_PERSON,
	/* the holder's own acts (Şifreli Giriş, certificates, contact details) */
	REFUSAL_LOGIN_FAILED,
	REFUSAL_LOGIN_LOCKED,
	REFUSAL_CERT_NOT_OWNER,
	REFUSAL_CERT_EXPIRED,
	REFUSAL_CONFIRMATION,
	REFUSAL_CONTACT_INVALID,
	/* PIN Oluşturma / Kilit Çözme (pinreset.c) */
	REFUSAL_NO_CARD,
	REFUSAL_CARD_MISMATCH,
	REFUSAL_PIN_RESET_USED,
	REFUSAL_PIN_RESET_STATE,
	REFUSAL_WRONG_PURPOSE,
	/* applications (registry.c, institutions.c, applications.c) */
	REFUSAL_APPLY_IDENTITY,
	REFUSAL_INSTITUTION_UNKNOWN,
	REFUSAL_APPLICATION_OPEN,
	REFUSAL_APPLICATION_STATE,
	REFUSAL_APPLICATION_ACTOR,
	REFUSAL_APPLICATION_ACCESS,
	/* the application portal (captcha.c, apply*.c) */
	REFUSAL_CAPTCHA_WRONG,
	REFUSAL_CAPTCHA_EXPIRED,
	REFUSAL_APPLY_NO_DRAFT,
	REFUSAL_APPLY_STEP,
	REFUSAL_FORM_INVALID,
	REFUSAL_SMS_WRONG,
	REFUSAL_SMS_EXPIRED,
	REFUSAL_SMS_LIMIT,
	REFUSAL_EONAY_MOBILE,	/* E-Onaylı: the SMS code did not go to the holder's cep */
	REFUSAL_APPLICATION_CLAIMS,	/* APPLICATION_CLAIMS_MAX proven claims already */
	_REFUSAL_MAX,
};

/* The stable machine string ("code_typo", ...); "internal" out of range. */
const char *refusal_code(enum refusal r);
/* The refusal for a machine string; REFUSAL_NONE when unknown. */
enum refusal refusal_parse(const char *code);
