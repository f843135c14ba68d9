/* sigcheck.c - the decision on a submitted signature (see sigcheck.h).
 *
 * Order of checks, each with its own refusal code:
 *   count of signatures == count of texts        signature_count
 *   base64 / size                                signature_malformed
 *   never accepted before (SHA-256 of the CMS)   signature_replayed
 *   PKI core report TOTAL_PASSED                 cert_revoked / cert_on_hold /
 *                                                cert_unknown / signature_invalid
 *   signing-time within the session's life       signing_time_skew
 *   content byte-equal to the issued text        content_mismatch
 *     (each text ends with the session's own reference, so a signature
 *     made for one session never fits another)
 *   signer serialNumber == session T.C. No       signer_mismatch
 *   certificate issued here and active now       cert_unknown / cert_on_hold / cert_revoked
 * Then, in one transaction: the signatures, the session's final state, the
 * effect (E-Onay event) and the audit event with the evidence. */
#include "server/sigcheck.h"

#include <stdio.h>

#include "common/json.h"
#include "common/log.h"
#include "pki/ca.h"
#include "pki/cades.h"
#include "pki/key.h"
#include "ca/eonay.h"
#include "store/audit.h"
#include "store/certs.h"

#define MAX_SIGNATURE (256 * 1024)

void sigcheck_result_done(struct sigcheck_result *r)
{
	if (!r)
		return;
	free(r->detail);
	memset(r, 0, sizeof(*r));
}

/* Revocation status for the PKI core, from our own store. */
static int store_status(void *userdata, X509 *cert, X509 *issuer, int *ret_state)
{
	struct db *db = userdata;
	char serial[PKI_SERIAL_HEX_MAX];
	enum cert_status st;
	int r;

	r = pki_cert_serial_hex(cert, serial);
	if (r < 0)
		return r;
	r = cert_status_get(db, serial, &st, NULL, NULL);
	if (r == -ENOENT) {
		*ret_state = CADES_STATUS_UNKNOWN;
		return 0;
	}
	if (r < 0)
		return r;
	*ret_state = st == CERT_ACTIVE ? CADES_STATUS_GOOD :
		     st == CERT_HOLD   ? CADES_STATUS_ON_HOLD :
					 CADES_STATUS_REVOKED;
	return 0;
}

static const char *map_report(const struct cades_report *rep)
{
	switch (rep->sub) {
	case CADES_SUB_REVOKED:
		return "cert_revoked";
	case CADES_SUB_ON_HOLD:
		return "cert_on_hold";
	case CADES_SUB_NO_CERTIFICATE_CHAIN_FOUND:
	case CADES_SUB_REVOCATION_UNKNOWN:
		return "cert_unknown";
	default:
		return "signature_invalid";
	}
}

struct checked {
	unsigned char *der;
	size_t len;
	char sha256[65];
	struct cades_report *rep;
};

static void checked_free(struct checked *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++) {
		free(c[i].der);
		cades_report_free(c[i].rep);
	}
	free(c);
}

static int refuse(struct sigcheck_result *ret, const char *code, char *detail)
{
	ret->error = code;
	ret->detail = detail;
	return 0;
}

/* All checks that need no write.  Fills ret->error on a refusal. */
static int check_all(struct server *srv, struct db *db, const struct signing_session *s,
		     const json_t *sigs, struct checked *c, struct sigcheck_result *ret)
{
	size_t n = json_array_size(sigs);

	if (n == 0 || n != json_array_size(s->texts))
		return refuse(ret, "signature_count",
			      strdup_printf("%zu signatures for %zu texts", n,
					    json_array_size(s->texts)));
	if (!srv->ca)
		return refuse(ret, "cert_unknown", strdup("no CA: no trust anchors"));
	for (size_t i = 0; i < n; i++) {
		const char *b64 = json_string_value(json_array_get(sigs, i));
		const char *text = json_string_value(json_array_get(s->texts, i));
		struct cades_verify_opts opts = {
			.trust = pki_ca_trust_store(srv->ca),
			.intermediates = pki_ca_chain(srv->ca),
			.now = now_sec(),
			.status = store_status,
			.userdata = db,
			.required_policy = srv->cfg->pki_policy_oid,
		};
		int64_t seen;
		int r;

		if (!b64 || strlen(b64) > MAX_SIGNATURE ||
		    base64_decode(b64, strlen(b64), &c[i].der, &c[i].len) < 0)
			return refuse(ret, "signature_malformed", strdup_printf("signature %zu", i + 1));
		r = sha256_hex(c[i].der, c[i].len, c[i].sha256);
		if (r < 0)
			return r;
		r = db_query_int64(db, "SELECT COUNT(*) FROM signatures WHERE sha256 = $1", "t",
				   &seen, c[i].sha256);
		if (r < 0)
			return r;
		if (seen > 0)
			return refuse(ret, "signature_replayed", strdup(c[i].sha256));
		r = cades_verify(c[i].der, c[i].len, &opts, &c[i].rep);
		if (r < 0)
			return r;
		if (c[i].rep->indication != CADES_TOTAL_PASSED)
			return refuse(ret, map_report(c[i].rep),
				      strdup_printf("%s: %s", c[i].rep->sub_name,
						    c[i].rep->detail ? c[i].rep->detail : ""));
		/* Made for this session: not before it existed, not in the future
		 * (five minutes of clock skew allowed). */
		if (c[i].rep->signing_time < s->created_at - 300 ||
		    c[i].rep->signing_time > now_sec() + 300)
			return refuse(ret, "signing_time_skew",
				      strdup_printf("signing-time %lld, session created %lld",
						    (long long)c[i].rep->signing_time,
						    (long long)s->created_at));
		if (c[i].rep->content_len != strlen(text) ||
		    memcmp(c[i].rep->content, text, c[i].rep->content_len) != 0)
			return refuse(ret, "content_mismatch", strdup_printf("text %zu", i + 1));
		if (!c[i].rep->signer_tckn || !streq(c[i].rep->signer_tckn, s->tckn))
			return refuse(ret, "signer_mismatch",
				      strdup_printf("signer serial %s", c[i].rep->signer_serial_hex));
		snprintf(ret->signer_serial, sizeof(ret->signer_serial), "%s",
			 c[i].rep->signer_serial_hex);
	}
	return 0;
}

static int record(struct db *db, const struct signing_session *s, const json_t *sigs,
		  struct checked *c, struct sigcheck_result *ret)
{
	_cleanup_free_ char *actor = strdup_printf("holder:%s", s->tckn);
	_cleanup_free_ char *details = NULL;
	size_t n = json_array_size(sigs);
	json_t *d;
	int r;

	if (!actor)
		return -ENOMEM;
	r = db_begin(db);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n && r >= 0; i++)
		r = db_run(db, "INSERT INTO signatures (sha256, session_id, idx, tckn, signer_serial,"
			       " cms, signed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
			   "ttittti", c[i].sha256, s->id, (int64_t)i, s->tckn, ret->signer_serial,
			   json_string_value(json_array_get(sigs, i)), now_sec());
	if (r == -EEXIST) {
		/* Raced with another submission of the same signature. */
		db_rollback(db);
		return refuse(ret, "signature_replayed", strdup(c[0].sha256));
	}
	if (r >= 0)
		r = signing_finish(db, s->id, SS_SIGNED, NULL, ret->signer_serial);
	if (r >= 0 && s->purpose != PURPOSE_LOGIN) {
		int64_t ev = 0;
		db_query_int64(db, "SELECT COALESCE(explanation_version, 0) FROM signing_sessions"
				   " WHERE id = $1", "t", &ev, s->id);
		r = eonay_record(db, s->tckn, s->purpose == PURPOSE_EONAY_GIVE, s->text_version, ev,
				 c[0].sha256);
	}
	if (r >= 0) {
		d = json_pack("{s:s,s:s,s:I,s:s}", "purpose", signing_purpose_str(s->purpose),
			      "signer_serial", ret->signer_serial, "text_version",
			      (json_int_t)s->text_version, "signature_sha256", c[0].sha256);
		details = d ? json_to_string(d) : NULL;
		json_decref(d);
		r = details ? audit_append(db, true, actor, "signing.accept", s->id, "ok", details)
			    : -ENOMEM;
	}
	if (r < 0) {
		db_rollback(db);
		if (r == -EBUSY)	/* the session closed meanwhile */
			return refuse(ret, "session_closed", strdup("state changed"));
		return r;
	}
	return db_commit(db);
}

int sigcheck_submit(struct server *srv, struct db *db, const struct signing_session *s,
		    const json_t *sigs, struct sigcheck_result *ret)
{
	size_t n = json_array_size(sigs);
	struct checked *c;
	int r;

	memset(ret, 0, sizeof(*ret));
	c = calloc(MAX(n, 1), sizeof(*c));
	if (!c)
		return -ENOMEM;
	r = check_all(srv, db, s, sigs, c, ret);
	if (r == 0 && !ret->error)
		r = record(db, s, sigs, c, ret);
	if (r == 0 && ret->error) {
		_cleanup_free_ char *actor = strdup_printf("holder:%s", s->tckn);
		json_t *d = json_pack("{s:s,s:s?,s:s?}", "error", ret->error, "detail", ret->detail,
				      "signer_serial",
				      ret->signer_serial[0] ? ret->signer_serial : NULL);
		_cleanup_free_ char *details = d ? json_to_string(d) : NULL;

		json_decref(d);
		/* A refused signature closes the session: the page shows why. */
		if (!streq(ret->error, "session_closed"))
			signing_finish(db, s->id, SS_REJECTED, ret->error, NULL);
		audit_append(db, false, actor ? actor : "holder", "signing.refuse", s->id,
			     "refused", details);
	}
	checked_free(c, n);
	return r;
}
