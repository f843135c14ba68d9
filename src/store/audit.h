/* audit.h - the keyed, anchored, hash-chained audit log. */
#pragma once
#include "store/db.h"

/* Gives the audit module its key, derived here from the master key
 * (HMAC-SHA256(master, "eonay audit v1"); the master key itself is not
 * kept).  The key is not in the database: eonayd and eonayctl call this once
 * at start, before any thread appends.  -EIO when the derivation fails. */
int audit_set_key(const unsigned char master_key[32]);
/* Forgets the key (cleansed); appends then fail with -ENOKEY. */
void audit_clear_key(void);

/* Appends one event in its own transaction (or inside the caller's when
 * one is open: pass in_tx = true), under db_lock(db, "audit"): the next id
 * is the head's id + 1, the row carries its SHA-256 link and an HMAC under
 * the audit key, and the head (audit_head) moves in the same transaction.
 * actor: who ("holder:TCKN", "operator", "system", "client:ADDR"); action:
 * dotted name ("session.create"); outcome: "ok", "refused", "error";
 * subject and details (JSON text) may be NULL.  Never put a secret in any
 * field.  The audit lock is held from here to the commit: append last in
 * a transaction, after any other db_lock (one order everywhere: no
 * deadlock between nodes).  -ENOKEY when no key was set, -EUCLEAN when the
 * head is missing, its MAC is missing or wrong (another master key?) or
 * the chain was never sealed: a new store's empty head too, until
 * audit_seal(db, true, ...) sealed it. */
int audit_append(struct db *db, bool in_tx, const char *actor, const char *action,
		 const char *subject, const char *outcome, const char *details);

/* What audit_check found; audit_fault_str() explains it in English. */
enum audit_fault {
	AUDIT_INTACT = 0,
	AUDIT_ID_GAP,		/* bad_id: the id expected next is missing */
	AUDIT_LINK,		/* bad_id's prev_hash is not the previous hash */
	AUDIT_HASH,		/* bad_id's fields do not give its hash */
	AUDIT_MAC_MISSING,	/* bad_id carries no MAC */
	AUDIT_MAC,		/* bad_id's MAC is wrong */
	AUDIT_HEAD_MISSING,	/* no audit_head row */
	AUDIT_HEAD_MAC,		/* the head's MAC is missing or wrong */
	AUDIT_BEYOND_HEAD,	/* bad_id lies after the head's id */
	AUDIT_TAIL_MISSING,	/* events bad_id..head_id are missing */
	AUDIT_HEAD_HASH,	/* the head's hash is not event bad_id's hash */
	AUDIT_CHECKPOINT_MISSING, /* the chain ends before the checkpoint */
	AUDIT_CHECKPOINT_MAC,	/* event bad_id does not match the checkpoint */
	AUDIT_RESEAL,		/* unsealed events after the chain was sealed */
};
const char *audit_fault_str(enum audit_fault f);

struct audit_report {
	enum audit_fault fault;
	int64_t rows;		/* events that verified (all of them when intact) */
	int64_t bad_id;		/* the first bad event (see enum audit_fault) */
	int64_t head_id;	/* the head's last id (0 when missing) */
};

/* A head as printed by `eonayctl audit head` and logged by eonayd: the id
 * and MAC of the newest event when it was taken, "ID:MAC" as text. */
struct audit_checkpoint {
	int64_t id;
	char mac[65];
};
/* Parses "ID:MAC" (MAC 64 hex digits).  -EINVAL when malformed. */
int audit_checkpoint_parse(const char *s, struct audit_checkpoint *ret);

/* Walks the whole chain and its head in one snapshot: consecutive ids from
 * 1, every link, hash and MAC, the head's MAC and that it names the last
 * event; with cp, also that event cp->id is still there with that head
 * MAC.  0 when intact, -EUCLEAN with ret->fault otherwise, -ENOKEY without
 * a key, other -errno on failure. */
int audit_check(struct db *db, const struct audit_checkpoint *cp, struct audit_report *ret);

/* audit_check without a checkpoint: 0 with the number of events, or
 * -EUCLEAN with the id of the first bad event. */
int audit_verify(struct db *db, int64_t *ret_rows, int64_t *ret_bad_id);

/* The current head (its MAC verified): what an operator keeps outside the
 * store as a checkpoint.  -EUCLEAN when missing or forged, -ENOKEY. */
int audit_head_get(struct db *db, struct audit_checkpoint *ret);

/* The schema version whose migration (sql/004) made the chain keyed. */
#define AUDIT_KEYED_SCHEMA 4

/* One-time upgrade of a chain written before the audit key existed (rows
 * and head without MAC, as migration 004 leaves them): verifies the
 * unkeyed chain against its head, then MACs every such row and the head
 * and appends an "audit.seal" event, in one transaction.  A new store's
 * empty head is sealed the same way (no event).  *ret_sealed is the number
 * of rows sealed (0 when there was nothing to do).
 *
 * upgrade: the store's schema was below AUDIT_KEYED_SCHEMA when this
 * process opened it (a new store is at 0), i.e. this process's migration
 * made it keyed.  Only then is anything sealed: in a store that was
 * already keyed, a head or rows without MAC mean the MACs were stripped
 * (which would otherwise get a rewritten or emptied chain sealed as "old"),
 * and are refused (AUDIT_RESEAL for rows, AUDIT_HEAD_MAC for the head).
 * A sealed head: nothing to do, whatever upgrade says.  Refuses (-EUCLEAN,
 * ret with the fault) a chain that does not verify, MACs that are wrong,
 * or unsealed rows after sealed ones or after a previous seal. */
int audit_seal(struct db *db, bool upgrade, int64_t *ret_sealed, struct audit_report *ret);
