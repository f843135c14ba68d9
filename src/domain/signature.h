/* sigcheck.h - accepting or refusing the signatures of a signing session.
 *
 * The whole decision: the PKI core's report must be TOTAL_PASSED, the
 * encapsulated content byte-equal to the issued text, the signer's
 * serialNumber the session's T.C. Kimlik No, the certificate ours and
 * active in the store, the session alive (code_used) and the signature
 * never accepted before.  The accepted signature and its effect (E-Onay
 * event) are written in one transaction with the state change.  The trust
 * anchors and intermediates are the CA's (srv->ca). */
#pragma once
#include <jansson.h>

#include "server/server.h"
#include "server/signing.h"

struct sigcheck_result {
	const char *error;	/* NULL when accepted, else a signing_error code */
	char *detail;		/* English detail for the log/audit (malloc'ed) */
	char signer_serial[65];
};
void sigcheck_result_done(struct sigcheck_result *r);

/* Checks signatures (array of base64 CMS, one per text) for session s
 * (claimed, code_used), records the outcome and returns 0; -errno only on
 * internal failure. */
int sigcheck_submit(struct server *srv, struct db *db, const struct signing_session *s,
		    const json_t *signatures, struct sigcheck_result *ret);
