/* applications.c - the applications table (see applications.h). */
#include "domain/applications.h"

#include <stdio.h>

int application_list(struct db *db, const char *tckn, struct application **ret, size_t *ret_n)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	struct application *a = NULL;
	size_t n = 0;
	int r;

	if (tckn)
		r = db_select(db, &st, "SELECT id, kind, state, created_at, updated_at, tckn"
				       " FROM applications WHERE tckn = $1 ORDER BY created_at DESC, id",
			      "t", tckn);
	else
		r = db_select(db, &st, "SELECT id, kind, state, created_at, updated_at, tckn"
				       " FROM applications ORDER BY created_at DESC, id", "");
	if (r < 0)
		return r;
	while ((r = db_step(st)) == 1) {
		struct application *na = realloc(a, (n + 1) * sizeof(*a));

		if (!na) {
			r = -ENOMEM;
			break;
		}
		a = na;
		snprintf(a[n].id, sizeof(a[n].id), "%s", db_col_text(st, 0));
		snprintf(a[n].kind, sizeof(a[n].kind), "%s", db_col_text(st, 1));
		snprintf(a[n].state, sizeof(a[n].state), "%s", db_col_text(st, 2));
		a[n].created_at = db_col_int64(st, 3);
		a[n].updated_at = db_col_int64(st, 4);
		snprintf(a[n].tckn, sizeof(a[n].tckn), "%s", db_col_text(st, 5));
		n++;
	}
	if (r < 0) {
		free(a);
		return r;
	}
	*ret = a;
	*ret_n = n;
	return 0;
}

int application_add(struct db *db, const char *tckn, const char *kind, const char *state,
		    char ret_id[33])
{
	unsigned char b[16];
	int64_t now = now_sec();
	int r;

	r = random_bytes(b, sizeof(b));
	if (r < 0)
		return r;
	hex_encode(b, sizeof(b), ret_id);
	r = db_run(db, "INSERT INTO applications (id, tckn, kind, state, created_at, updated_at)"
		       " VALUES ($1, $2, $3, $4, $5, $5)", "tttti", ret_id, tckn, kind, state, now);
	if (r == -EEXIST || r == -EIO)
		return -EINVAL;
	return r < 0 ? r : 0;
}
