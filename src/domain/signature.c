/* signature.c - the signature decision (see signature.h).
 *
 * Order of checks, each with its own refusal:
 *   token names a session                        token_invalid
 *   session still claimed (code_used)            session_expired / session_closed
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
 * Then, in one transaction under db_lock("holder:" TCKN): the act's
 * precondition again, the signatures, the session's final state, the act's
 * effect and the audit event with the evidence.  A refusal's audit event
 * names the signer as the certificate names it ("signer": T.C. Kimlik No,
 * common name, serial) besides the session's holder (the actor). */
#include "domain/signature.h"

#include <stdio.h>

#include "common/json.h"
#include "domain/certs.h"
#include "pki/cades.h"
#include "pki/key.h"
#include "store/audit.h"

#define MAX_SIGNATURE (256 * 1024)

void signature_result_done(struct signature_result *r)
{
	if (!r)
		return;
	signing_session_done(&r->session);
	free(r->detail);
	memset(r, 0, sizeof(*r));
}

struct status_ctx {
	struct db *db;
	bool on_hold_ok;	/* the act takes a certificate on hold (acts.h) */
};

/* Revocation status for the PKI core, from our own store. */
static int store_status(void *userdata, X509 *cert, X509 *issuer, int *ret_state)
{
	const struct status_ctx *sc = userdata;
	struct db *db = sc->db;
	char serial[PKI_SERIAL_HEX_MAX], is[PKI_KEY_ID_HEX_MAX];
	enum cert_status st;
	int r;

	r = pki_cert_serial_hex(cert, serial);
	if (r < 0)
		return r;
	/* Issuer + serial: the issuer's key as it is in the chain that was
	 * built; without one, the certificate's own authorityKeyIdentifier. */
	r = issuer ? pki_cert_key_id_hex(issuer, is) : pki_cert_issuer_key_id_hex(cert, is);
	if (r == -ENOENT) {
		*ret_state = CADES_STATUS_UNKNOWN;
		return 0;
	}
	if (r < 0)
		return r;
	r = cert_status_get(db, is, serial, &st, NULL, NULL);
	if (r == -ENOENT) {
		*ret_state = CADES_STATUS_UNKNOWN;
		return 0;
	}
	if (r < 0)
		return r;
	if (st == CERT_HOLD && sc->on_hold_ok)
		st = CERT_ACTIVE;
	*ret_state = st == CERT_ACTIVE ? CADES_STATUS_GOOD :
		     st == CERT_HOLD   ? CADES_STATUS_ON_HOLD :
					 CADES_STATUS_REVOKED;
	return 0;
}

static enum refusal map_report(const struct cades_report *rep)
{
	switch (rep->sub) {
	case CADES_SUB_REVOKED:
		return REFUSAL_CERT_REVOKED;
	case CADES_SUB_ON_HOLD:
		return REFUSAL_CERT_ON_HOLD;
	case CADES_SUB_NO_CERTIFICATE_CHAIN_FOUND:
	case CADES_SUB_REVOCATION_UNKNOWN:
		return REFUSAL_CERT_UNKNOWN;
	default:
		return REFUSAL_SIGNATURE_INVALID;
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

/* A refusal with its English detail (taken over; NULL is fine). */
static int refuse(struct signature_result *ret, enum refusal *ret_refusal, enum refusal why,
		  char *detail)
{
	free(ret->detail);
	ret->detail = detail;
	*ret_refusal = why;
	return -EACCES;
}

/* Copies UTF-8 text into buf, cut (when it must be) at a character's
 * start, so that the audit row's JSON stays valid UTF-8. */
static void copy_utf8(char *buf, size_t size, const char *s)
{
	size_t n = strlen(s ?: "");

	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;	/* s[n] starts the character that did not fit */
	}
	memcpy(buf, s ?: "", n);
	buf[n] = '\0';
}

/* Remembers whom the certificate names, for the audit row. */
static void note_signer(struct signature_result *ret, const struct cades_report *rep)
{
	copy_utf8(ret->signer_tckn, sizeof(ret->signer_tckn), rep->signer_tckn);
	copy_utf8(ret->signer_cn, sizeof(ret->signer_cn), rep->signer_cn);
	snprintf(ret->signer_cert_serial, sizeof(ret->signer_cert_serial), "%s",
		 rep->signer_serial_hex ?: "");
}

/* All checks that need no write. */
static int check_all(struct db *db, const struct signature_trust *trust, const struct config *cfg,
		     const struct signing_session *s, const json_t *sigs, struct checked *c,
		     struct signature_result *ret, enum refusal *ret_refusal)
{
	struct status_ctx sc = { db, s->act->on_hold_ok };
	size_t n = json_array_size(sigs);

	if (n == 0 || n != json_array_size(s->texts))
		return refuse(ret, ret_refusal, REFUSAL_SIGNATURE_COUNT,
			      strdup_printf("%zu signatures for %zu texts", n,
					    json_array_size(s->texts)));
	if (!trust || !trust->anchors)
		return refuse(ret, ret_refusal, REFUSAL_CERT_UNKNOWN,
			      strdup("no CA: no trust anchors"));
	for (size_t i = 0; i < n; i++) {
		const char *b64 = json_string_value(json_array_get(sigs, i));
		const char *text = json_string_value(json_array_get(s->texts, i));
		struct cades_verify_opts opts = {
			.trust = trust->anchors,
			.intermediates = trust->intermediates,
			.now = now_sec(),
			.status = store_status,
			.userdata = &sc,
			.required_policy = cfg->pki_policy_oid,
		};
		int64_t seen;
		int r;

		if (!b64 || strlen(b64) > MAX_SIGNATURE ||
		    base64_decode(b64, strlen(b64), &c[i].der, &c[i].len) < 0)
			return refuse(ret, ret_refusal, REFUSAL_SIGNATURE_MALFORMED,
				      strdup_printf("signature %zu", i + 1));
		r = sha256_hex(c[i].der, c[i].len, c[i].sha256);
		if (r < 0)
			return r;
		r = db_query_int64(db, "SELECT COUNT(*) FROM signatures WHERE sha256 = $1", "t",
				   &seen, c[i].sha256);
		if (r < 0)
			return r;
		if (seen > 0)
			return refuse(ret, ret_refusal, REFUSAL_SIGNATURE_REPLAYED,
				      strdup(c[i].sha256));
		r = cades_verify(c[i].der, c[i].len, &opts, &c[i].rep);
		if (r < 0)
			return r;
		note_signer(ret, c[i].rep);
		if (c[i].rep->indication != CADES_TOTAL_PASSED)
			return refuse(ret, ret_refusal, map_report(c[i].rep),
				      strdup_printf("%s: %s", c[i].rep->sub_name,
						    c[i].rep->detail ? c[i].rep->detail : ""));
		/* Made for this session: not before it existed, not in the future
		 * (five minutes of clock skew allowed). */
		if (c[i].rep->signing_time < s->created_at - 300 ||
		    c[i].rep->signing_time > now_sec() + 300)
			return refuse(ret, ret_refusal, REFUSAL_SIGNING_TIME_SKEW,
				      strdup_printf("signing-time %lld, session created %lld",
						    (long long)c[i].rep->signing_time,
						    (long long)s->created_at));
		if (c[i].rep->content_len != strlen(text) ||
		    memcmp(c[i].rep->content, text, c[i].rep->content_len) != 0)
			return refuse(ret, ret_refusal, REFUSAL_CONTENT_MISMATCH,
				      strdup_printf("text %zu", i + 1));
		if (!c[i].rep->signer_tckn || !streq(c[i].rep->signer_tckn, s->tckn))
			return refuse(ret, ret_refusal, REFUSAL_SIGNER_MISMATCH,
				      strdup_printf("signer serial %s", c[i].rep->signer_serial_hex));
		snprintf(ret->signer_serial, sizeof(ret->signer_serial), "%s",
			 c[i].rep->signer_serial_hex);
	}
	return 0;
}

/* The accepting transaction's writes; the caller begins and ends it. */
static int accept_in_tx(struct db *db, const struct act_ctx *ctx, const struct signing_session *s,
			const json_t *sigs, struct checked *c, struct signature_result *ret,
			enum refusal *ret_refusal)
{
	_cleanup_free_ char *lock = strdup_printf("holder:%s", s->tckn);
	_cleanup_free_ char *details = NULL;
	char is0[PKI_KEY_ID_HEX_MAX];
	const struct act_signature sig = {
		c[0].sha256, ret->signer_serial,
		pki_cert_issuer_key_id_hex(c[0].rep->signer, is0) == 0 ? is0 : NULL,
	};
	size_t n = json_array_size(sigs);
	json_t *d;
	int r;

	if (!lock)
		return -ENOMEM;
	r = db_lock(db, lock);
	if (r < 0)
		return r;
	/* The act's rule again, now that no other acceptance for this holder
	 * can run: of two sessions in flight the second sees the first. */
	if (s->act->precondition) {
		r = s->act->precondition(db, ctx, s->tckn, NULL, ret_refusal);
		if (r < 0)
			return r == -EACCES ? refuse(ret, ret_refusal, *ret_refusal,
						     strdup("precondition no longer holds")) : r;
	}
	for (size_t i = 0; i < n; i++) {
		_cleanup_stmt_ struct db_stmt *st = NULL;
		char is[PKI_KEY_ID_HEX_MAX];

		/* The signer's certificate is issuer + serial; the CMS is kept
		 * as it came (DER). */
		if (pki_cert_issuer_key_id_hex(c[i].rep->signer, is) < 0)
			is[0] = '\0';
		r = db_prepare(db, "INSERT INTO signatures (sha256, session_id, idx, tckn, signer_serial,"
				   " signer_issuer, cms, signed_at)"
				   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", &st);
		if (r == 0)
			r = db_bindv(st, "ttittt", c[i].sha256, s->id, (int64_t)i, s->tckn,
				     ret->signer_serial, is[0] ? is : NULL);
		if (r == 0)
			r = db_bind_blob(st, 7, c[i].der, c[i].len);
		if (r == 0)
			r = db_bind_int64(st, 8, now_sec());
		if (r == 0)
			while ((r = db_step(st)) == 1)
				;
		if (r == -EEXIST)	/* raced with another submission of it */
			return refuse(ret, ret_refusal, REFUSAL_SIGNATURE_REPLAYED,
				      strdup(c[i].sha256));
		if (r < 0)
			return r;
	}
	r = signing_finish(db, s->id, SS_SIGNED, REFUSAL_NONE, ret->signer_serial);
	if (r == -EBUSY)	/* the session closed meanwhile */
		return refuse(ret, ret_refusal, REFUSAL_SESSION_CLOSED, strdup("state changed"));
	if (r < 0)
		return r;
	if (s->act->effect) {
		r = s->act->effect(db, ctx, s, &sig, ret_refusal);
		if (r == -EACCES)
			return refuse(ret, ret_refusal, *ret_refusal, strdup("effect refused"));
		if (r < 0)
			return r;
	}
	d = json_pack("{s:s,s:s,s:I,s:s}", "purpose", s->act->name, "signer_serial",
		      ret->signer_serial, "text_version", (json_int_t)s->text_version,
		      "signature_sha256", c[0].sha256);
	details = d ? json_to_string(d) : NULL;
	json_decref(d);
	if (!details)
		return -ENOMEM;
	return audit_append(db, true, lock, "signing.accept", s->id, "ok", details);
}

/* A refusal is evidence too: the session (when there is one and it is
 * still claimed) is rejected with it and the audit log records it, in one
 * transaction whose failure is the caller's failure. */
static int record_refusal(struct db *db, const char *actor, const struct signing_session *s,
			  enum refusal why, const struct signature_result *ret)
{
	_cleanup_free_ char *details = NULL;
	json_t *d, *signer = NULL;
	int r;

	/* The certificate's own naming of its signer (untrusted when the
	 * chain was refused, and said so by the refusal code). */
	if (ret->signer_tckn[0] || ret->signer_cn[0] || ret->signer_cert_serial[0]) {
		signer = json_pack("{s:s?,s:s?,s:s?}",
				   "tckn", ret->signer_tckn[0] ? ret->signer_tckn : NULL,
				   "cn", ret->signer_cn[0] ? ret->signer_cn : NULL,
				   "serial", ret->signer_cert_serial[0] ? ret->signer_cert_serial : NULL);
		if (!signer)
			return -ENOMEM;
	}
	d = json_pack("{s:s,s:s?,s:s?,s:o?}", "error", refusal_code(why), "detail", ret->detail,
		      "signer_serial", ret->signer_serial[0] ? ret->signer_serial : NULL,
		      "signer", signer);
	details = d ? json_to_string(d) : NULL;
	json_decref(d);
	if (!details)
		return -ENOMEM;
	r = db_begin(db);
	if (r < 0)
		return r;
	if (s && s->state == SS_CODE_USED && why != REFUSAL_SESSION_CLOSED) {
		r = signing_finish(db, s->id, SS_REJECTED, why, NULL);
		if (r == -EBUSY)	/* already final: nothing to reject */
			r = 0;
	}
	if (r >= 0)
		r = audit_append(db, true, actor, "signing.submit", s ? s->id : NULL, "refused",
				 details);
	return db_end(db, r);
}

static int decide(struct db *db, const struct act_ctx *ctx, const struct signature_trust *trust,
		  const json_t *sigs, struct signature_result *ret, enum refusal *ret_refusal)
{
	const struct signing_session *s = &ret->session;
	size_t n = json_array_size(sigs);
	struct checked *c;
	int r;

	if (s->state == SS_EXPIRED)
		return refuse(ret, ret_refusal, REFUSAL_SESSION_EXPIRED, NULL);
	if (s->state != SS_CODE_USED)
		return refuse(ret, ret_refusal, REFUSAL_SESSION_CLOSED,
			      strdup(signing_state_str(s->state)));
	c = calloc(MAX(n, 1), sizeof(*c));
	if (!c)
		return -ENOMEM;
	r = check_all(db, trust, ctx->cfg, s, sigs, c, ret, ret_refusal);
	if (r == 0) {
		r = db_begin(db);
		if (r == 0)
			r = db_end(db, accept_in_tx(db, ctx, s, sigs, c, ret, ret_refusal));
	}
	checked_free(c, n);
	return r;
}

int signature_submit(struct db *db, const struct act_ctx *ctx,
		     const struct signature_trust *trust,
		     const char *token, const json_t *sigs, const char *app_addr,
		     struct signature_result *ret, enum refusal *ret_refusal)
{
	_cleanup_free_ char *actor = NULL;
	enum refusal why = REFUSAL_NONE;
	int r, q;

	memset(ret, 0, sizeof(*ret));
	r = signing_find_by_token(db, ctx->code_key, token, &ret->session);
	if (r == -ENOENT)
		r = refuse(ret, &why, REFUSAL_TOKEN_INVALID, NULL);
	else if (r == 0)
		r = decide(db, ctx, trust, sigs, ret, &why);
	if (r != -EACCES)
		return r;
	/* Refusals of the signature itself are the holder's; the others
	 * (no session, not claimed) the application's. */
	actor = ret->session.id[0] && why != REFUSAL_SESSION_EXPIRED &&
				why != REFUSAL_SESSION_CLOSED
			? strdup_printf("holder:%s", ret->session.tckn)
			: strdup_printf("client:%s", app_addr ? app_addr : "");
	if (!actor)
		return -ENOMEM;
	q = record_refusal(db, actor, ret->session.id[0] ? &ret->session : NULL, why, ret);
	if (q < 0)
		return q;
	*ret_refusal = why;
	return -EACCES;
}
