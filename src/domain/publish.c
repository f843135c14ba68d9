/* publish.c - CRL publication and the OCSP responder's status look-up.
 *
 * The CRLs live in the store (crl_state, one row per issuer), so every
 * eonayd node serves the same one; the issuing CA's is rebuilt after every
 * hold / release / revoke and by the server's housekeeping before
 * nextUpdate. */
#include "domain/publish.h"

#include <stdio.h>

#include "pki/crl.h"
#include "pki/key.h"
#include "pki/ossl.h"
#include "domain/certs.h"

struct entries {
	struct pki_revoked_entry *e;
	char (*serials)[PKI_SERIAL_HEX_MAX];
	size_t n, cap;
};

static int collect(void *userdata, const char *serial, int64_t revoked_at, int reason)
{
	struct entries *l = userdata;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		void *ne = realloc(l->e, cap * sizeof(*l->e));
		void *ns;
		if (!ne)
			return -ENOMEM;
		l->e = ne;
		ns = realloc(l->serials, cap * sizeof(*l->serials));
		if (!ns)
			return -ENOMEM;
		l->serials = ns;
		l->cap = cap;
	}
	snprintf(l->serials[l->n], PKI_SERIAL_HEX_MAX, "%s", serial);
	l->e[l->n] = (struct pki_revoked_entry){ .revoked_at = revoked_at, .reason = reason };
	l->n++;
	return 0;
}

int crl_issuer_of(struct pki_ca *ca, char ret[CERT_ISSUER_MAX])
{
	_Static_assert(CERT_ISSUER_MAX >= PKI_KEY_ID_HEX_MAX, "issuer ids fit");
	return pki_cert_key_id_hex(pki_ca_issuing_cert(ca), ret);
}

int crl_publish(struct db *db, struct pki_ca *ca, int64_t validity, int64_t *ret_number)
{
	_cleanup_(X509_CRL_freep) X509_CRL *crl = NULL;
	_cleanup_free_ unsigned char *der = NULL;
	_cleanup_free_ char *lock = NULL;
	_cleanup_stmt_ struct db_stmt *st = NULL;
	char issuer[CERT_ISSUER_MAX];
	struct entries l = { 0 };
	int64_t number = 0, now = now_sec();
	size_t n = 0;
	int r;

	r = crl_issuer_of(ca, issuer);
	if (r < 0)
		return r;
	lock = strdup_printf("crl:%s", issuer);
	if (!lock)
		return -ENOMEM;
	r = db_begin(db);
	if (r < 0)
		return r;
	/* Two nodes publishing at once must not both take the same number. */
	r = db_lock(db, lock);
	if (r == 0)
		r = db_query_int64(db, "SELECT number FROM crl_state WHERE issuer = $1", "t", &number,
				   issuer);
	if (r == -ENOENT)
		r = 0;
	if (r == 0)
		r = cert_foreach_revoked(db, issuer, collect, &l);
	if (r == 0) {
		/* Point the entries at their serials only now: realloc may move them. */
		for (size_t i = 0; i < l.n; i++)
			l.e[i].serial_hex = l.serials[i];
		number++;
		r = pki_crl_build(ca, l.e, l.n, (uint64_t)number, now, now + validity, &crl);
	}
	if (r == 0)
		r = pki_crl_to_der(crl, &der, &n);
	if (r == 0)
		r = db_prepare(db, "INSERT INTO crl_state (issuer, number, this_update, next_update, der)"
				   " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (issuer) DO UPDATE SET"
				   " number = $2, this_update = $3, next_update = $4, der = $5", &st);
	if (r == 0)
		r = db_bindv(st, "tiii", issuer, number, now, now + validity);
	if (r == 0)
		r = db_bind_blob(st, 5, der, n);
	if (r == 0)
		while ((r = db_step(st)) == 1)
			;
	free(l.e);
	free(l.serials);
	db_stmt_done(TAKE_PTR(st));
	r = db_end(db, r);
	if (r == 0 && ret_number)
		*ret_number = number;
	return r;
}

int crl_refresh_if_due(struct db *db, struct pki_ca *ca, int64_t validity, bool *ret_published)
{
	int64_t next = 0, this = 0, now = now_sec();
	char issuer[CERT_ISSUER_MAX];
	int r;

	*ret_published = false;
	r = crl_issuer_of(ca, issuer);
	if (r < 0)
		return r;
	r = db_query_int64(db, "SELECT next_update FROM crl_state WHERE issuer = $1", "t", &next,
			   issuer);
	if (r == 0)
		r = db_query_int64(db, "SELECT this_update FROM crl_state WHERE issuer = $1", "t",
				   &this, issuer);
	/* A status changed after this CRL was built (a crash between a hold
	 * and its publication, on any node): publish now, not at mid-life. */
	if (r == 0) {
		bool changed = false;

		r = cert_changed_since(db, issuer, this, &changed);
		if (r == 0 && !changed && now < next - (next - this) / 2)
			return 0;
	}
	if (r < 0 && r != -ENOENT)
		return r;
	r = crl_publish(db, ca, validity, NULL);
	if (r == 0)
		*ret_published = true;
	return r;
}

int crl_current(struct db *db, const char *issuer, unsigned char **ret_der, size_t *ret_n,
		int64_t *ret_number, int64_t *ret_next_update)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	const void *der;
	size_t n = 0;
	int r;

	if (issuer)
		r = db_query_one(db, &st, "SELECT number, next_update, der FROM crl_state"
					  " WHERE issuer = $1", "t", issuer);
	else
		r = db_query_one(db, &st, "SELECT number, next_update, der FROM crl_state"
					  " ORDER BY this_update DESC, issuer LIMIT 1", NULL);
	if (r < 0)
		return r;
	if (ret_number)
		*ret_number = db_col_int64(st, 0);
	if (ret_next_update)
		*ret_next_update = db_col_int64(st, 1);
	if (!ret_der)
		return 0;	/* only whether there is one */
	der = db_col_blob(st, 2, &n);
	if (!der || n == 0)
		return -EUCLEAN;
	*ret_der = malloc(n);
	if (!*ret_der)
		return -ENOMEM;
	memcpy(*ret_der, der, n);
	*ret_n = n;
	return 0;
}

int ocsp_lookup_store(void *userdata, const char *issuer_hex, const char *serial_hex,
		      struct pki_ocsp_status *ret)
{
	enum cert_status st;
	int64_t at = 0;
	int reason = 0, r;

	r = cert_status_get(userdata, issuer_hex, serial_hex, &st, &reason, &at);
	if (r == -ENOENT) {
		*ret = (struct pki_ocsp_status){ .status = PKI_OCSP_UNKNOWN };
		return 0;
	}
	if (r < 0)
		return r;
	if (st == CERT_ACTIVE)
		*ret = (struct pki_ocsp_status){ .status = PKI_OCSP_GOOD };
	else
		*ret = (struct pki_ocsp_status){ .status = PKI_OCSP_REVOKED, .revoked_at = at,
						 .reason = reason };
	return 0;
}
