/* eonay.c - E-Onay state and history in the store.
 *
 * Read by the E-Onay page and API and by eonayctl; written only inside the
 * transaction that accepts an eonay-give / eonay-cancel signature
 * (the act registry, domain/acts.c). */
#include "domain/eonay.h"
#include "domain/texts.h"

#include <stdio.h>

int eonay_status_get(struct db *db, const char *tckn, struct eonay_status *ret)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = db_select(db, &st, "SELECT action, at, text_version FROM eonay_events WHERE tckn = $1"
			    " ORDER BY seq DESC LIMIT 1", "t", tckn);
	if (r < 0)
		return r;
	r = db_step(st);
	if (r < 0)
		return r;
	if (r == 1) {
		ret->active = streq(db_col_text(st, 0), "give");
		ret->since = db_col_int64(st, 1);
		ret->text_version = db_col_int64(st, 2);
	}
	return 0;
}

int eonay_record(struct db *db, const char *tckn, bool give, int64_t text_version,
		 int64_t explanation_version, const char *signature_sha256)
{
	unsigned char rnd[16];
	int64_t seq;
	char id[33];
	int r;

	r = random_bytes(rnd, sizeof(rnd));
	if (r < 0)
		return r;
	hex_encode(rnd, sizeof(rnd), id);
	r = db_sequence_next(db, "eonay_events_seq", &seq);
	if (r < 0)
		return r;
	r = db_run(db, "INSERT INTO eonay_events (id, tckn, seq, action, text_version,"
		       " explanation_version, signature_sha256, at)"
		       " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
		   "ttitiiti", id, tckn, seq, give ? "give" : "cancel", text_version,
		   explanation_version, signature_sha256, now_sec());
	return r < 0 ? r : 0;
}

int eonay_history(struct db *db, const char *tckn, json_t **ret)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	json_t *a;
	int r;

	r = db_select(db, &st, "SELECT e.action, e.at, e.text_version, e.explanation_version,"
			   " s.signer_serial, s.sha256, s.cms FROM eonay_events e"
			   " JOIN signatures s ON s.sha256 = e.signature_sha256"
			    " WHERE e.tckn = $1 ORDER BY e.seq DESC", "t", tckn);
	if (r < 0)
		return r;
	a = json_array();
	if (!a)
		return -ENOMEM;
	while ((r = db_step(st)) == 1) {
		_cleanup_free_ char *b64 = NULL;
		const void *cms;
		size_t n = 0;
		json_t *o;

		/* The CMS is stored as DER; the API carries it as base64. */
		cms = db_col_blob(st, 6, &n);
		if (!cms) {
			r = -EUCLEAN;
			break;
		}
		r = base64_encode(cms, n, &b64);
		if (r < 0)
			break;
		o = json_pack("{s:s,s:I,s:I,s:I,s:s,s:s,s:s}", "action", db_col_text(st, 0),
			      "at", (json_int_t)db_col_int64(st, 1), "text_version",
			      (json_int_t)db_col_int64(st, 2), "explanation_version",
			      (json_int_t)db_col_int64(st, 3), "signer_serial",
			      db_col_text(st, 4), "signature_sha256", db_col_text(st, 5),
			      "signed_content", b64);
		if (!o || json_array_append_new(a, o) < 0) {
			r = -ENOMEM;
			break;
		}
	}
	if (r < 0) {
		json_decref(a);
		return r;
	}
	*ret = a;
	return 0;
}

int eonay_explanation(struct db *db, const char *ca_short_name, int64_t *ret_version,
		      json_t **ret_paragraphs)
{
	return sign_texts_load(db, "eonay-explanation", ca_short_name, ret_version,
				  ret_paragraphs);
}
