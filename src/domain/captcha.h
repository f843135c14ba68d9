/* captcha.h - "Resimdeki Yazıyı Giriniz": server-made captcha images for
 * the application portal (domain, no HTTP).
 *
 * A captcha is a short random text drawn with cairo (each glyph rotated
 * and shifted, noise lines and dots over it) into a PNG.  The store keeps
 * only HMAC-SHA256(key, id ":" ANSWER) (table captchas, sql/015), bound to
 * the browser session that asked for it; it lives CAPTCHA_LIFETIME seconds
 * and is used once: the first check, right or wrong, deletes it.
 * A configured test answer (apply.captcha_test_answer) is also accepted
 * for every live captcha (automated tests only; eonayd refuses it with an
 * https base URL). */
#pragma once
#include "domain/refusal.h"
#include "store/db.h"

#define CAPTCHA_LIFETIME 120	/* seconds */
#define CAPTCHA_LENGTH 6
#define CAPTCHA_PER_SESSION 10

/* Draws a new text into a PNG (*ret_png, malloc'ed, *ret_len bytes);
 * ret_text gets the text (CAPTCHA_LENGTH characters + NUL).  Pure: no
 * store.  Used by captcha_new and the tests. */
int captcha_render(char ret_text[CAPTCHA_LENGTH + 1], unsigned char **ret_png, size_t *ret_len);

/* Creates a captcha for the browser session web_hash: stores the hash of
 * its answer and returns its id (33 bytes) and PNG.  Captchas of the same
 * browser that expired go on the way.  A browser holds at most
 * CAPTCHA_PER_SESSION live captchas (each costs a drawing): one more is
 * refused rate_limited until one is used or expires. */
int captcha_new(struct db *db, const unsigned char key[32], const char *web_hash,
		char ret_id[33], unsigned char **ret_png, size_t *ret_len,
		enum refusal *ret_refusal);

/* Checks answer (case and surrounding spaces ignored) for captcha id of
 * web_hash, and deletes it whatever the outcome.  test_answer (NULL:
 * none) is also accepted.  Refusals: captcha_wrong (a wrong answer),
 * captcha_expired (unknown, used, another browser's, or older than
 * CAPTCHA_LIFETIME). */
int captcha_check(struct db *db, const unsigned char key[32], const char *web_hash,
		  const char *id, const char *answer, const char *test_answer,
		  enum refusal *ret_refusal);

/* Housekeeping: deletes expired captchas; *ret_n how many. */
int captcha_purge(struct db *db, int64_t *ret_n);
