/* certs.c - holders, certificates and their revocation state.
 *
 * Used by the back office (eonayctl), by the OCSP responder and CRL
 * publisher, and by signature verification (through cert_status_get).
 * Serial numbers are stored as lower-case hex without leading zeros
 * stripped: exactly what pki_cert_serial_hex() produces; a certificate is
 * keyed by its issuer's key identifier and its serial.  Every status
 * change appends a row to cert_status_history in the transaction that
 * makes it. */
#include "domain/certs.h"

#include <ctype.h>
#include <stdio.h>

#include "domain/notify.h"
#include "domain/publish.h"
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

/* The issuer of serial s: as given (normalised), or when issuer is NULL
 * the one issuer that issued s (-ENOENT none, -ENOTUNIQ several). */
static int issuer_resolve(struct db *db, const char *issuer, const char *s,
			  char out[CERT_ISSUER_MAX])
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	int r;

	if (issuer) {
		if (isempty(issuer) || strlen(issuer) >= CERT_ISSUER_MAX)
			return -ENOENT;
		serial_norm(issuer, out);
		return 0;
	}
	r = db_select(db, &st, "SELECT issuer FROM certificates WHERE serial = $1 LIMIT 2", "t", s);
	if (r < 0)
		return r;
	r = db_step(st);
	if (r <= 0)
		return r < 0 ? r : -ENOENT;
	snprintf(out, CERT_ISSUER_MAX, "%s", db_col_text(st, 0));
	r = db_step(st);
	if (r < 0)
		return r;
	return r == 1 ? -ENOTUNIQ : 0;
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
	free(c->der);
	memset(c, 0, sizeof(*c));
}

void cert_record_free_array(struct cert_record *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++)
		cert_record_done(&a[i]);
	free(a);
}

/* Appends a history row; inside the transaction of the change (and under
 * its certificate's lock, which makes MAX + 1 safe: one writer per
 * certificate). */
static int history_add(struct db *db, const char *issuer, const char *serial, const char *event,
		       enum cert_status status, int reason, const char *actor)
{
	int64_t seq = 0;
	int r;

	r = db_query_int64(db, "SELECT COALESCE(MAX(seq), 0) + 1 FROM cert_status_history"
			       " WHERE issuer = $1 AND serial = $2", "tt", &seq, issuer, serial);
	if (r < 0)
		return r;
	r = db_run(db, "INSERT INTO cert_status_history (issuer, serial, seq, at, event, status,"
		       " reason, actor) VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, -1), $8)",
		   "ttiittit", issuer, serial, seq, now_sec(), event, cert_status_str(status),
		   (int64_t)(reason < 0 ? -1 : reason), actor);
	return r < 0 ? r : 0;
}

int cert_add(struct db *db, const struct cert_record *c)
{
	char serial[65], issuer[CERT_ISSUER_MAX];
	_cleanup_stmt_ struct db_stmt *st = NULL;
	int r;

	if (isempty(c->issuer) || !c->der)
		return -EINVAL;
	serial_norm(c->serial, serial);
	serial_norm(c->issuer, issuer);
	r = db_prepare(db, "INSERT INTO certificates (issuer, serial, tckn, card_serial, subject_cn,"
			   " not_before, not_after, sha256, der, status, reason, revoked_at, issued_at)"
			   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)", &st);
	if (r < 0)
		return r;
	r = db_bindv(st, "tttttiit", issuer, serial, c->tckn,
		     c->card_serial[0] ? c->card_serial : NULL, c->subject_cn, c->not_before,
		     c->not_after, c->sha256);
	if (r == 0)
		r = db_bind_blob(st, 9, c->der, c->der_len);
	if (r == 0)
		r = db_bind_text(st, 10, cert_status_str(c->status));
	if (r == 0)
		r = db_bind_int64(st, 11, c->reason);
	if (r == 0)
		r = db_bind_int64(st, 12, c->revoked_at);
	if (r == 0)
		r = db_bind_int64(st, 13, c->issued_at);
	if (r == 0)
		while ((r = db_step(st)) == 1)
			;
	if (r < 0)
		return r;
	/* Issued on hold (card production): on the CRL until released. */
	if (c->status != CERT_ACTIVE)
		r = crl_mark_changed(db, issuer);
	if (r < 0)
		return r;
	return history_add(db, issuer, serial, "issued", c->status,
			   c->status == CERT_ACTIVE ? -1 : c->reason, "operator");
}

#define CERT_COLUMNS "issuer, serial, tckn, card_serial, subject_cn, not_before, not_after," \
		     " sha256, der, status, reason, revoked_at, issued_at"

static int cert_from_row(struct db_stmt *st, struct cert_record *c)
{
	const char *card = db_col_text(st, 3);
	const void *der;
	size_t n = 0;

	memset(c, 0, sizeof(*c));
	snprintf(c->issuer, sizeof(c->issuer), "%s", db_col_text(st, 0));
	snprintf(c->serial, sizeof(c->serial), "%s", db_col_text(st, 1));
	snprintf(c->tckn, sizeof(c->tckn), "%s", db_col_text(st, 2) ?: "");
	snprintf(c->card_serial, sizeof(c->card_serial), "%s", card ? card : "");
	c->subject_cn = dup_col(st, 4);
	c->not_before = db_col_int64(st, 5);
	c->not_after = db_col_int64(st, 6);
	snprintf(c->sha256, sizeof(c->sha256), "%s", db_col_text(st, 7) ?: "");
	der = db_col_blob(st, 8, &n);
	c->der = der ? malloc(MAX(n, 1)) : NULL;
	if (c->der) {
		memcpy(c->der, der, n);
		c->der_len = n;
	}
	if (status_parse(db_col_text(st, 9), &c->status) < 0) {
		cert_record_done(c);
		return -EUCLEAN;
	}
	c->reason = db_col_is_null(st, 10) ? 0 : (int)db_col_int64(st, 10);
	c->revoked_at = db_col_is_null(st, 11) ? 0 : db_col_int64(st, 11);
	c->issued_at = db_col_int64(st, 12);
	if (!c->subject_cn || (der && !c->der)) {
		cert_record_done(c);
		return -ENOMEM;
	}
	return 0;
}

int cert_get(struct db *db, const char *issuer, const char *serial, struct cert_record *ret)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	char s[65], is[CERT_ISSUER_MAX];
	int r;

	serial_norm(serial, s);
	r = issuer_resolve(db, issuer, s, is);
	if (r < 0)
		return r;
	r = db_query_one(db, &st, "SELECT " CERT_COLUMNS " FROM certificates"
				  " WHERE issuer = $1 AND serial = $2", "tt", is, s);
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
			   " ORDER BY issued_at DESC, serial, issuer", "t", tckn);
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

int cert_status_get(struct db *db, const char *issuer, const char *serial,
		    enum cert_status *ret_status, int *ret_reason, int64_t *ret_revoked_at)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	char s[65], is[CERT_ISSUER_MAX];
	int r;

	if (!issuer)
		return -EINVAL;
	serial_norm(serial, s);
	r = issuer_resolve(db, issuer, s, is);
	if (r < 0)
		return r;
	r = db_query_one(db, &st, "SELECT status, reason, revoked_at FROM certificates"
				  " WHERE issuer = $1 AND serial = $2", "tt", is, s);
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

/* The transition itself, inside the caller's transaction, for issuer is
 * (resolved) and serial s (normalised): the per-certificate lock, the
 * state check, the update, its history row and audit event.  -EACCES with
 * *ret_why when the state does not allow it. */
static int transition_tx(struct db *db, const char *is, const char *s, unsigned allowed_from,
			 enum cert_status to, int reason, const char *actor, const char *action,
			 const char *event, enum refusal *ret_why)
{
	_cleanup_free_ char *details = NULL, *lock = NULL;
	enum cert_status from = CERT_ACTIVE;
	int r;

	/* One writer per certificate (PostgreSQL runs writers at once): the
	 * state read below is the one the update replaces. */
	lock = strdup_printf("cert:%s:%s", is, s);
	r = lock ? db_lock(db, lock) : -ENOMEM;
	if (r == 0)
		r = cert_status_get(db, is, s, &from, NULL, NULL);
	if (r == -ENOENT) {
		*ret_why = REFUSAL_CERT_UNKNOWN;
		return -EACCES;
	}
	if (r < 0)
		return r;
	if (!(allowed_from & (1u << from))) {
		*ret_why = REFUSAL_CERT_STATE;
		return -EACCES;
	}
	if (to == CERT_ACTIVE)
		r = db_run(db, "UPDATE certificates SET status = 'active', reason = NULL,"
			       " revoked_at = NULL WHERE issuer = $1 AND serial = $2", "tt", is, s);
	else if (from == CERT_HOLD)
		/* Revoked from hold: not valid since the hold began (RFC 5280
		 * 5.1.2.6, the date from which it is invalid), so that a
		 * signature made while on hold does not pass as made before
		 * the revocation. */
		r = db_run(db, "UPDATE certificates SET status = $1, reason = $2,"
			       " revoked_at = COALESCE(revoked_at, $3) WHERE issuer = $4 AND serial = $5",
			   "tiitt", cert_status_str(to), (int64_t)reason, now_sec(), is, s);
	else
		r = db_run(db, "UPDATE certificates SET status = $1, reason = $2,"
			       " revoked_at = $3 WHERE issuer = $4 AND serial = $5",
			   "tiitt", cert_status_str(to), (int64_t)reason, now_sec(), is, s);
	if (r >= 0)
		r = history_add(db, is, s, event, to, to == CERT_ACTIVE ? -1 : reason, actor);
	/* Its CRL is out of date now; rebuilt later, outside this transaction. */
	if (r >= 0)
		r = crl_mark_changed(db, is);
	if (r < 0)
		return r;
	details = strdup_printf("{\"issuer\":\"%s\",\"from\":\"%s\",\"to\":\"%s\","
				"\"reason\":%d}", is, cert_status_str(from),
				cert_status_str(to), to == CERT_ACTIVE ? -1 : reason);
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
	/* Refusals are decisions too: record them outside the rolled back tx. */
	r = record_refusal(db, actor, action, s, why);
	if (r < 0)
		return r;
	*ret_refusal = why;
	return -EACCES;
}

/* One transition in its own transaction, with its history row and audit
 * event. */
static int transition(struct db *db, const char *issuer, const char *serial,
		      unsigned allowed_from, enum cert_status to, int reason, const char *actor,
		      const char *action, const char *event, enum refusal *ret_refusal)
{
	enum refusal why = REFUSAL_NONE;
	char s[65], is[CERT_ISSUER_MAX] = "";
	int r;

	serial_norm(serial, s);
	r = db_begin(db);
	if (r < 0)
		return r;
	r = issuer_resolve(db, issuer, s, is);
	if (r == -ENOENT) {
		why = REFUSAL_CERT_UNKNOWN;
		r = -EACCES;
	}
	if (r == 0)
		r = transition_tx(db, is, s, allowed_from, to, reason, actor, action, event, &why);
	return transition_end(db, r, actor, action, s, why, ret_refusal);
}

int cert_hold(struct db *db, const char *issuer, const char *serial, const char *actor,
	      enum refusal *ret_refusal)
{
	return transition(db, issuer, serial, 1u << CERT_ACTIVE, CERT_HOLD, CERT_REASON_HOLD,
			  actor, "cert.hold", "hold", ret_refusal);
}

int cert_release(struct db *db, const char *issuer, const char *serial, const char *actor,
		 enum refusal *ret_refusal)
{
	return transition(db, issuer, serial, 1u << CERT_HOLD, CERT_ACTIVE, 0, actor,
			  "cert.release", "release", ret_refusal);
}

int cert_revoke(struct db *db, const char *issuer, const char *serial, int reason,
		const char *actor, enum refusal *ret_refusal)
{
	if (!cert_revoke_reason_ok(reason)) {
		*ret_refusal = REFUSAL_CERT_REASON;
		return -EACCES;
	}
	return transition(db, issuer, serial, (1u << CERT_ACTIVE) | (1u << CERT_HOLD),
			  CERT_REVOKED, reason, actor, "cert.revoke", "revoke", ret_refusal);
}

int cert_revoke_in_tx(struct db *db, const char *issuer, const char *serial, int reason,
		      const char *actor, enum refusal *ret_refusal)
{
	char s[65], is[CERT_ISSUER_MAX];

	if (!cert_revoke_reason_ok(reason)) {
		*ret_refusal = REFUSAL_CERT_REASON;
		return -EACCES;
	}
	serial_norm(serial, s);
	serial_norm(issuer, is);
	return transition_tx(db, is, s, (1u << CERT_ACTIVE) | (1u << CERT_HOLD), CERT_REVOKED,
			     reason, actor, "cert.revoke", "revoke", ret_refusal);
}

int cert_foreach_revoked(struct db *db, const char *issuer, cert_revoked_fn fn,
			 void *userdata)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	int r;

	r = db_select(db, &st, "SELECT serial, revoked_at, reason FROM certificates"
			       " WHERE issuer = $1 AND status IN ('hold', 'revoked') ORDER BY serial",
		      "t", issuer);
	if (r < 0)
		return r;
	while ((r = db_step(st)) == 1) {
		r = fn(userdata, db_col_text(st, 0), db_col_int64(st, 1), (int)db_col_int64(st, 2));
		if (r < 0)
			return r;
	}
	return r;
}

void cert_event_free_array(struct cert_event *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++)
		free(a[i].actor);
	free(a);
}

int cert_history(struct db *db, const char *issuer, const char *serial, struct cert_event **ret,
		 size_t *ret_n)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	char s[65], is[CERT_ISSUER_MAX];
	struct cert_event *a = NULL;
	size_t n = 0;
	int64_t known = 0;
	int r;

	serial_norm(serial, s);
	r = issuer_resolve(db, issuer, s, is);
	if (r == 0)
		r = db_query_int64(db, "SELECT COUNT(*) FROM certificates WHERE issuer = $1"
				       " AND serial = $2", "tt", &known, is, s);
	if (r < 0)
		return r;
	if (!known)
		return -ENOENT;
	r = db_select(db, &st, "SELECT seq, at, event, status, reason, actor FROM"
			       " cert_status_history WHERE issuer = $1 AND serial = $2 ORDER BY seq",
		      "tt", is, s);
	if (r < 0)
		return r;
	while ((r = db_step(st)) == 1) {
		struct cert_event *na = realloc(a, (n + 1) * sizeof(*a)), *e;
		if (!na) {
			r = -ENOMEM;
			break;
		}
		a = na;
		e = &a[n];
		memset(e, 0, sizeof(*e));
		e->seq = db_col_int64(st, 0);
		e->at = db_col_int64(st, 1);
		snprintf(e->event, sizeof(e->event), "%s", db_col_text(st, 2));
		e->reason = db_col_is_null(st, 4) ? -1 : (int)db_col_int64(st, 4);
		e->actor = dup_col(st, 5);
		n++;
		if (!e->actor) {
			r = -ENOMEM;
			break;
		}
		if (status_parse(db_col_text(st, 3), &e->status) < 0) {
			r = -EUCLEAN;
			break;
		}
	}
	if (r < 0) {
		cert_event_free_array(a, n);
		return r;
	}
	*ret = a;
	*ret_n = n;
	return 0;
}

const char *cert_status_seen(const struct cert_record *c, int64_t now)
{
	if (c->status != CERT_REVOKED && c->not_after < now)
		return "expired";
	return cert_status_str(c->status);
}

/* The holder's certificate serial s (normalised): its issuer into is.
 * issuer given: that one.  Refused not_found (no such certificate),
 * cert_not_owner (another holder's); -ENOTUNIQ when two issuers issued
 * this holder a certificate with this serial and issuer is NULL. */
static int own_resolve(struct db *db, const char *tckn, const char *issuer, const char *s,
		       char is[CERT_ISSUER_MAX], enum refusal *ret_refusal)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	bool other = false;
	int n = 0, r;

	r = db_select(db, &st, "SELECT issuer, tckn FROM certificates WHERE serial = $1", "t", s);
	if (r < 0)
		return r;
	while ((r = db_step(st)) == 1) {
		const char *i = db_col_text(st, 0);

		if (issuer && !streq(i, issuer))
			continue;
		if (!streq(db_col_text(st, 1), tckn)) {
			other = true;
			continue;
		}
		snprintf(is, CERT_ISSUER_MAX, "%s", i);
		n++;
	}
	if (r < 0)
		return r;
	if (n > 1)
		return -ENOTUNIQ;
	if (n == 0) {
		*ret_refusal = other ? REFUSAL_CERT_NOT_OWNER : REFUSAL_NOT_FOUND;
		return -EACCES;
	}
	return 0;
}

/* What the holder is told, by act. */
static const struct {
	const char *action, *event, *subject, *body;
	unsigned allowed_from;
	enum cert_status to;
} holder_acts[] = {
	[CERT_ACT_HOLD] = { "cert.hold", "hold", "Sertifikanız askıya alındı",
			    "askıya alınmıştır. "
			    "Bu işlemi siz yapmadıysanız lütfen çağrı merkezimizi arayınız.",
			    1u << CERT_ACTIVE, CERT_HOLD },
	[CERT_ACT_RELEASE] = { "cert.release", "release", "Sertifikanız kullanıma açıldı",
			       "askıdan indirilmiş "
			       "ve kullanıma açılmıştır. Bu işlemi siz yapmadıysanız lütfen çağrı "
			       "merkezimizi arayınız.",
			       1u << CERT_HOLD, CERT_ACTIVE },
	[CERT_ACT_REVOKE] = { "cert.revoke", "revoke", "Sertifikanız iptal edildi",
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

int cert_holder_act(struct db *db, const char *tckn, const char *issuer, const char *serial,
		    enum cert_act act, int reason, const char *confirm, enum refusal *ret_refusal)
{
	_cleanup_free_ char *actor = strdup_printf("holder:%s", tckn);
	_cleanup_free_ char *body = NULL;
	enum refusal why = REFUSAL_NONE;
	char s[65], is[CERT_ISSUER_MAX] = "", want_is[CERT_ISSUER_MAX];
	struct cert_record c;
	int r;

	if ((unsigned)act >= ELEMENTSOF(holder_acts))
		return -EINVAL;
	if (!actor)
		return -ENOMEM;
	serial_norm(serial, s);
	if (issuer)
		serial_norm(issuer, want_is);
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
	if (why)
		r = -EACCES;
	if (r >= 0)
		r = own_resolve(db, tckn, issuer ? want_is : NULL, s, is, &why);
	if (r >= 0) {
		r = cert_get(db, is, s, &c);
		if (r == 0) {
			if (c.status != CERT_REVOKED && c.not_after < now_sec())
				why = REFUSAL_CERT_EXPIRED;
			else if (act == CERT_ACT_REVOKE && c.status != CERT_REVOKED &&
				 !confirm_ok(s, confirm))
				why = REFUSAL_CONFIRMATION;
			cert_record_done(&c);
			if (why)
				r = -EACCES;
		}
	}
	if (r >= 0)
		r = transition_tx(db, is, s, holder_acts[act].allowed_from, holder_acts[act].to, reason,
				  actor, holder_acts[act].action, holder_acts[act].event, &why);
	if (r >= 0 && act != CERT_ACT_RELEASE)
		r = websession_end_by_signer(db, is, s, NULL);
	if (r >= 0)
		r = notify_holder(db, tckn, holder_acts[act].subject, body, NULL);
	return transition_end(db, r, actor, holder_acts[act].action, s, why, ret_refusal);
}

int cert_get_own(struct db *db, const char *tckn, const char *issuer, const char *serial,
		 struct cert_record *ret, enum refusal *ret_refusal)
{
	char s[65], is[CERT_ISSUER_MAX], want_is[CERT_ISSUER_MAX];
	int r;

	serial_norm(serial, s);
	if (issuer)
		serial_norm(issuer, want_is);
	r = own_resolve(db, tckn, issuer ? want_is : NULL, s, is, ret_refusal);
	if (r < 0)
		return r;
	return cert_get(db, is, s, ret);
}
