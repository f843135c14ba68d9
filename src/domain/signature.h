/* signature.h - the signature decision: accepting or refusing the
 * signatures eimza submits for a signing session (the "sigcheck").
 *
 * The whole decision: the session found by the application token and
 * still claimed (code_used); the PKI core's report TOTAL_PASSED (src/pki,
 * with revocation from the store); the encapsulated content byte-equal to
 * the issued text; the signer's serialNumber the session's T.C. Kimlik No;
 * the signature never accepted before; and the act's precondition still
 * true.  Then, in one transaction under the holder's lock: the signatures,
 * the session's final state, the act's effect (acts.h) and the audit
 * event.  A refusal rejects the session and is audited, both checked. */
#pragma once
#include <jansson.h>
#include <openssl/x509.h>

#include "domain/acts.h"
#include "domain/refusal.h"
#include "domain/signing.h"

/* What a signature must chain to: the CA's trust anchors and
 * intermediates (pki_ca_trust_store / pki_ca_chain of the CA). */
struct signature_trust {
	X509_STORE *anchors;
	STACK_OF(X509) *intermediates;
};

struct signature_result {
	struct signing_session session;	/* the session, when the token found one */
	char signer_serial[65];
	char *detail;			/* English detail of a refusal, for the log */
	/* Whom the (last checked) signature's certificate names, as far as
	 * the checks got; "" when unknown.  A refusal's audit row carries
	 * them: the signer, not only the session's holder. */
	char signer_tckn[32];		/* subject serialNumber (T.C. Kimlik No) */
	char signer_cn[128];		/* subject commonName (cut) */
	char signer_cert_serial[65];	/* the certificate's serial, hex */
};
void signature_result_done(struct signature_result *r);

/* eimza submits signatures (array of base64 CMS, one per text) with its
 * token.  0 when accepted; -EACCES with *ret_refusal (token_invalid,
 * session_expired, session_closed, signature_*, cert_*, signing_time_skew,
 * content_mismatch, signer_mismatch, or the act's precondition/effect
 * refusal); -errno when the machine failed.  trust NULL (no CA yet): every
 * signature is cert_unknown.  app_addr is the
 * application's address for the audit log.  ret->session.id is set
 * whenever a session was found (its waiters are to be woken). */
int signature_submit(struct db *db, const struct act_ctx *ctx,
		     const struct signature_trust *trust,
		     const char *token, const json_t *signatures, const char *app_addr,
		     struct signature_result *ret, enum refusal *ret_refusal);
