/* audit.h - the hash-chained audit log. */
#pragma once
#include "store/db.h"

/* Appends one event in its own transaction (or inside the caller's when
 * one is open: pass in_tx = true).  actor: who ("holder:TCKN", "operator",
 * "system", "client:ADDR"); action: dotted name ("session.create");
 * outcome: "ok", "refused", "error"; subject and details (JSON text) may
 * be NULL.  Never put a secret in any field. */
int audit_append(struct db *db, bool in_tx, const char *actor, const char *action,
		 const char *subject, const char *outcome, const char *details);

/* Walks the whole chain.  Returns 0 when intact (with the number of rows),
 * -EUCLEAN with the id of the first bad row otherwise. */
int audit_verify(struct db *db, int64_t *ret_rows, int64_t *ret_bad_id);
