/* cards.h - producing a holder's card: a PKCS#11 token with a key pair
 * generated on it and a qualified certificate issued on hold.
 *
 * The Security Officer PIN is random, set on the token, and kept only
 * sealed under the master key in the store (for PIN unblocking later). */
#pragma once
#include "common/config.h"
#include "domain/refusal.h"
#include "pki/ca.h"
#include "store/db.h"

struct card_request {
	const char *tckn;	/* the holder must be in the store */
	const char *label;	/* card serial = token label; NULL: generated */
	const char *user_pin;	/* NULL: a random 6-digit PIN */
	const char *key_spec;	/* NULL: "rsa:2048" */
	int64_t days;		/* certificate validity; 0: 730 */
	int64_t not_before;	/* when the certificate starts; 0: now (a renewal
				 * starts when the current one ends) */
	bool active;		/* release the hold at once (demo) */
};

struct card_result {
	char label[33];
	char user_pin[16];	/* the initial PIN for the PIN envelope */
	char cert_serial[65];
	char cert_issuer[65];	/* its issuer (key identifier, see certs.h) */
	char status[8];
};

/* The master key: security.master_key, else the file (created on first use). */
int master_key_load(const struct config *cfg, unsigned char ret[32]);

/* Points SoftHSM at DATA/softhsm2.conf (tokens in DATA/softhsm/tokens) when
 * SOFTHSM2_CONF is not set, creating both.  Returns the path in use. */
int softhsm_env(const struct config *cfg, const char **ret_path);

/* Produces the card and records card, certificate and audit event; the new
 * CRL is published.  The intent (label, holder, sealed SO PIN) is
 * committed before the token is made: a production stopped half-way (a
 * crash, a kill) is taken up again by a call with the same label and
 * holder, which wipes the token with that SO PIN and starts over
 * (card_intents_list() finds them).  Refusals (-EACCES): holder_unknown,
 * card_exists (the label is taken, or a stopped production of it is
 * another holder's), cert_profile (the profile refused the certificate;
 * *ret_detail says why, in English, malloc'ed).  Any other failure the
 * token's module caused leaves in *ret_detail the PKCS#11 call it refused
 * and its answer (p11_last_error()). */
int card_issue(struct db *db, struct pki_ca *ca, const struct config *cfg, const char *module,
	       const struct card_request *req, struct card_result *ret, char **ret_detail,
	       enum refusal *ret_refusal);

/* Productions that stopped half-way (card_intents), oldest first: for
 * each, cb(label, tckn, created_at, userdata); a negative return stops. */
int card_intents_list(struct db *db, int (*cb)(const char *label, const char *tckn,
					      int64_t created_at, void *userdata),
		      void *userdata);

/* Whether the SO PIN sealed for card label (cards.so_pin_sealed) is the
 * token's: an SO login (C_SetPIN to the same value).  0 yes, -EACCES no,
 * -ENOENT no such card or token. */
int card_check_so_pin(struct db *db, const struct config *cfg, const char *module,
		      const char *label);

/* The cards table. */
int card_add(struct db *db, const char *serial, const char *tckn,
	     const char *so_pin_sealed, const char *state);
/* Whether a card with this serial (token label) was produced. */
int card_exists(struct db *db, const char *serial, bool *ret);
/* The sealed SO PIN of a card; malloc'ed.  -ENOENT when unknown. */
int card_so_pin_get(struct db *db, const char *serial, char **ret_sealed);
int card_so_pin_set(struct db *db, const char *serial, const char *so_pin_sealed);
