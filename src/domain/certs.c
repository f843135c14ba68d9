/* certs.c - holders, certificates and their revocation state.
 *
 * Used by the back office (eonayctl), by the OCSP responder and CRL
 * publisher, and by signature verification (through cert_status_get).
 * Serial numbers are stored as lower-case hex without leading zeros
 * stripped: exactly what pki_cert_serial_hex() produces. */
#include "domain/certs.h"

#include <ctype.h>
#include <stdio.h>

#include "domain/notify.h"
#include "domain/websession.h"
#include "store/audit.h"

const char *cert_status_str(enum cert_status s)
{
	switch (s) {
	case CERT_ACTIVE:
		return "active";
	case CERT_HOLD:
		return "hold";
	case CERT_REVOKED:
		return "revoked";
	}
	return "?";
}

static int status_parse(const char *s, enum cert_status *ret)
{
	if (!s)
		return -EINVAL;
	if (streq(s, "active"))
		*ret = CERT_ACTIVE;
	else if (streq(s, "hold"))
		*ret = CERT_HOLD;
	else if (streq(s, "revoked"))
		*ret = CERT_REVOKED;
	else
		return -EINVAL;
	return 0;
}

bool cert_revoke_reason_ok(int reason)
{
	/* unspecified, keyCompromise, affiliationChanged, superseded,
	 * cessationOfOperation, privilegeWithdrawn: the reasons a holder
	 * certificate is revoked for.  CA compromise is not a per-certificate
	 * decision, hold has its own operation, removeFromCRL is delta-only. */
	return reason == 0 || reason == 1 || reason == 3 || reason == 4 || reason == 5 ||
	       reason == 9;
}

static void serial_norm(const char *in, char out[65])
{
	size_t n = 0;

	for (; in && *in && n < 64; in++)
		out[n++] = (char)tolower((unsigned char)*in);
	out[n] = '\0';
}

void holder_done(struct holder *h)
{
	if (!h)
		return;
	free(h->given_name);
	free(h->surname);
	free(h->email);
	free(h->mobile);
	memset(h, 0, sizeof(*h));
}

int holder_put(struct db *db, const char *tckn, const char *given_name,
	       const char *surname, const char *email, const char *mobile)
{
	int r;

	r = db_run(db, "INSERT INTO holders (tckn, given_name, surname, email, mobile, created_at)"
		       " VALUES ($1, $2, $3, $4, $5, $6)"
		       " ON CONFLICT (tckn) DO UPDATE SET given_name = $2, surname = $3,"
		       " email = COALESCE($4, holders.email), mobile = COALESCE($5, holders.mobile)",
		   "ttttti", tckn, given_name, surname, email, mobile, now_sec());
	return r < 0 ? r : 0;
}

static char *dup_col(struct db_stmt *st, int col)
{
	const char *t = db_col_text(st, col);

	return t ? strdup(t) : NULL;
}

int holder_get(struct db *db, const char *tckn, struct holder *ret)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	struct holder h = { 0 };
	int r;

	r = db_query_one(db, &st, "SELECT tckn, given_name, surname, email, mobile FROM holders"
			   " WHERE tckn = $1", "t", tckn);
	if (r < 0)
		return r;
	snprintf(h.tckn, sizeof(h.tckn), "%s", db_col_text(st, 0));
	h.given_name = dup_col(st, 1);
	h.surname = dup_col(st, 2);
	h.email = dup_col(st, 3);
	h.mobile = dup_col(st, 4);
	if (!h.given_name || !h.surname) {
		holder_done(&h);
		return -ENOMEM;
	}
	*ret = h;
	return 0;
}

int institution_put(struct db *db, const char *id, const char *name)
{
	int r = db_run(db, "INSERT INTO institutions (id, name, created_at) VALUES ($1, $2, $3)"
			   " ON CONFLICT (id) DO NOTHING", "tti", id, name, now_sec());

	return r < 0 ? r : 0;
}

void cert_record_done(struct cert_record *c)
{
	if (!c)
		return;
	free(c->subject_cn);
	free(c->der_b64);
	memset(c, 0, sizeof(*c));
}

void cert_record_free_array(struct cert_record *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++)
		cert_record_done(&a[i]);
	free(a);
}

int cert_add(struct db *db, const struct cert_record *c)
{
	char serial[65];
	int r;

	serial_norm(c->serial, serial);
	r = db_run(db, "INSERT INTO certificates (serial, tckn, card_serial, subject_cn, not_before,"
		       " not_after, sha256, der, status, reason, revoked_at, issued_at)"
		       " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
		   "ttttiitttiii", serial, c->tckn, c->card_serial[0] ? c->card_serial : NULL,
		   c->subject_cn, c->not_before, c->not_after, c->sha256, c->der_b64,
		   cert_status_str(c->status), (int64_t)c->reason, c->revoked_at, c->issued_at);
	return r < 0 ? r : 0;
}

#define CERT_COLUMNS "serial, tckn, card_serial, subject_cn, not_before, not_after, sha256," \
		     " der, status, reason, revoked_at, issued_at"

static int cert_from_row(struct db_stmt *st, struct cert_record *c)
{
	const char *card = db_col_text(st, 2);

	memset(c, 0, sizeof(*c));
	snprintf(c->serial, sizeof(c->serial), "%s", db_col_text(st, 0));
	snprintf(c->tckn, sizeof(c->tckn), "%s", db_col_text(st, 1));
	snprintf(c->card_serial, sizeof(c->card_serial), "%s", card ? card : "");
	c->subject_cn = dup_col(st, 3);
	c->not_before = db_col_int64(st, 4);
	c->not_after = db_col_int64(st, 5);
	snprintf(c->sha256, sizeof(c->sha256), "%s", db_col_text(st, 6));
	c->der_b64 = dup_col(st, 7);
	if (status_parse(db_col_text(st, 8), &c->status) < 0) {
		cert_record_done(c);
		return -EUCLEAN;
	}
	c->reason = db_col_is_null(st, 9) ? 0 : (int)db_col_int64(st, 9);
	c->revoked_at = db_col_is_null(st, 10) ? 0 : db_col_int64(st, 10);
	c->issued_at = db_col_int64(st, 11);
	if (!c->subject_cn || !c->der_b64) {
		cert_record_done(c);
		return -ENOMEM;
	}
	return 0;
}

int cert_get(struct db *db, const char *serial, struct cert_record *ret)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	char s[65];
	int r;

	serial_norm(serial, s);
	r = db_query_one(db, &st, "SELECT " CERT_COLUMNS " FROM certificates WHERE serial = $1", "t", s);
	if (r < 0)
		return r;
	return cert_from_row(st, ret);
}

int cert_list_by_tckn(struct db *db, const char *tckn, struct cert_record **ret,
		      size_t *ret_n)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	struct cert_record *a = NULL;
	size_t n = 0;
	int r;

	r = db_select(db, &st, "SELECT " CERT_COLUMNS " FROM certificates WHERE tckn = $1"
			   " ORDER BY issued_at DESC, serial", "t", tckn);
	if (r < 0)
		return r;
	while ((r = db_step(st)) == 1) {
		struct cert_record *na = realloc(a, (n + 1) * sizeof(*a));
		if (!na) {
			r = -ENOMEM;
			break;
		}
		a = na;
		r = cert_from_row(st, &a[n]);
		if (r < 0)
			break;
		n++;
	}
	if (r < 0) {
		cert_record_free_array(a, n);
		return r;
	}
	*ret = a;
	*ret_n = n;
	return 0;
}

int cert_status_get(struct db *db, const char *serial, enum cert_status *ret_status,
		    int *ret_reason, int64_t *ret_revoked_at)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	char s[65];
	int r;

	serial_norm(serial, s);
	r = db_query_one(db, &st, "SELECT status, reason, revoked_at FROM certificates"
				  " WHERE serial = $1", "t", s);
	if (r < 0)
		return r;
	r = status_parse(db_col_text(st, 0), ret_status);
	if (r < 0)
		return -EUCLEAN;
	if (ret_reason)
		*ret_reason = db_col_is_null(st, 1) ? 0 : (int)db_col_int64(st, 1);
	if (ret_revoked_at)
		*ret_revoked_at = db_col_is_null(st, 2) ? 0 : db_col_int64(st, 2);
	return 0;
}

/* One transition inside a transaction, with its audit event. */
/* The refusal of a transition, recorded on its own (the change was rolled
 * back): evidence too, so its failure is the caller's failure. */
static int record_refusal(struct db *db, const char *actor, const char *action,
			  const char *serial, enum refusal why)
{
	_cleanup_free_ char *details = strdup_printf("{\"error\":\"%s\"}", refusal_code(why));

	if (!details)
		return -ENOMEM;
	return audit_append(db, false, actor, action, serial, "refused", details);
}

/* Serialises status changes of one certificate across nodes (the read of
 * the current state and the write in transition_tx). */
static int cert_lock(struct db *db, const char *s)
{
	char key[80];

	snprintf(key, sizeof(key), "cert:%s", s);
	return db_lock(db, key);
}

/* The transition itself, inside the caller's transaction: -EACCES with
 * *ret_why when the current state does not allow it. */
static int transition_tx(struct db *db, const char *s, unsigned allowed_from,
			 enum cert_status to, int reason, const char *actor, const char *action,
			 enum refusal *ret_why)
{
	_cleanup_free_ char *details = NULL;
	enum cert_status from;
	int r;

	r = cert_status_get(db, s, &from, NULL, NULL);
	if (r == -ENOENT)
		*ret_why = REFUSAL_CERT_UNKNOWN;
	else if (r == 0 && !(allowed_from & (1u << from)))
		*ret_why = REFUSAL_CERT_STATE;
	else if (r < 0)
		return r;
	if (r == -ENOENT || *ret_why)
		return -EACCES;
	if (to == CERT_ACTIVE)
		r = db_run(db, "UPDATE certificates SET status = 'active', reason = NULL,"
			       " revoked_at = NULL WHERE serial = $1", "t", s);
	else
		r = db_run(db, "UPDATE certificates SET status = $1, reason = $2,"
			       " revoked_at = $3 WHERE serial = $4",
			   "tiit", cert_status_str(to), (int64_t)reason, now_sec(), s);
	if (r < 0)
		return r;
	details = strdup_printf("{\"from\":\"%s\",\"to\":\"%s\",\"reason\":%d}",
				cert_status_str(from), cert_status_str(to),
				to == CERT_ACTIVE ? -1 : reason);
	return details ? audit_append(db, true, actor, action, s, "ok", details) : -ENOMEM;
}

/* Ends a transaction that ran transition_tx(): commits, or rolls back and
 * records a refusal on its own (evidence too). */
static int transition_end(struct db *db, int r, const char *actor, const char *action,
			  const char *s, enum refusal why, enum refusal *ret_refusal)
{
	if (r >= 0)
		return db_commit(db);
	db_rollback(db);
	if (r != -EACCES)
		return r;
	r = record_refusal(db, actor, action, s, why);
	if (r < 0)
		return r;
	*ret_refusal = why;
	return -EACCES;
}

static int transition(struct db *db, const char *serial, unsigned allowed_from,
		      enum cert_status to, int reason, const char *actor, const char *action,
		      enum refusal *ret_refusal)
{
	enum refusal why = REFUSAL_NONE;
	char s[65];
	int r;

	serial_norm(serial, s);
	r = db_begin(db);
	if (r < 0)
		return r;
	r = cert_lock(db, s);
	if (r >= 0)
		r = transition_tx(db, s, allowed_from, to, reason, actor, action, &why);
	return transition_end(db, r, actor, action, s, why, ret_refusal);
}

int cert_hold(struct db *db, const char *serial, const char *actor, enum refusal *ret_refusal)
{
	return transition(db, serial, 1u << CERT_ACTIVE, CERT_HOLD, CERT_REASON_HOLD, actor,
			  "cert.hold", ret_refusal);
}

int cert_release(struct db *db, const char *serial, const char *actor,
		 enum refusal *ret_refusal)
{
	return transition(db, serial, 1u << CERT_HOLD, CERT_ACTIVE, 0, actor, "cert.release",
			  ret_refusal);
}

int cert_revoke(struct db *db, const char *serial, int reason, const char *actor,
		enum refusal *ret_refusal)
{
	if (!cert_revoke_reason_ok(reason)) {
		*ret_refusal = REFUSAL_CERT_REASON;
		return -EACCES;
	}
	return transition(db, serial, (1u << CERT_ACTIVE) | (1u << CERT_HOLD), CERT_REVOKED,
			  reason, actor, "cert.revoke", ret_refusal);
}

int cert_foreach_revoked(struct db *db, cert_revoked_fn fn, void *userdata)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	int r;

	r = db_prepare(db, "SELECT serial, revoked_at, reason FROM certificates"
			   " WHERE status IN ('hold', 'revoked') ORDER BY serial", &st);
	if (r < 0)
		return r;
	while ((r = db_step(st)) == 1) {
		r = fn(userdata, db_col_text(st, 0), db_col_int64(st, 1), (int)db_col_int64(st, 2));
		if (r < 0)
			return r;
	}
	return r;
}

const char *cert_status_seen(const struct cert_record *c, int64_t now)
{
	if (c->status != CERT_REVOKED && c->not_after < now)
		return "expired";
	return cert_status_str(c->status);
}

/* What the holder is told, by act. */
static const struct {
	const char *action, *subject, *body;
	unsigned allowed_from;
	enum cert_status to;
} holder_acts[] = {
	[CERT_ACT_HOLD] = { "cert.hold", "Sertifikanız askıya alındı",
			    "askıya alınmıştır. "
			    "Bu işlemi siz yapmadıysanız lütfen çağrı merkezimizi arayınız.",
			    1u << CERT_ACTIVE, CERT_HOLD },
	[CERT_ACT_RELEASE] = { "cert.release", "Sertifikanız kullanıma açıldı",
			       "askıdan indirilmiş "
			       "ve kullanıma açılmıştır. Bu işlemi siz yapmadıysanız lütfen çağrı "
			       "merkezimizi arayınız.",
			       1u << CERT_HOLD, CERT_ACTIVE },
	[CERT_ACT_REVOKE] = { "cert.revoke", "Sertifikanız iptal edildi",
			      "iptal edilmiştir. "
			      "İptal edilen sertifika tekrar kullanıma açılamaz.",
			      (1u << CERT_ACTIVE) | (1u << CERT_HOLD), CERT_REVOKED },
};

/* The confirmation of a revocation: the serial's last 6 characters. */
static bool confirm_ok(const char *serial, const char *confirm)
{
	size_t n = strlen(serial), m;
	char want[7], got[16];

	if (!confirm)
		return false;
	snprintf(want, sizeof(want), "%s", serial + (n > 6 ? n - 6 : 0));
	m = 0;
	for (const char *p = confirm; *p && m < sizeof(got) - 1; p++)
		if (*p != ' ')
			got[m++] = (char)tolower((unsigned char)*p);
	got[m] = '\0';
	return streq(want, got);
}

int cert_holder_act(struct db *db, const char *tckn, const char *serial, enum cert_act act,
		    int reason, const char *confirm, enum refusal *ret_refusal)
{
	_cleanup_free_ char *actor = strdup_printf("holder:%s", tckn);
	_cleanup_free_ char *body = NULL;
	enum refusal why = REFUSAL_NONE;
	struct cert_record c;
	char s[65];
	int r;

	if ((unsigned)act >= ELEMENTSOF(holder_acts))
		return -EINVAL;
	if (!actor)
		return -ENOMEM;
	serial_norm(serial, s);
	if (act == CERT_ACT_HOLD)
		reason = CERT_REASON_HOLD;
	else if (act == CERT_ACT_RELEASE)
		reason = 0;
	else if (!cert_revoke_reason_ok(reason))
		why = REFUSAL_CERT_REASON;
	body = strdup_printf("%s seri numaralı nitelikli elektronik sertifikanız %s", s,
			    holder_acts[act].body);
	if (!body)
		return -ENOMEM;
	r = db_begin(db);
	if (r < 0)
		return r;
	r = cert_lock(db, s);
	if (r >= 0 && !why) {
		r = cert_get(db, s, &c);
		if (r == -ENOENT) {
			why = REFUSAL_NOT_FOUND;
			r = -EACCES;
		} else if (r == 0) {
			if (!streq(c.tckn, tckn))
				why = REFUSAL_CERT_NOT_OWNER;
			else if (c.status != CERT_REVOKED && c.not_after < now_sec())
				why = REFUSAL_CERT_EXPIRED;
			else if (act == CERT_ACT_REVOKE && !confirm_ok(s, confirm) &&
				 c.status != CERT_REVOKED)
				why = REFUSAL_CONFIRMATION;
			cert_record_done(&c);
		}
	}
	if (r >= 0 && why)
		r = -EACCES;
	if (r >= 0)
		r = transition_tx(db, s, holder_acts[act].allowed_from, holder_acts[act].to, reason,
				  actor, holder_acts[act].action, &why);
	if (r >= 0 && act != CERT_ACT_RELEASE)
		r = websession_end_by_signer(db, s, NULL);
	if (r >= 0)
		r = notify_holder(db, tckn, holder_acts[act].subject, body, NULL);
	return transition_end(db, r, actor, holder_acts[act].action, s, why, ret_refusal);
}

int cert_get_own(struct db *db, const char *tckn, const char *serial, struct cert_record *ret,
		 enum refusal *ret_refusal)
{
	int r = cert_get(db, serial, ret);

	if (r == -ENOENT) {
		*ret_refusal = REFUSAL_NOT_FOUND;
		return -EACCES;
	}
	if (r < 0)
		return r;
	if (!streq(ret->tckn, tckn)) {
		cert_record_done(ret);
		*ret_refusal = REFUSAL_CERT_NOT_OWNER;
		return -EACCES;
	}
	return 0;
}
