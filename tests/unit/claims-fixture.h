/* claims-fixture.h - what the claims tests share (test-claims.c,
 * test-claims-attacks.c): a store with MEHMET in the registry and the
 * institution meb, claims made as the portal's Form Onayla makes them,
 * and the portal's entry, form and SMS codes.  Include after
 * domain-fixture.h. */
#pragma once
#include <string.h>

#include "common/json.h"
#include "domain/applications.h"
#include "domain/apply.h"
#include "domain/institutions.h"
#include "domain/registry.h"

#define MEHMET "10000000214"
#define HIS "5550000001"		/* the attacker's number */
#define HERS "5321234567"

/* COUNT(sql, fmt, args...): the one integer sql gives (f in scope). */
#define COUNT(sql, fmt, ...)                                                          \
	({                                                                            \
		int64_t n_ = -1;                                                      \
		assert_int_equal(db_query_int64(f->db, sql, fmt, &n_, ##__VA_ARGS__), 0); \
		n_;                                                                   \
	})

static inline int setup(void **state)
{
	struct registry_person p = { .tckn = MEHMET, .ad = "MEHMET", .soyad = "KAYA",
				     .dogum_yeri = "ANKARA", .dogum_tarihi = "17.05.1980",
				     .alive = true };
	struct dfx *f;

	dfx_setup(state);
	f = *state;
	assert_int_equal(registry_put(f->db, &p), 0);
	assert_int_equal(institution_set(f->db, "meb", "T.C. Millî Eğitim Bakanlığı", NULL), 0);
	return 0;
}

/* A claim of kind k with number mobile and parola, as the portal's Form
 * Onayla makes it, brought to `to` (draft, sms_verified, awaiting_paper). */
static inline void claim(struct dfx *f, enum application_kind k, const char *mobile, const char *parola,
		  enum application_state to, char id[33])
{
	struct application_new in = {
		.tckn = MEHMET, .institution = "meb", .kind = k, .form_json = "{}",
		.security_word = "gizli-sozcuk-7", .access_password = parola, .mobile = mobile,
		.email = "x@example.org", .info_channel = "email", .claim = true,
	};
	enum refusal why = REFUSAL_NONE;

	assert_int_equal(application_create(f->db, &in, id, &why), 0);
	if (to != APP_DRAFT)
		assert_int_equal(application_fire(f->db, id, APP_EV_SMS_VERIFIED, APP_BY_PORTAL, NULL,
						  NULL, &why), 0);
	if (to == APP_AWAITING_PAPER)
		assert_int_equal(application_fire(f->db, id, APP_EV_PAPER_CHOSEN, APP_BY_PORTAL, NULL,
						  NULL, &why), 0);
}

static inline enum application_state state_of(struct dfx *f, const char *id)
{
	struct application a;
	enum application_state s;

	assert_int_equal(application_get(f->db, id, &a), 0);
	s = a.state;
	application_done(&a);
	return s;
}

static const struct apply_entry ENTRY = {
	.institution = "meb", .tckn = MEHMET, .ad = "MEHMET", .soyad = "KAYA",
	.dogum_yeri = "ANKARA", .dogum_tarihi = "17.05.1980", .client_addr = "192.0.2.1",
};

static inline json_t *form(const char *mobile, const char *address, const char *word)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}",
			 "reason", "new", "reader", "none", "validity", "2", "word", word, "word2",
			 word, "sicil", "4242", "unit", "Bilgi İşlem", "title", "Öğretmen", "address",
			 address, "il", "ANKARA", "ilce", "ÇANKAYA", "postal_code", "06648", "email",
			 "someone@example.org", "work_phone", "3124131000", "mobile", mobile,
			 "operator", "vodafone", "home_phone", "", "info_channel", "sms");
}

/* The SMS Onay Kodu last sent to mobile, taken out of the outbox. */
static inline void last_code(struct dfx *f, const char *mobile, char code[7])
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	const char *p;

	assert_int_equal(db_query_one(f->db, &st, "SELECT body FROM outbox WHERE recipient = $1"
				      " AND channel = 'sms' AND body LIKE '%Kodunuz:%'", "t", mobile),
			 0);
	p = strstr(db_col_text(st, 0), "Kodunuz: ");
	assert_non_null(p);
	memcpy(code, p + 9, 6);
	code[6] = '\0';
	db_stmt_done(TAKE_PTR(st));
	assert_int_equal(db_run(f->db, "DELETE FROM outbox WHERE recipient = $1"
				       " AND body LIKE '%Kodunuz:%'", "t", mobile), 1);
}
