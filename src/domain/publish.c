/* publish.c - CRL publication and the OCSP responder's status look-up.
 *
 * The CRL lives in the store (crl_state), so every eonayd node serves the
 * same one; it is rebuilt after every hold / release / revoke and by the
 * server's housekeeping before nextUpdate. */
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

int crl_publish(struct db *db, struct pki_ca *ca, int64_t validity, int64_t *ret_number)
{
	_cleanup_(X509_CRL_freep) X509_CRL *crl = NULL;
	_cleanup_free_ unsigned char *der = NULL;
	_cleanup_free_ char *b64 = NULL;
	struct entries l = { 0 };
	int64_t number = 0, now = now_sec();
	size_t n = 0;
	int r;

	r = db_begin(db);
	if (r < 0)
		return r;
	r = db_query_int64(db, "SELECT number FROM crl_state WHERE id = 1", NULL, &number);
	if (r == -ENOENT)
		r = 0;
	if (r == 0)
		r = cert_foreach_revoked(db, collect, &l);
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
		r = base64_encode(der, n, &b64);
	if (r == 0)
		r = db_run(db, "INSERT INTO crl_state (id, number, this_update, next_update, der)"
			       " VALUES (1, $1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET"
			       " number = $1, this_update = $2, next_update = $3, der = $4",
			   "iiit", number, now, now + validity, b64);
	free(l.e);
	free(l.serials);
	r = db_end(db, r);
	if (r == 0 && ret_number)
		*ret_number = number;
	return r;
}

int crl_refresh_if_due(struct db *db, struct pki_ca *ca, int64_t validity, bool *ret_published)
{
	int64_t next = 0, this = 0, now = now_sec();
	int r;

	*ret_published = false;
	r = db_query_int64(db, "SELECT next_update FROM crl_state WHERE id = 1", NULL, &next);
	if (r == 0)
		r = db_query_int64(db, "SELECT this_update FROM crl_state WHERE id = 1", NULL, &this);
	if (r == 0 && now < next - (next - this) / 2)
		return 0;
	if (r < 0 && r != -ENOENT)
		return r;
	r = crl_publish(db, ca, validity, NULL);
	if (r == 0)
		*ret_published = true;
	return r;
}

int crl_current(struct db *db, unsigned char **ret_der, size_t *ret_n, int64_t *ret_number,
		int64_t *ret_next_update)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	const char *b64;
	int r;

	r = db_prepare(db, "SELECT number, next_update, der FROM crl_state WHERE id = 1", &st);
	if (r < 0)
		return r;
	r = db_step(st);
	if (r <= 0)
		return r < 0 ? r : -ENOENT;
	b64 = db_col_text(st, 2);
	if (ret_number)
		*ret_number = db_col_int64(st, 0);
	if (ret_next_update)
		*ret_next_update = db_col_int64(st, 1);
	if (!ret_der)
		return 0;	/* only whether there is one */
	return base64_decode(b64, strlen(b64), ret_der, ret_n);
}

int ocsp_lookup_store(void *userdata, const char *serial_hex, struct pki_ocsp_status *ret)
{
	enum cert_status st;
	int64_t at = 0;
	int reason = 0, r;

	r = cert_status_get(userdata, serial_hex, &st, &reason, &at);
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
