/* apply-util.h - what the portal's e2e tests (test-apply*.c) share: one
 * eonayd (S) on a demo world (data, its softhsm2.conf conf) with the
 * captcha test answer TEST_ANSWER, set up by each test program. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "harness.h"

#define TEST_ANSWER "TEST42"
#define MEHMET "10000000214"
#define AHMET "10000000146"

#define MEHMET_FIELDS(tckn, ad, soyad, yer, tarih) \
	"\"tckn\":\"" tckn "\",\"ad\":\"" ad "\",\"soyad\":\"" soyad "\",\"dogum_yeri\":\"" yer \
	"\",\"dogum_tarihi\":\"" tarih "\""

extern struct srv S;
extern const char *data, *conf;
/* The SMS Onay Kodu codes seen so far (new_code adds to them). */
extern char known[64][7];
extern size_t n_known;

/* Adds one person to data's population registry (eonayctl registry
 * import of "tckn,ad,soyad,dogum_yeri,dogum_tarihi" with this one line);
 * 0 or the command's exit status. */
int registry_add(const char *line);
/* POST with the browser; the status, body kept in *ret when given. */
long post(struct browser *b, const char *path, const char *json, struct resp *ret);
/* A new captcha of the browser: its id. */
void captcha(struct browser *b, char id[64]);
/* An entry at path with fields (JSON members without braces) and a fresh
 * captcha answered answer; the status, the answer in *ret when given. */
long enter_with(struct browser *b, const char *path, const char *fields, const char *answer,
		struct resp *ret);
/* enter_with at /api/v1/basvuru/giris with TEST_ANSWER. */
long enter(struct browser *b, const char *fields, struct resp *ret);
/* A valid form {"form":{...}} with one member replaced (name NULL: none). */
char *form_json(const char *mobile, const char *reason, const char *name, const char *value);
/* The SMS Onay Kodu codes spooled to mobile, in ret (7 bytes each). */
size_t spool_codes(const char *mobile, char ret[][7], size_t max);
/* Waits for a code to mobile not in known_, adds it there and gives it. */
void new_code(const char *mobile, char known_[][7], size_t *n_known_, char ret[7]);
/* Entry + Form Onayla + SMS code: the browser b (opened here) ends at
 * sms_verified; app_id the application, parola (may be NULL) its parola. */
void to_method(struct browser *b, const char *fields, const char *mobile, const char *reason,
	       char app_id[64], char parola[64]);
/* eonayctl application list --json for tckn: how many, and the state of
 * the newest in state (may be NULL). */
int apps_of(const char *tckn, char *state, size_t n);
/* eimza signs the session of code with the card labelled token (PIN
 * 123456); its exit status, its output in *out. */
int eimza_sign(const char *code, const char *token, char **out);
/* Elektronik İmzalı: starts the application-sign session; id and code. */
void esign_start(struct browser *b, char id[64], char code[64]);
/* Waits for the signing session id's final state; st, and rc (may be
 * NULL) its refusal code. */
void wait_final(struct browser *b, const char *id, char st[32], char rc[64]);
