/* applications.h - certificate applications as the holder sees them
 * (Başvuru Durum Sorgulama).  Minimal until the application portal
 * (SPEC F6) fills and extends the table: id, holder, kind, state, times. */
#pragma once
#include "store/db.h"

struct application {
	char id[40];
	char tckn[12];
	char kind[12];		/* new, renewal, lost, other */
	char state[12];		/* received, waiting, approved, rejected, produced, shipped, delivered */
	int64_t created_at, updated_at;
};

/* The holder's applications (tckn NULL: everyone's), newest first (*ret
 * malloc'ed, may be NULL when none). */
int application_list(struct db *db, const char *tckn, struct application **ret, size_t *ret_n);

/* Records an application (for the back office and tests); *ret_id (33
 * bytes) its new id.  -EINVAL for a kind the store refuses. */
int application_add(struct db *db, const char *tckn, const char *kind, const char *state,
		    char ret_id[33]);
