/* cards.h - the holder's cards: every token of every configured PKCS#11
 * module, the certificates on them, which one fits a session, and signing
 * the session's texts with it.  Part of libeimza-core (no GTK).
 *
 * Not thread-safe: use a struct eimza_cards from one thread at a time
 * (the window hands it to one worker thread per operation). */
#pragma once
#include <jansson.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>

#include "eimza/core/config.h"
#include "eimza/core/session.h"
#include "pki/p11.h"
#include "pki/profile.h"

struct eimza_cert {
	size_t module;		/* index in eimza_cards.ctx */
	const char *module_path;
	const char *token_label;	/* the card's label ("DEMO-0001") */
	X509 *cert;		/* borrowed from the module's list */
	bool holder;		/* a NES holder certificate of our profile */
	struct pki_holder_info info;	/* when holder */
	char tckn_masked[12];	/* "100******46" */
	bool expired;		/* not valid now (before or after) */
	bool fits;		/* holder, valid now, T.C. Kimlik No fits the session */
};

struct eimza_cards {
	struct p11_ctx *ctx[EIMZA_MODULES_MAX];
	const char *module_path[EIMZA_MODULES_MAX];
	struct p11_cert_info *infos[EIMZA_MODULES_MAX];
	size_t n_infos[EIMZA_MODULES_MAX];
	size_t n_modules;	/* modules opened */
	size_t n_tokens;	/* initialised tokens (cards) present */
	struct eimza_cert *certs;	/* end-entity certificates, card by card */
	size_t n_certs;
};

/* Opens every module of cfg (those that load; a module that does not is
 * skipped) and reads the certificates of every card.  tckn_masked (NULL:
 * none) is the session's masked T.C. Kimlik No, for .fits.  <0 with err
 * EIMZA_FAIL_NO_MODULE (no module loads) or EIMZA_FAIL_NO_CARD (no
 * card).  Call again after eimza_cards_done() to see a card inserted
 * since ("Tekrar Dene"). */
int eimza_cards_open(const struct eimza_config *cfg, const char *tckn_masked,
		     struct eimza_cards *ret, struct eimza_error *err);
void eimza_cards_done(struct eimza_cards *c);

/* Marks the certificates that fit a session's masked T.C. Kimlik No
 * (NULL: any holder certificate valid now) and returns how many do.
 * eimza_cards_open() with NULL, then this once the session is claimed:
 * the cards are checked before the code is. */
size_t eimza_cards_fit(struct eimza_cards *c, const char *tckn_masked);

/* The certificate to preselect: the only fitting one (on the card
 * labelled token when not NULL).  -ENOENT with err EIMZA_FAIL_NO_CERT when
 * none fits, -EEXIST when several do (the holder chooses). */
int eimza_cards_pick(const struct eimza_cards *c, const char *token, size_t *ret,
		     struct eimza_error *err);

/* Logs into the certificate's card with pin and signs every text of
 * texts (a JSON array of strings) as CAdES, with the CA certificates of
 * the same card in each signature.  *ret_sigs: array of base64 CMS.
 * <0 with err: EIMZA_FAIL_PIN_WRONG (err->pin_flags tell the tries
 * left), EIMZA_FAIL_PIN_LOCKED, EIMZA_FAIL_CARD.  The caller wipes pin. */
int eimza_cards_sign(struct eimza_cards *c, size_t cert, const char *pin, json_t *texts,
		     json_t **ret_sigs, struct eimza_error *err);
