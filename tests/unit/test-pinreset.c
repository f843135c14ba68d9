/* test-pinreset.c - domain/pinreset.c: the card's SO PIN given once to the
 * holder's pin-reset session, the steps in order, and a reset interrupted
 * at each step followed by one that succeeds (the card's SO PIN is never
 * lost). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "domain-fixture.h"
#include "domain/cards.h"
#include "domain/certs.h"
#include "domain/pinreset.h"
#include "domain/signing.h"
#include "pki/seal.h"

#define TCKN "10000000146"
#define OTHER "10000000078"
#define WEB "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define APP "192.0.2.9"

/* The card's confirmed SO PIN, unsealed (malloc'ed). */
static char *confirmed(struct dfx *f, const char *card)
{
	unsigned char master[32];
	char *sealed = NULL, *pin = NULL;

	assert_int_equal(master_key_load(&f->cfg, master), 0);
	assert_int_equal(card_so_pin_get(f->db, card, &sealed), 0);
	assert_int_equal(seal_open(master, card, sealed, &pin), 0);
	free(sealed);
	return pin;
}

/* The issuing CA's key identifier the test certificates name. */
#define ISSUER "00112233445566778899aabbccddeeff00112233"

static void world(struct dfx *f)
{
	unsigned char master[32];
	char *sealed = NULL;
	static unsigned char der[] = { 0x00 };
	struct cert_record c = { .issuer = ISSUER, .status = CERT_ACTIVE,
				 .subject_cn = "AHMET YILMAZ", .der = der, .der_len = sizeof(der),
				 .not_before = 0, .not_after = 4102444800 };

	/* the fixture's settings are not finished: the master key's file */
	f->cfg.master_key_file = strdup_printf("%s/master.key", f->dir);
	assert_int_equal(holder_put(f->db, TCKN, "AHMET", "YILMAZ", NULL, NULL), 0);
	assert_int_equal(holder_put(f->db, OTHER, "AYŞE", "DEMİR", NULL, NULL), 0);
	assert_int_equal(master_key_load(&f->cfg, master), 0);
	assert_int_equal(seal_text(master, "CARD-1", "1111111111111111", &sealed), 0);
	assert_int_equal(card_add(f->db, "CARD-1", TCKN, sealed, "produced"), 0);
	free(sealed);
	assert_int_equal(seal_text(master, "CARD-2", "2222222222222222", &sealed), 0);
	assert_int_equal(card_add(f->db, "CARD-2", OTHER, sealed, "produced"), 0);
	free(sealed);
	snprintf(c.serial, sizeof(c.serial), "0a01");
	snprintf(c.tckn, sizeof(c.tckn), TCKN);
	snprintf(c.card_serial, sizeof(c.card_serial), "CARD-1");
	snprintf(c.sha256, sizeof(c.sha256), "%064d", 1);
	assert_int_equal(cert_add(f->db, &c), 0);
	snprintf(c.serial, sizeof(c.serial), "0a02");
	snprintf(c.tckn, sizeof(c.tckn), OTHER);
	snprintf(c.card_serial, sizeof(c.card_serial), "CARD-2");
	snprintf(c.sha256, sizeof(c.sha256), "%064d", 2);
	assert_int_equal(cert_add(f->db, &c), 0);
}

/* A claimed pin-reset session of TCKN; its token (malloc'ed) and code. */
static char *claimed(struct dfx *f, struct signing_session *s, char code[17])
{
	struct signing_session c;
	enum refusal why = REFUSAL_NONE;
	char *token = NULL;

	assert_int_equal(signing_start(f->db, &f->ctx, act_find("pin-reset"), TCKN, NULL, NULL,
				       WEB, "192.0.2.1", s, code, &why), 0);
	assert_int_equal(signing_claim(f->db, &f->ctx, code, APP, &c, &token, &why), 0);
	signing_session_done(&c);
	return token;
}

static void release_ok(struct dfx *f, const char *token, struct pinreset_release *rel)
{
	enum refusal why = REFUSAL_NONE;

	assert_int_equal(pinreset_release(f->db, &f->ctx, token, "CARD-1", APP, rel, &why), 0);
	assert_int_equal(strlen(rel->new_so_pin), PINRESET_SO_PIN_DIGITS);
	assert_true(rel->n >= 1);
	assert_string_equal(rel->cand[rel->n - 1].id, "current");
}

static void test_precondition_and_refusals(void **state)
{
	struct dfx *f = *state;
	struct signing_session s, c;
	struct pinreset_release rel = { 0 };
	enum refusal why = REFUSAL_NONE;
	char code[17], id[33], *token, *t2 = NULL;

	world(f);
	/* only a logged-in holder with a card */
	assert_int_equal(signing_start(f->db, &f->ctx, act_find("pin-reset"), NULL, TCKN, NULL,
				       WEB, NULL, &s, code, &why), -EACCES);
	assert_int_equal(why, REFUSAL_NOT_LOGGED_IN);
	assert_int_equal(holder_put(f->db, "10000000214", "MEHMET", "KAYA", NULL, NULL), 0);
	assert_int_equal(signing_start(f->db, &f->ctx, act_find("pin-reset"), "10000000214", NULL,
				       NULL, WEB, NULL, &s, code, &why), -EACCES);
	assert_int_equal(why, REFUSAL_NO_CARD);

	token = claimed(f, &s, code);
	/* steps out of order */
	assert_int_equal(pinreset_verified(f->db, &f->ctx, token, "current", APP, id, &why),
			 -EACCES);
	assert_int_equal(why, REFUSAL_PIN_RESET_STATE);
	assert_int_equal(pinreset_so_changing(f->db, &f->ctx, token, APP, id, &why), -EACCES);
	assert_int_equal(why, REFUSAL_PIN_RESET_STATE);
	/* another holder's card, an unknown card: the same answer */
	assert_int_equal(pinreset_release(f->db, &f->ctx, token, "CARD-2", APP, &rel, &why),
			 -EACCES);
	assert_int_equal(why, REFUSAL_CARD_MISMATCH);
	assert_int_equal(pinreset_release(f->db, &f->ctx, token, "NOPE", APP, &rel, &why), -EACCES);
	assert_int_equal(why, REFUSAL_CARD_MISMATCH);
	assert_int_equal(pinreset_release(f->db, &f->ctx, "forged", "CARD-1", APP, &rel, &why),
			 -EACCES);
	assert_int_equal(why, REFUSAL_TOKEN_INVALID);
	/* before the release the code may be claimed again (same address) */
	assert_int_equal(signing_claim(f->db, &f->ctx, code, APP, &c, &t2, &why), 0);
	signing_session_done(&c);
	free(token);
	token = t2;
	release_ok(f, token, &rel);
	assert_int_equal(rel.n, 1);
	assert_string_equal(rel.cand[0].pin, "1111111111111111");
	pinreset_release_done(&rel);
	/* given once: not again, and the code cannot be claimed again */
	assert_int_equal(pinreset_release(f->db, &f->ctx, token, "CARD-1", APP, &rel, &why),
			 -EACCES);
	assert_int_equal(why, REFUSAL_PIN_RESET_USED);
	assert_int_equal(signing_claim(f->db, &f->ctx, code, APP, &c, &t2, &why), -EACCES);
	assert_int_equal(why, REFUSAL_CODE_USED);
	/* a candidate that was not offered */
	assert_int_equal(pinreset_verified(f->db, &f->ctx, token, s.id, APP, id, &why), -EACCES);
	assert_int_equal(why, REFUSAL_PIN_RESET_STATE);
	/* every step is audited, the refusals too; no PIN in the log */
	assert_true(dfx_int(f, "SELECT COUNT(*) FROM audit_log WHERE action = $1", "pin.release") >= 5);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM audit_log WHERE details LIKE $1",
				 "%1111111111111111%"), 0);
	/* the confirmation needs so_changing, and the signer's card */
	assert_int_equal(pinreset_verified(f->db, &f->ctx, token, "current", APP, id, &why), 0);
	assert_string_equal(id, s.id);
	assert_int_equal(pinreset_confirm(f->db, s.id, ISSUER, "0a01", &why), -EACCES);
	assert_int_equal(why, REFUSAL_PIN_RESET_STATE);
	assert_int_equal(pinreset_so_changing(f->db, &f->ctx, token, APP, id, &why), 0);
	assert_int_equal(pinreset_confirm(f->db, s.id, ISSUER, "0a02", &why), -EACCES);
	assert_int_equal(why, REFUSAL_CARD_MISMATCH);
	free(token);
	signing_session_done(&s);
}

/* A whole reset: released -> verified -> so_changing -> confirmed. */
static void reset(struct dfx *f, const char *stop, char **ret_new)
{
	struct signing_session s;
	struct pinreset_release rel = { 0 };
	enum refusal why = REFUSAL_NONE;
	char code[17], id[33], *token = claimed(f, &s, code);

	release_ok(f, token, &rel);
	*ret_new = strdup(rel.new_so_pin);
	if (!streq(stop, "release")) {
		/* the application tries the candidates in order; the test's
		 * "card" opens with the one given in stop's place */
		assert_int_equal(pinreset_verified(f->db, &f->ctx, token, rel.cand[0].id, APP, id,
						   &why), 0);
		if (!streq(stop, "verified")) {
			assert_int_equal(pinreset_so_changing(f->db, &f->ctx, token, APP, id, &why), 0);
			if (!streq(stop, "so_changing"))
				assert_int_equal(pinreset_confirm(f->db, s.id, ISSUER, "0a01", &why), 0);
		}
	}
	pinreset_release_done(&rel);
	free(token);
	signing_session_done(&s);
}

static void test_interrupted_at_each_step(void **state)
{
	struct dfx *f = *state;
	struct signing_session s;
	struct pinreset_release rel = { 0 };
	enum refusal why = REFUSAL_NONE;
	char code[17], id[33], *token, *n1, *n2, *n3, *pin;

	world(f);
	/* complete: the new SO PIN is the confirmed one */
	reset(f, "done", &n1);
	pin = confirmed(f, "CARD-1");
	assert_string_equal(pin, n1);
	free(pin);
	/* interrupted after the release and after verified: the card still
	 * has the confirmed one, which alone is offered next */
	reset(f, "release", &n2);
	free(n2);
	reset(f, "verified", &n2);
	free(n2);
	token = claimed(f, &s, code);
	release_ok(f, token, &rel);
	assert_int_equal(rel.n, 1);
	assert_string_equal(rel.cand[0].pin, n1);
	pinreset_release_done(&rel);
	free(token);
	signing_session_done(&s);
	/* interrupted after so_changing (the card may have the new one): the
	 * next reset offers the new one first, then the confirmed one */
	reset(f, "so_changing", &n2);
	pin = confirmed(f, "CARD-1");
	assert_string_equal(pin, n1);	/* not confirmed yet */
	free(pin);
	token = claimed(f, &s, code);
	release_ok(f, token, &rel);
	assert_int_equal(rel.n, 2);
	assert_string_equal(rel.cand[0].pin, n2);
	assert_string_equal(rel.cand[1].pin, n1);
	/* the card opened with the pending one: it becomes the confirmed one */
	assert_int_equal(pinreset_verified(f->db, &f->ctx, token, rel.cand[0].id, APP, id, &why), 0);
	pin = confirmed(f, "CARD-1");
	assert_string_equal(pin, n2);
	free(pin);
	n3 = strdup(rel.new_so_pin);
	pinreset_release_done(&rel);
	/* ... and this one completes */
	assert_int_equal(pinreset_so_changing(f->db, &f->ctx, token, APP, id, &why), 0);
	assert_int_equal(pinreset_confirm(f->db, s.id, ISSUER, "0a01", &why), 0);
	pin = confirmed(f, "CARD-1");
	assert_string_equal(pin, n3);
	free(pin);
	free(token);
	signing_session_done(&s);
	/* interrupted after so_changing, but the card still had the old one
	 * (the change never happened): the pending one is dropped */
	free(n2);
	reset(f, "so_changing", &n2);
	token = claimed(f, &s, code);
	release_ok(f, token, &rel);
	assert_int_equal(rel.n, 2);
	assert_int_equal(pinreset_verified(f->db, &f->ctx, token, "current", APP, id, &why), 0);
	pinreset_release_done(&rel);
	free(token);
	signing_session_done(&s);
	token = claimed(f, &s, code);
	release_ok(f, token, &rel);
	assert_int_equal(rel.n, 1);
	assert_string_equal(rel.cand[0].pin, n3);
	pinreset_release_done(&rel);
	free(token);
	signing_session_done(&s);
	free(n1);
	free(n2);
	free(n3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_precondition_and_refusals, dfx_setup,
						dfx_teardown),
		cmocka_unit_test_setup_teardown(test_interrupted_at_each_step, dfx_setup,
						dfx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
