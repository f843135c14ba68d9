/* password.h - Şifreli Giriş: T.C. Kimlik No + güvenlik sözcüğü.
 *
 * The word is stored only as a memory-hard hash (scrypt, OpenSSL) in
 * holder_secrets and compared in constant time.  Failed attempts are
 * counted per holder (whether or not the T.C. Kimlik No is known) and per
 * client address; from the [password] max_failures-th failure on, each
 * further failure locks Şifreli Giriş for a growing time (lockout_base,
 * doubled each time, at most lockout_max).  An unknown holder, a holder
 * without a word and a wrong word get the same answer after the same work
 * (a dummy hash is checked), so the answer tells no one who is a holder.
 * Every attempt is in the audit log. */
#pragma once
#include "common/config.h"
#include "domain/refusal.h"
#include "store/db.h"

/* A stored form with password_hash()'s parameters that no word matches:
 * checked when there is nothing to check, so that the answer takes the
 * same work (scrypt) as a real check. */
#define PASSWORD_DUMMY_HASH                                           \
	"scrypt$15$8$1$00000000000000000000000000000000$"             \
	"0000000000000000000000000000000000000000000000000000000000000000"

/* The stored form of word: "scrypt$LOGN$R$P$SALT$HASH" (malloc'ed). */
int password_hash(const char *word, char **ret);
/* Whether word matches stored (constant time in the hash); false for a
 * malformed stored value. */
bool password_verify(const char *word, const char *stored);

/* Sets (or replaces) the holder's word; actor is who did it ("operator",
 * "holder:TCKN"), audited.  Refused holder_unknown; a word shorter than 8
 * or longer than 128 bytes is -EINVAL. */
int password_set(struct db *db, const char *tckn, const char *word, const char *actor,
		 enum refusal *ret_refusal);

/* A Şifreli Giriş attempt from client_addr by the browser whose session
 * hash is web_hash.  When the word is right, in one transaction: the
 * holder's failure counter is reset, the browser is logged in under a new
 * session id (*ret_id, the new cookie value, secret; the old session
 * ends: websession_login_password) and the login is audited.  Refusals:
 * login_failed (unknown holder, no word set, wrong word: one answer,
 * counted), login_locked (*ret_retry_after: seconds until the lock ends;
 * the word is not checked), session_closed (the browser session ended
 * meanwhile).  Every attempt is audited. */
int password_login(struct db *db, const struct config *cfg, const char *tckn, const char *word,
		   const char *client_addr, const char *web_hash, char **ret_id,
		   enum refusal *ret_refusal, int64_t *ret_retry_after);

/* Housekeeping: deletes the failure counters (login_failures) that are
 * not locked and saw no failure for password.lockout_max seconds - the
 * ones attempt counting forgets anyway; an unknown T.C. Kimlik No or an
 * address tried once does not stay for ever.  *ret_n: how many went. */
int password_purge(struct db *db, const struct config *cfg, int64_t *ret_n);

/* Whether the holder has a word set. */
int password_is_set(struct db *db, const char *tckn, bool *ret);
