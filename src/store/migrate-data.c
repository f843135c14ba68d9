/* migrate-data.c - the migrations' steps that SQL cannot do, run in the
 * migration's own transaction right after its SQL (migrate.c): a failure
 * rolls the whole version back, so a store is at a whole version or at the
 * one before.
 *
 * 009_schema: the rows of the tables it rebuilt (NAME_v8) move into the new
 * ones: base64 TEXT becomes binary (SQLite has no base64 decoder), and each
 * certificate's and CRL's issuer is read from its own DER (the
 * authorityKeyIdentifier's keyIdentifier: the issuing CA's key identifier,
 * see domain/certs.h; our CA always writes it).  On SQLite the renamed
 * signatures table took eonay_events' foreign key with it, so eonay_events
 * is rebuilt too (same columns, same rows).  A row that does not decode
 * or has no such identifier stops the migration (-EBADMSG): nothing is
 * guessed and nothing is lost. */
#include "store/migrate-data.h"

#include <openssl/x509.h>
#include <openssl/x509v3.h>

static int key_id_hex(const ASN1_OCTET_STRING *id, char out[65])
{
	int n = id ? ASN1_STRING_length(id) : 0;

	if (n <= 0 || n > 32)
		return -EBADMSG;
	hex_encode(ASN1_STRING_get0_data(id), (size_t)n, out);
	return 0;
}

static int cert_issuer_of(const unsigned char *der, size_t n, char out[65])
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)n);
	int r;

	if (!x)
		return -EBADMSG;
	r = key_id_hex(X509_get0_authority_key_id(x), out);
	X509_free(x);
	return r;
}

static int crl_issuer_of(const unsigned char *der, size_t n, char out[65])
{
	const unsigned char *p = der;
	X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)n);
	AUTHORITY_KEYID *akid;
	int r;

	if (!crl)
		return -EBADMSG;
	akid = X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, NULL, NULL);
	r = key_id_hex(akid ? akid->keyid : NULL, out);
	AUTHORITY_KEYID_free(akid);
	X509_CRL_free(crl);
	return r;
}

static int b64_col(struct db_stmt *st, int col, unsigned char **ret, size_t *ret_n)
{
	const char *t = db_col_text(st, col);

	if (!t || base64_decode(t, strlen(t), ret, ret_n) < 0)
		return -EBADMSG;
	return 0;
}

/* Binds column col of src as parameter n of dst: NULL, integer or text. */
static int bind_int_or_null(struct db_stmt *dst, int n, struct db_stmt *src, int col)
{
	return db_col_is_null(src, col) ? db_bind_null(dst, n) :
					   db_bind_int64(dst, n, db_col_int64(src, col));
}

static int run_to_end(struct db_stmt *st)
{
	int r;

	while ((r = db_step(st)) == 1)
		;
	return r;
}

static int v9_certificate(struct db *db, struct db_stmt *old, int64_t now)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	_cleanup_free_ unsigned char *der = NULL;
	char issuer[65];
	size_t n = 0;
	int r;

	r = b64_col(old, 7, &der, &n);
	if (r == 0)
		r = cert_issuer_of(der, n, issuer);
	if (r < 0)
		return r;
	r = db_prepare(db, "INSERT INTO certificates (issuer, serial, tckn, card_serial, subject_cn,"
			   " not_before, not_after, sha256, der, status, reason, revoked_at, issued_at)"
			   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)", &st);
	if (r == 0)
		r = db_bindv(st, "tttttiit", issuer, db_col_text(old, 0), db_col_text(old, 1),
			     db_col_text(old, 2), db_col_text(old, 3), db_col_int64(old, 4),
			     db_col_int64(old, 5), db_col_text(old, 6));
	if (r == 0)
		r = db_bind_blob(st, 9, der, n);
	if (r == 0)
		r = db_bind_text(st, 10, db_col_text(old, 8));
	if (r == 0)
		r = bind_int_or_null(st, 11, old, 9);
	if (r == 0)
		r = bind_int_or_null(st, 12, old, 10);
	if (r == 0)
		r = db_bind_int64(st, 13, db_col_int64(old, 11));
	if (r == 0)
		r = run_to_end(st);
	db_stmt_done(TAKE_PTR(st));
	if (r < 0)
		return r;
	/* The history begins with the status the certificate has now. */
	r = db_prepare(db, "INSERT INTO cert_status_history (issuer, serial, seq, at, event, status,"
			   " reason, actor) VALUES ($1, $2, 1, $3, 'migrated', $4, $5, 'migration')",
		       &st);
	if (r == 0)
		r = db_bindv(st, "ttit", issuer, db_col_text(old, 0), now, db_col_text(old, 8));
	if (r == 0)
		r = bind_int_or_null(st, 5, old, 9);
	if (r == 0)
		r = run_to_end(st);
	return r;
}

static int v9_crl(struct db *db, struct db_stmt *old)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	_cleanup_free_ unsigned char *der = NULL;
	char issuer[65];
	size_t n = 0;
	int r;

	r = b64_col(old, 3, &der, &n);
	if (r == 0)
		r = crl_issuer_of(der, n, issuer);
	if (r == 0)
		r = db_prepare(db, "INSERT INTO crl_state (issuer, number, this_update, next_update, der)"
				   " VALUES ($1, $2, $3, $4, $5)", &st);
	if (r == 0)
		r = db_bindv(st, "tiii", issuer, db_col_int64(old, 0), db_col_int64(old, 1),
			     db_col_int64(old, 2));
	if (r == 0)
		r = db_bind_blob(st, 5, der, n);
	if (r == 0)
		r = run_to_end(st);
	return r;
}

static int v9_signature(struct db *db, struct db_stmt *old)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	_cleanup_free_ unsigned char *cms = NULL;
	size_t n = 0;
	int r;

	r = b64_col(old, 5, &cms, &n);
	if (r == 0)
		r = db_prepare(db, "INSERT INTO signatures (sha256, session_id, idx, tckn, signer_serial,"
				   " signer_issuer, cms, signed_at)"
				   " VALUES ($1, $2, $3, $4, $5, NULL, $6, $7)", &st);
	if (r == 0)
		r = db_bindv(st, "ttitt", db_col_text(old, 0), db_col_text(old, 1),
			     db_col_int64(old, 2), db_col_text(old, 3), db_col_text(old, 4));
	if (r == 0)
		r = db_bind_blob(st, 6, cms, n);
	if (r == 0)
		r = db_bind_int64(st, 7, db_col_int64(old, 6));
	if (r == 0)
		r = run_to_end(st);
	return r;
}

/* Runs fn on every row of sql. */
static int each_row(struct db *db, const char *sql, int (*fn)(struct db *, struct db_stmt *,
							      int64_t), int64_t now)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	int r;

	r = db_prepare(db, sql, &st);
	if (r < 0)
		return r;
	while ((r = db_step(st)) == 1) {
		r = fn(db, st, now);
		if (r < 0)
			return r;
	}
	return r;
}

static int v9_crl_row(struct db *db, struct db_stmt *old, int64_t now)
{
	return v9_crl(db, old);
}

static int v9_signature_row(struct db *db, struct db_stmt *old, int64_t now)
{
	return v9_signature(db, old);
}

static int migrate_009(struct db *db)
{
	bool sqlite = streq(db_backend_name(db), "sqlite");
	int r;

	r = each_row(db, "SELECT serial, tckn, card_serial, subject_cn, not_before, not_after,"
			 " sha256, der, status, reason, revoked_at, issued_at FROM certificates_v8"
			 " ORDER BY serial", v9_certificate, now_sec());
	if (r == 0)
		r = each_row(db, "SELECT number, this_update, next_update, der FROM crl_state_v8",
			     v9_crl_row, 0);
	/* PostgreSQL converted signatures.cms in place (decode). */
	if (r == 0 && sqlite)
		r = each_row(db, "SELECT sha256, session_id, idx, tckn, signer_serial, cms, signed_at"
				 " FROM signatures_v8 ORDER BY sha256", v9_signature_row, 0);
	if (r == 0)
		r = db_exec(db, "DROP TABLE certificates_v8; DROP TABLE crl_state_v8");
	/* SQLite (foreign keys on) pointed eonay_events' key at signatures_v8
	 * when it was renamed: rebuild it on the new signatures, now that
	 * they are all there. */
	if (r == 0 && sqlite)
		r = db_exec(db, "DROP INDEX eonay_events_tckn;"
				"ALTER TABLE eonay_events RENAME TO eonay_events_v8;"
				"CREATE TABLE eonay_events ("
				" id TEXT PRIMARY KEY,"
				" tckn TEXT NOT NULL,"
				" seq BIGINT NOT NULL,"
				" action TEXT NOT NULL CHECK (action IN ('give', 'cancel')),"
				" text_version BIGINT NOT NULL,"
				" explanation_version BIGINT,"
				" signature_sha256 TEXT NOT NULL REFERENCES signatures (sha256),"
				" at BIGINT NOT NULL);"
				"CREATE UNIQUE INDEX eonay_events_tckn ON eonay_events (tckn, seq);"
				"INSERT INTO eonay_events (id, tckn, seq, action, text_version,"
				" explanation_version, signature_sha256, at)"
				" SELECT id, tckn, seq, action, text_version, explanation_version,"
				" signature_sha256, at FROM eonay_events_v8;"
				"DROP TABLE eonay_events_v8;"
				"DROP TABLE signatures_v8");
	return r;
}

int migrate_data_after(struct db *db, int version)
{
	switch (version) {
	case 9:
		return migrate_009(db);
	default:
		return 0;
	}
}
