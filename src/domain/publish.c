/* publish.c - CRL publication and the OCSP responder's status look-up.
 *
 * The CRLs live in the store (crl_state, one row per issuer, DER as
 * BLOB/bytea), so every eonayd node serves the same one.  A status change
 * only marks its issuer's CRL out of date (crl_mark_changed); the CRL is
 * rebuilt outside any write transaction, from one read snapshot, by the
 * node holding the issuer's lease (see publish.h). */
#include "domain/publish.h"

#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "pki/crl.h"
#include "pki/key.h"
#include "pki/ossl.h"
#include "domain/certs.h"

/* Rows per page of the snapshot read on PostgreSQL, which hands a whole
 * result over at once: a page bounds the memory it takes.  SQLite steps
 * through one result (it cannot seek the row value (length, serial) in
 * the expression index: pages would each scan from the start). */
#define CRL_PAGE 50000
#define CRL_PAGE_SQLITE INT64_MAX

int crl_issuer_of(struct pki_ca *ca, char ret[CERT_ISSUER_MAX])
{
	_Static_assert(CERT_ISSUER_MAX >= PKI_KEY_ID_HEX_MAX, "issuer ids fit");
	return pki_cert_key_id_hex(pki_ca_issuing_cert(ca), ret);
}

int crl_mark_changed(struct db *db, const char *issuer)
{
	int r;

	if (isempty(issuer))
		return -EINVAL;
	r = db_run(db, "INSERT INTO crl_work (issuer, changes, changed_at) VALUES ($1, 1, $2)"
		       " ON CONFLICT (issuer) DO UPDATE SET changes = crl_work.changes + 1,"
		       " changed_at = $2", "ti", issuer, now_sec());
	if (r < 0)
		return r;
	/* The same change tells the nodes' OCSP answers (store/db.h). */
	r = db_epoch_mark(db);
	if (r < 0)
		return r;
	return db_notify(db, CRL_CHANNEL, issuer);
}

/* A lease owner's name: "HOST PID RANDOM", so that a process on the same
 * host can tell a holder that died (SIGKILL in the middle of a build) and
 * need not wait for its lease to run out. */
#define OWNER_MAX 128

static int owner_new(char ret[OWNER_MAX])
{
	unsigned char rnd[8];
	char host[64] = "", hex[17];
	int r = random_bytes(rnd, sizeof(rnd));

	if (r < 0)
		return r;
	hex_encode(rnd, sizeof(rnd), hex);
	if (gethostname(host, sizeof(host) - 1) < 0)
		snprintf(host, sizeof(host), "?");
	host[strcspn(host, " ")] = '\0';
	snprintf(ret, OWNER_MAX, "%s %ld %s", host, (long)getpid(), hex);
	return 0;
}

/* Whether owner names a process of this host that is gone. */
static bool owner_dead(const char *owner)
{
	char host[64] = "", mine[64] = "";
	long pid = 0;

	if (!owner || sscanf(owner, "%63s %ld", host, &pid) != 2 || pid <= 0 ||
	    pid == (long)getpid())
		return false;
	if (gethostname(mine, sizeof(mine) - 1) < 0)
		return false;
	mine[strcspn(mine, " ")] = '\0';
	return streq(host, mine) && kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* Takes issuer's lease for owner when it is free, ran out, or its holder
 * on this host died.  *ret_got. */
static int lease_take(struct db *db, const char *issuer, const char *owner, bool *ret_got)
{
	_cleanup_free_ char *other = NULL;
	int64_t now = now_sec();
	int r;

	*ret_got = false;
	r = db_begin(db);
	if (r < 0)
		return r;
	r = db_run(db, "INSERT INTO crl_work (issuer, changes, changed_at) VALUES ($1, 0, 0)"
		       " ON CONFLICT (issuer) DO NOTHING", "t", issuer);
	if (r >= 0)
		r = db_run(db, "UPDATE crl_work SET lease_owner = $2, lease_until = $3"
			       " WHERE issuer = $1 AND (lease_owner IS NULL OR lease_until < $4"
			       " OR lease_owner = $2)", "ttii", issuer, owner, now + CRL_LEASE, now);
	if (r == 0) {
		_cleanup_stmt_ struct db_stmt *st = NULL;

		r = db_query_one(db, &st, "SELECT lease_owner FROM crl_work WHERE issuer = $1",
				 "t", issuer);
		if (r == 0 && db_col_text(st, 0)) {
			other = strdup(db_col_text(st, 0));
			r = other ? 0 : -ENOMEM;
		}
		db_stmt_done(TAKE_PTR(st));
		if (r == 0 && owner_dead(other))
			r = db_run(db, "UPDATE crl_work SET lease_owner = $2, lease_until = $3"
				       " WHERE issuer = $1 AND lease_owner = $4", "ttit", issuer,
				   owner, now + CRL_LEASE, other);
	}
	if (r >= 0)
		*ret_got = r == 1;
	return db_end(db, r < 0 ? r : 0);
}

static int lease_drop(struct db *db, const char *issuer, const char *owner)
{
	int r = db_run(db, "UPDATE crl_work SET lease_owner = NULL, lease_until = NULL"
			   " WHERE issuer = $1 AND lease_owner = $2", "tt", issuer, owner);

	return r < 0 ? r : 0;
}

/* The snapshot read: crl_work.changes first, then the current number, then
 * every held and revoked certificate of issuer in serial order, into b. */
static int snapshot_read(struct db *db, struct pki_ca *ca, const char *issuer, int64_t validity,
			 int64_t *ret_changes, int64_t *ret_number,
			 struct pki_crl_builder **ret_b)
{
	_cleanup_(pki_crl_builder_freep) struct pki_crl_builder *b = NULL;
	char last[72] = "";	/* serials are stored with at most 64 digits */
	int64_t changes = 0, number = 0, last_len = 0, page, now = now_sec();
	size_t rows;
	int r;

	r = db_query_int64(db, "SELECT changes FROM crl_work WHERE issuer = $1", "t", &changes,
			   issuer);
	if (r == -ENOENT)
		r = 0;
	if (r == 0)
		r = db_query_int64(db, "SELECT number FROM crl_state WHERE issuer = $1", "t",
				   &number, issuer);
	if (r == -ENOENT)
		r = 0;
	if (r == 0)
		r = pki_crl_builder_new(ca, (uint64_t)number + 1, now, now + validity, &b);
	page = streq(db_backend_name(db), "sqlite") ? CRL_PAGE_SQLITE : CRL_PAGE;
	do {
		_cleanup_stmt_ struct db_stmt *st = NULL;

		rows = 0;
		if (r == 0)
			r = db_select(db, &st, "SELECT serial, revoked_at, reason, length(serial)"
					       " FROM certificates WHERE issuer = $1"
					       " AND status <> 'active'"
					       " AND (length(serial), serial) > ($2, $3)"
					       " ORDER BY length(serial), serial LIMIT $4",
				      "titi", issuer, last_len, last, page);
		while (r == 0 && (r = db_step(st)) == 1) {
			const char *serial = db_col_text(st, 0);

			r = pki_crl_builder_add(b, serial, db_col_int64(st, 1),
						(int)db_col_int64(st, 2));
			if (r == 0) {
				last_len = db_col_int64(st, 3);
				if (last_len < 0 || (size_t)last_len >= sizeof(last))
					r = -EUCLEAN;
				else
					memcpy(last, serial, (size_t)last_len + 1);
				rows++;
			}
		}
	} while (r == 0 && (int64_t)rows == page);
	if (r < 0)
		return r;
	*ret_changes = changes;
	*ret_number = number;
	*ret_b = TAKE_PTR(b);
	return 0;
}

/* The CRL's bytes are stored in chunks (crl_chunks), each written in a
 * transaction of its own: a 41 MB CRL in one row held SQLite's write lock
 * for up to a second, and every status change and ceremony waited. */
#define CRL_CHUNK (1024 * 1024)

/* Deletes the chunks of build, one chunk per statement. */
static void chunks_drop(struct db *db, const char *build)
{
	for (int64_t i = 0;; i++)
		if (db_run(db, "DELETE FROM crl_chunks WHERE build = $1 AND seq = $2", "ti", build,
			   i) <= 0)
			break;
}

/* Writes der as the chunks of a new build; *ret its id (32 hex digits). */
static int chunks_put(struct db *db, const char *issuer, const unsigned char *der, size_t n,
		      char ret[33])
{
	unsigned char rnd[16];
	int64_t now = now_sec();
	int64_t seq = 0;
	int r;

	r = random_bytes(rnd, sizeof(rnd));
	if (r < 0)
		return r;
	hex_encode(rnd, sizeof(rnd), ret);
	/* Chunks a builder that died left behind (none is current). */
	r = db_run(db, "DELETE FROM crl_chunks WHERE created_at < $1 AND build NOT IN"
		       " (SELECT build FROM crl_state WHERE build IS NOT NULL)", "i",
		   now - 2 * CRL_LEASE);
	for (size_t off = 0; r >= 0 && off < n; off += CRL_CHUNK, seq++) {
		_cleanup_stmt_ struct db_stmt *st = NULL;

		r = db_prepare(db, "INSERT INTO crl_chunks (issuer, build, seq, bytes, created_at)"
				   " VALUES ($1, $2, $3, $4, $5)", &st);
		if (r == 0)
			r = db_bindv(st, "tti", issuer, ret, seq);
		if (r == 0)
			r = db_bind_blob(st, 4, der + off, MIN((size_t)CRL_CHUNK, n - off));
		if (r == 0)
			r = db_bind_int64(st, 5, now);
		if (r == 0)
			while ((r = db_step(st)) == 1)
				;
	}
	if (r < 0)
		chunks_drop(db, ret);
	return r < 0 ? r : 0;
}

/* Stores der as number if the current CRL is still number - 1, with the
 * changes it lists, and gives up the lease.  -ESTALE when another node
 * published meanwhile.  The bytes go in first, chunk by chunk; one short
 * transaction then makes them the current CRL; the old CRL's chunks go
 * after it, chunk by chunk. */
static int store_crl(struct db *db, const char *issuer, const char *owner, int64_t number,
		     int64_t changes, int64_t this_update, int64_t next_update,
		     const unsigned char *der, size_t n)
{
	_cleanup_free_ char *lock = strdup_printf("crl:%s", issuer), *old = NULL;
	_cleanup_stmt_ struct db_stmt *st = NULL;
	char build[33];
	int64_t cur = 0;
	int r;

	if (!lock)
		return -ENOMEM;
	r = chunks_put(db, issuer, der, n, build);
	if (r < 0)
		return r;
	r = db_begin(db);
	if (r < 0) {
		chunks_drop(db, build);
		return r;
	}
	r = db_lock(db, lock);
	if (r == 0)
		r = db_query_one(db, &st, "SELECT number, build FROM crl_state WHERE issuer = $1", "t",
				 issuer);
	if (r == 0) {
		cur = db_col_int64(st, 0);
		if (db_col_text(st, 1) && !(old = strdup(db_col_text(st, 1))))
			r = -ENOMEM;
	}
	db_stmt_done(TAKE_PTR(st));
	if (r == -ENOENT)
		r = 0;
	if (r == 0 && cur != number - 1)
		r = -ESTALE;
	if (r == 0)
		r = db_prepare(db, "INSERT INTO crl_state (issuer, number, this_update, next_update,"
				   " der, changes, build) VALUES ($1, $2, $3, $4, $5, $6, $7)"
				   " ON CONFLICT (issuer) DO UPDATE SET number = $2, this_update = $3,"
				   " next_update = $4, der = $5, changes = $6, build = $7", &st);
	if (r == 0)
		r = db_bindv(st, "tiii", issuer, number, this_update, next_update);
	if (r == 0)
		r = db_bind_blob(st, 5, "", 0);	/* the bytes are the build's chunks */
	if (r == 0)
		r = db_bind_int64(st, 6, changes);
	if (r == 0)
		r = db_bind_text(st, 7, build);
	if (r == 0)
		while ((r = db_step(st)) == 1)
			;
	db_stmt_done(TAKE_PTR(st));
	if (r == 0)
		r = lease_drop(db, issuer, owner);
	if (r == 0) {
		char payload[CERT_ISSUER_MAX + 24];

		snprintf(payload, sizeof(payload), "%s %lld", issuer, (long long)number);
		r = db_notify(db, CRL_CHANNEL, payload);
	}
	r = db_end(db, r);
	if (r < 0)
		chunks_drop(db, build);
	else if (old)
		chunks_drop(db, old);
	return r;
}

struct crl_job {
	struct db *db;
	struct pki_ca *ca;
	char issuer[CERT_ISSUER_MAX], owner[OWNER_MAX];
	int64_t validity, changes, number, now;
	unsigned char *der;
	size_t n;
};

static int job_new(struct db *db, struct pki_ca *ca, const char *issuer, const char *owner,
		   int64_t validity, struct crl_job **ret)
{
	struct crl_job *j = calloc(1, sizeof(*j));

	if (!j)
		return -ENOMEM;
	j->db = db;
	j->ca = ca;
	snprintf(j->issuer, sizeof(j->issuer), "%s", issuer);
	snprintf(j->owner, sizeof(j->owner), "%s", owner);
	j->validity = validity;
	*ret = j;
	return 0;
}

int crl_job_build(struct crl_job *j)
{
	_cleanup_(pki_crl_builder_freep) struct pki_crl_builder *b = NULL;
	int r;

	j->now = now_sec();
	r = db_begin_read(j->db);
	if (r < 0)
		return r;
	r = snapshot_read(j->db, j->ca, j->issuer, j->validity, &j->changes, &j->number, &b);
	db_rollback(j->db);	/* read only: nothing to keep */
	if (r == 0)
		r = pki_crl_builder_finish(b, &j->der, &j->n);
	return r;
}

int crl_job_finish(struct crl_job *j, int r, int64_t *ret_number)
{
	if (!j)
		return r;
	if (r == 0)
		r = store_crl(j->db, j->issuer, j->owner, j->number + 1, j->changes, j->now,
			      j->now + j->validity, j->der, j->n);
	if (r < 0)
		(void)lease_drop(j->db, j->issuer, j->owner);
	if (r == 0 && ret_number)
		*ret_number = j->number + 1;
	free(j->der);
	free(j);
	return r;
}

/* One build under the lease owner holds: snapshot, sign, store; the lease
 * is given up whatever happens. */
static int build_leased(struct db *db, struct pki_ca *ca, const char *issuer, const char *owner,
			int64_t validity, int64_t *ret_number)
{
	struct crl_job *j = NULL;
	int r = job_new(db, ca, issuer, owner, validity, &j);

	if (r < 0) {
		(void)lease_drop(db, issuer, owner);
		return r;
	}
	return crl_job_finish(j, crl_job_build(j), ret_number);
}

int crl_publish(struct db *db, struct pki_ca *ca, int64_t validity, int64_t *ret_number)
{
	char issuer[CERT_ISSUER_MAX], owner[OWNER_MAX];
	int64_t deadline = now_sec() + CRL_LEASE;
	bool got = false;
	int r;

	r = crl_issuer_of(ca, issuer);
	if (r == 0)
		r = owner_new(owner);
	for (int tries = 0; r == 0; tries++) {
		r = lease_take(db, issuer, owner, &got);
		if (r < 0)
			return r;
		if (got) {
			r = build_leased(db, ca, issuer, owner, validity, ret_number);
			if (r != -ESTALE || tries > 3)
				return r;
			r = 0;
			continue;
		}
		if (now_sec() > deadline)
			return -EBUSY;
		/* Another node is building: wait for it, then build anew. */
		nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000000L }, NULL);
	}
	return r;
}

int crl_pending(struct db *db, const char *issuer, bool *ret)
{
	int64_t want = 0, have = -1;
	int r;

	r = db_query_int64(db, "SELECT changes FROM crl_work WHERE issuer = $1", "t", &want,
			   issuer);
	if (r < 0 && r != -ENOENT)
		return r;
	r = db_query_int64(db, "SELECT changes FROM crl_state WHERE issuer = $1", "t", &have,
			   issuer);
	if (r < 0 && r != -ENOENT)
		return r;
	*ret = want > have;
	return 0;
}

int crl_job_start(struct db *db, struct pki_ca *ca, int64_t validity, int64_t min_interval,
		  struct crl_job **ret)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	char issuer[CERT_ISSUER_MAX], owner[OWNER_MAX];
	int64_t now = now_sec(), this = 0, next = 0, have = 0, want = 0;
	bool due, got = false;
	int r;

	*ret = NULL;
	r = crl_issuer_of(ca, issuer);
	if (r < 0)
		return r;
	r = db_query_one(db, &st, "SELECT this_update, next_update, changes FROM crl_state"
				  " WHERE issuer = $1", "t", issuer);
	if (r == 0) {
		this = db_col_int64(st, 0);
		next = db_col_int64(st, 1);
		have = db_col_int64(st, 2);
	}
	db_stmt_done(TAKE_PTR(st));
	if (r < 0 && r != -ENOENT)
		return r;
	due = r == -ENOENT || now >= next - (next - this) / 2;
	if (!due && min_interval >= 0 && now >= this + min_interval) {
		r = db_query_int64(db, "SELECT changes FROM crl_work WHERE issuer = $1", "t",
				   &want, issuer);
		if (r < 0 && r != -ENOENT)
			return r;
		due = want > have;
	}
	if (!due)
		return 0;
	r = owner_new(owner);
	if (r == 0)
		r = lease_take(db, issuer, owner, &got);
	if (r < 0 || !got)
		return r;
	r = job_new(db, ca, issuer, owner, validity, ret);
	if (r < 0)
		(void)lease_drop(db, issuer, owner);
	return r;
}

int crl_rebuild_if_due(struct db *db, struct pki_ca *ca, int64_t validity, int64_t min_interval,
		       int64_t *ret_number)
{
	struct crl_job *j = NULL;
	int r;

	*ret_number = 0;
	r = crl_job_start(db, ca, validity, min_interval, &j);
	if (r < 0 || !j)
		return r;
	r = crl_job_finish(j, crl_job_build(j), ret_number);
	if (r == -ESTALE) {
		*ret_number = 0;
		return 0;	/* another node published meanwhile */
	}
	return r;
}

int crl_refresh_if_due(struct db *db, struct pki_ca *ca, int64_t validity, bool *ret_published)
{
	int64_t number = 0;
	int r = crl_rebuild_if_due(db, ca, validity, -1, &number);

	*ret_published = r == 0 && number > 0;
	return r;
}

/* The DER of the CRL the statement's rows carry: its chunks in order, or
 * (a CRL stored before migration 016) the der column of its one row. */
static int crl_rows_der(struct db_stmt *st, unsigned char **ret, size_t *ret_n,
			int64_t *ret_number, int64_t *ret_next_update)
{
	_cleanup_free_ unsigned char *buf = NULL;
	size_t len = 0, cap = 0;
	int r;

	for (bool first = true; (r = db_step(st)) == 1; first = false) {
		const void *p;
		size_t n = 0;

		if (first) {
			if (ret_number)
				*ret_number = db_col_int64(st, 2);
			if (ret_next_update)
				*ret_next_update = db_col_int64(st, 3);
		}
		p = db_col_blob(st, 1, &n);
		if (first && db_col_is_null(st, 1))
			p = db_col_blob(st, 0, &n);
		if (!p || n == 0)
			return -EUCLEAN;
		if (len + n > cap) {
			size_t c = MAX(cap * 2, len + n);
			unsigned char *q = realloc(buf, c);

			if (!q)
				return -ENOMEM;
			buf = q;
			cap = c;
		}
		memcpy(buf + len, p, n);
		len += n;
	}
	if (r < 0)
		return r;
	if (len == 0)
		return -ENOENT;	/* published and replaced between our two looks */
	*ret = TAKE_PTR(buf);
	*ret_n = len;
	return 0;
}

int crl_current(struct db *db, const char *issuer, unsigned char **ret_der, size_t *ret_n,
		int64_t *ret_number, int64_t *ret_next_update)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	int r;

	if (issuer)
		r = db_query_one(db, &st, "SELECT number, next_update, issuer FROM crl_state"
					  " WHERE issuer = $1", "t", issuer);
	else
		r = db_query_one(db, &st, "SELECT number, next_update, issuer FROM crl_state"
					  " ORDER BY this_update DESC, issuer LIMIT 1", NULL);
	if (r < 0)
		return r;
	if (ret_number)
		*ret_number = db_col_int64(st, 0);
	if (ret_next_update)
		*ret_next_update = db_col_int64(st, 1);
	if (!ret_der)
		return 0;	/* only whether there is one: the DER is not even read */
	{
		_cleanup_free_ char *is = strdup(db_col_text(st, 2));
		_cleanup_stmt_ struct db_stmt *rows = NULL;

		db_stmt_done(TAKE_PTR(st));
		if (!is)
			return -ENOMEM;
		/* One statement, one snapshot: the number and the bytes agree
		 * even when a new CRL replaces this one meanwhile. */
		r = db_select(db, &rows, "SELECT s.der, c.bytes, s.number, s.next_update"
					 " FROM crl_state s"
					 " LEFT JOIN crl_chunks c ON c.build = s.build"
					 " WHERE s.issuer = $1 ORDER BY c.seq", "t", is);
		if (r < 0)
			return r;
		r = crl_rows_der(rows, ret_der, ret_n, ret_number, ret_next_update);
	}
	return r;
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

int crl_times(struct db *db, const char *issuer, int64_t *ret_number, int64_t *ret_this_update,
	      int64_t *ret_next_update)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	int r;

	r = db_query_one(db, &st, "SELECT number, this_update, next_update FROM crl_state"
				  " WHERE issuer = $1", "t", issuer);
	if (r < 0)
		return r;
	*ret_number = db_col_int64(st, 0);
	*ret_this_update = db_col_int64(st, 1);
	*ret_next_update = db_col_int64(st, 2);
	return 0;
}
