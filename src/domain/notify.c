/* notify.c - the outbox (see notify.h): queueing in the acts'
 * transactions, claiming with a lease, the spool directory. */
#include "domain/notify.h"

#include <stdio.h>
#include <time.h>

static int new_id(char ret[33])
{
	unsigned char b[16];
	int r = random_bytes(b, sizeof(b));

	if (r < 0)
		return r;
	hex_encode(b, sizeof(b), ret);
	return 0;
}

int notify_queue(struct db *db, const char *tckn, const char *channel, const char *recipient,
		 const char *subject, const char *body)
{
	char id[33];
	int64_t now = now_sec();
	int r;

	r = new_id(id);
	if (r < 0)
		return r;
	r = db_run(db, "INSERT INTO outbox (id, tckn, channel, recipient, subject, body, state,"
		       " attempts, next_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0,"
		       " $7, $7)", "tttttti", id, tckn, channel, recipient, subject, body, now);
	return r < 0 ? r : 0;
}

int notify_holder(struct db *db, const char *tckn, const char *subject, const char *body,
		  int64_t *ret_n)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	_cleanup_free_ char *email = NULL, *mobile = NULL, *chan = NULL;
	int64_t n = 0;
	bool by_mail, by_sms;
	int r;

	r = db_query_one(db, &st, "SELECT email, mobile, info_channel FROM holders WHERE tckn = $1",
			 "t", tckn);
	if (r < 0)
		return r;
	email = db_col_text(st, 0) && *db_col_text(st, 0) ? strdup(db_col_text(st, 0)) : NULL;
	mobile = db_col_text(st, 1) && *db_col_text(st, 1) ? strdup(db_col_text(st, 1)) : NULL;
	chan = db_col_text(st, 2) ? strdup(db_col_text(st, 2)) : NULL;
	db_stmt_done(TAKE_PTR(st));
	if (!chan) {
		by_mail = email != NULL;
		by_sms = !email;
	} else {
		by_mail = streq(chan, "email") || streq(chan, "both");
		by_sms = streq(chan, "sms") || streq(chan, "both");
	}
	if (by_mail && email) {
		r = notify_queue(db, tckn, "email", email, subject, body);
		if (r < 0)
			return r;
		n++;
	}
	if (by_sms && mobile) {
		r = notify_queue(db, tckn, "sms", mobile, subject, body);
		if (r < 0)
			return r;
		n++;
	}
	if (ret_n)
		*ret_n = n;
	return 0;
}

void notify_msg_free_array(struct notify_msg *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++) {
		free(a[i].recipient);
		free(a[i].subject);
		free(a[i].body);
	}
	free(a);
}

int notify_claim(struct db *db, size_t max, int64_t lease, char ret_token[33],
		 struct notify_msg **ret, size_t *ret_n)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	struct notify_msg *a = NULL;
	int64_t now = now_sec();
	size_t n = 0;
	int r;

	r = new_id(ret_token);
	if (r < 0)
		return r;
	/* The conditions are repeated on the outer UPDATE: PostgreSQL
	 * re-checks them on a row another node claimed meanwhile. */
	r = db_run(db, "UPDATE outbox SET lease_token = $1, lease_until = $2"
		       " WHERE state = 'pending' AND next_at <= $3"
		       " AND (lease_until IS NULL OR lease_until < $3)"
		       " AND id IN (SELECT id FROM outbox WHERE state = 'pending' AND next_at <= $3"
		       " AND (lease_until IS NULL OR lease_until < $3) ORDER BY next_at LIMIT $4)",
		   "tiii", ret_token, now + lease, now, (int64_t)max);
	if (r < 0)
		return r;
	*ret = NULL;
	*ret_n = 0;
	if (r == 0)
		return 0;
	r = db_select(db, &st, "SELECT id, channel, recipient, subject, body, attempts, created_at"
			       " FROM outbox WHERE lease_token = $1 ORDER BY created_at", "t",
		      ret_token);
	if (r < 0)
		return r;
	while ((r = db_step(st)) == 1) {
		struct notify_msg *na = realloc(a, (n + 1) * sizeof(*a));

		if (!na) {
			r = -ENOMEM;
			break;
		}
		a = na;
		memset(&a[n], 0, sizeof(a[n]));
		snprintf(a[n].id, sizeof(a[n].id), "%s", db_col_text(st, 0));
		snprintf(a[n].channel, sizeof(a[n].channel), "%s", db_col_text(st, 1));
		a[n].recipient = strdup(db_col_text(st, 2));
		a[n].subject = strdup(db_col_text(st, 3));
		a[n].body = strdup(db_col_text(st, 4));
		a[n].attempts = db_col_int64(st, 5);
		a[n].created_at = db_col_int64(st, 6);
		n++;
		if (!a[n - 1].recipient || !a[n - 1].subject || !a[n - 1].body) {
			r = -ENOMEM;
			break;
		}
	}
	if (r < 0) {
		notify_msg_free_array(a, n);
		return r;
	}
	*ret = a;
	*ret_n = n;
	return 0;
}

int notify_done(struct db *db, const char *id, const char *token)
{
	int r = db_run(db, "UPDATE outbox SET state = 'sent', sent_at = $1, attempts = attempts + 1,"
			   " lease_token = NULL, lease_until = NULL, last_error = NULL"
			   " WHERE id = $2 AND lease_token = $3", "itt", now_sec(), id, token);

	return r < 0 ? r : 0;
}

int notify_failed(struct db *db, const char *id, const char *token, const char *error)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	int64_t attempts, delay;
	int r;

	r = db_query_one(db, &st, "SELECT attempts FROM outbox WHERE id = $1 AND lease_token = $2",
			 "tt", id, token);
	if (r == -ENOENT)
		return 0;	/* the lease ran out: the next claim decides */
	if (r < 0)
		return r;
	attempts = db_col_int64(st, 0) + 1;
	db_stmt_done(TAKE_PTR(st));
	/* 30 s, 1 min, 2 min, ... at most an hour. */
	delay = attempts >= 8 ? 3600 : MIN((int64_t)30 << (attempts - 1), 3600);
	r = db_run(db, "UPDATE outbox SET attempts = $1, next_at = $2, state = $3,"
		       " lease_token = NULL, lease_until = NULL, last_error = $4"
		       " WHERE id = $5 AND lease_token = $6",
		   "iitttt", attempts, now_sec() + delay,
		   attempts >= NOTIFY_MAX_ATTEMPTS ? "failed" : "pending", error, id, token);
	return r < 0 ? r : 0;
}

int notify_spool_write(const char *dir, const struct notify_msg *m)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	char date[40];
	struct tm tm;
	time_t t = (time_t)m->created_at;
	int r;

	r = mkdir_p(dir, 0700);
	if (r < 0)
		return r;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	path = strdup_printf("%s/%s.msg", dir, m->id);
	text = strdup_printf("Id: %s\nChannel: %s\nTo: %s\nDate: %s\nSubject: %s\n\n%s\n", m->id,
			     m->channel, m->recipient, date, m->subject, m->body);
	if (!path || !text)
		return -ENOMEM;
	return write_file_atomic(path, text, strlen(text), 0600);
}

int notify_purge(struct db *db, int64_t before, int64_t *ret_n)
{
	int r = db_run(db, "DELETE FROM outbox WHERE state IN ('sent', 'failed') AND next_at < $1"
			   " AND created_at < $1", "i", before);

	if (r < 0)
		return r;
	if (ret_n)
		*ret_n = r;
	return 0;
}

int notify_count(struct db *db, const char *state, int64_t *ret)
{
	return db_query_int64(db, "SELECT COUNT(*) FROM outbox WHERE state = $1", "t", ret, state);
}
