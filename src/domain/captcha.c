/* captcha.c - captcha images and their single-use check (see captcha.h).
 *
 * The alphabet leaves out look-alikes (0/O, 1/I/L, 5/S, 8/B, 2/Z, U/V)
 * and letters whose Turkish upper/lower case differs (I/i).  Drawing:
 * a light background with a gradient, a few noise lines under the text,
 * each glyph in its own dark colour, rotated up to ±0.4 rad and shifted
 * up or down, then noise lines and dots over it.  The check compares
 * HMACs in constant time; the row is deleted first, so that two racing
 * checks cannot both use one captcha. */
#include "domain/captcha.h"
#include "domain/cairobuf.h"

#include <cairo.h>
#include <ctype.h>
#include <math.h>
#include <openssl/crypto.h>
#include <stdio.h>

#define W 220
#define H 70

static const char alphabet[] = "ACDEFGHJKMNPRTWXY34679";

static double rnd01(void)
{
	uint32_t v = 0;

	if (random_uniform(1u << 24, &v) < 0)
		return 0.5;
	return v / (double)(1u << 24);
}

static double rnd_range(double lo, double hi)
{
	return lo + (hi - lo) * rnd01();
}

static void noise_lines(cairo_t *cr, int n, double alpha)
{
	for (int i = 0; i < n; i++) {
		cairo_set_source_rgba(cr, rnd_range(0.1, 0.6), rnd_range(0.1, 0.6),
				      rnd_range(0.1, 0.6), alpha);
		cairo_set_line_width(cr, rnd_range(1.0, 2.2));
		cairo_move_to(cr, rnd_range(0, W * 0.3), rnd_range(0, H));
		cairo_curve_to(cr, rnd_range(0, W), rnd_range(0, H), rnd_range(0, W),
			       rnd_range(0, H), rnd_range(W * 0.7, W), rnd_range(0, H));
		cairo_stroke(cr);
	}
}

int captcha_render(char ret_text[CAPTCHA_LENGTH + 1], unsigned char **ret_png, size_t *ret_len)
{
	struct cairo_buf b = { 0 };
	cairo_surface_t *sf;
	cairo_pattern_t *bg;
	cairo_status_t cs;
	cairo_t *cr;
	int r;

	for (int i = 0; i < CAPTCHA_LENGTH; i++) {
		uint32_t k;

		r = random_uniform(sizeof(alphabet) - 1, &k);
		if (r < 0)
			return r;
		ret_text[i] = alphabet[k];
	}
	ret_text[CAPTCHA_LENGTH] = '\0';

	sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, W, H);
	cr = cairo_create(sf);
	bg = cairo_pattern_create_linear(0, 0, W, H);
	cairo_pattern_add_color_stop_rgb(bg, 0, rnd_range(0.85, 0.97), rnd_range(0.85, 0.97), 0.95);
	cairo_pattern_add_color_stop_rgb(bg, 1, 0.95, rnd_range(0.85, 0.97), rnd_range(0.85, 0.97));
	cairo_set_source(cr, bg);
	cairo_paint(cr);
	cairo_pattern_destroy(bg);
	noise_lines(cr, 4, 0.5);

	cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
	for (int i = 0; i < CAPTCHA_LENGTH; i++) {
		char g[2] = { ret_text[i], 0 };
		cairo_text_extents_t te;

		cairo_save(cr);
		cairo_set_font_size(cr, rnd_range(30, 38));
		cairo_text_extents(cr, g, &te);
		cairo_translate(cr, 22 + i * 32 + rnd_range(-3, 3), H / 2.0 + rnd_range(-7, 7));
		cairo_rotate(cr, rnd_range(-0.4, 0.4));
		cairo_move_to(cr, -te.width / 2 - te.x_bearing, -te.height / 2 - te.y_bearing);
		cairo_set_source_rgb(cr, rnd_range(0.0, 0.35), rnd_range(0.0, 0.35),
				     rnd_range(0.1, 0.5));
		cairo_show_text(cr, g);
		cairo_restore(cr);
	}
	noise_lines(cr, 5, 0.8);
	for (int i = 0; i < 250; i++) {
		cairo_set_source_rgba(cr, rnd01(), rnd01(), rnd01(), 0.7);
		cairo_rectangle(cr, rnd_range(0, W), rnd_range(0, H), 1.5, 1.5);
		cairo_fill(cr);
	}
	cairo_destroy(cr);
	cs = cairo_surface_write_to_png_stream(sf, cairo_buf_write, &b);
	cairo_surface_destroy(sf);
	if (cs != CAIRO_STATUS_SUCCESS || b.oom) {
		free(b.p);
		OPENSSL_cleanse(ret_text, CAPTCHA_LENGTH + 1);
		return b.oom || cs == CAIRO_STATUS_NO_MEMORY ? -ENOMEM : -EIO;
	}
	*ret_png = b.p;
	*ret_len = b.n;
	return 0;
}

/* HMAC(key, id ":" upper(answer trimmed)) as hex; -EINVAL for an answer
 * that cannot be one (too long, not ASCII). */
static int answer_hash(const unsigned char key[32], const char *id, const char *answer,
		       char ret[65])
{
	char norm[40 + 33 + 2];
	unsigned char mac[32];
	size_t n, len;
	int r;

	while (*answer && isspace((unsigned char)*answer))
		answer++;
	len = strlen(answer);
	while (len > 0 && isspace((unsigned char)answer[len - 1]))
		len--;
	if (len > 40)
		return -EINVAL;
	n = (size_t)snprintf(norm, sizeof(norm), "%s:", id);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)answer[i];

		if (c >= 0x80)
			return -EINVAL;
		norm[n++] = (char)toupper(c);
	}
	norm[n] = '\0';
	r = hmac_sha256(key, norm, mac);
	OPENSSL_cleanse(norm, sizeof(norm));
	if (r < 0)
		return r;
	hex_encode(mac, 32, ret);
	return 0;
}

int captcha_new(struct db *db, const unsigned char key[32], const char *web_hash,
		char ret_id[33], unsigned char **ret_png, size_t *ret_len,
		enum refusal *ret_refusal)
{
	char text[CAPTCHA_LENGTH + 1], hash[65];
	unsigned char rnd[16];
	unsigned char *png = NULL;
	size_t len = 0;
	int64_t now = now_sec();
	int r;

	if (isempty(web_hash))
		return -EINVAL;
	r = db_run(db, "DELETE FROM captchas WHERE web_hash = $1 AND expires_at <= $2", "ti",
		   web_hash, now);
	if (r < 0)
		return r;
	/* Drawing costs (~25 ms): a browser asking without end is refused
	 * before it (sessions themselves are limited per address). */
	{
		int64_t live = 0;

		r = db_query_int64(db, "SELECT COUNT(*) FROM captchas WHERE web_hash = $1", "t",
				   &live, web_hash);
		if (r < 0)
			return r;
		if (live >= CAPTCHA_PER_SESSION) {
			*ret_refusal = REFUSAL_RATE_LIMITED;
			return -EACCES;
		}
	}
	r = captcha_render(text, &png, &len);
	if (r < 0)
		return r;
	r = random_bytes(rnd, sizeof(rnd));
	if (r == 0) {
		hex_encode(rnd, sizeof(rnd), ret_id);
		r = answer_hash(key, ret_id, text, hash);
	}
	OPENSSL_cleanse(text, sizeof(text));
	if (r == 0)
		r = db_run(db, "INSERT INTO captchas (id, web_hash, answer_hash, created_at, expires_at)"
			       " VALUES ($1, $2, $3, $4, $5)", "tttii", ret_id, web_hash, hash, now,
			   now + CAPTCHA_LIFETIME);
	if (r < 0) {
		free(png);
		return r;
	}
	*ret_png = png;
	*ret_len = len;
	return 0;
}

int captcha_check(struct db *db, const unsigned char key[32], const char *web_hash,
		  const char *id, const char *answer, const char *test_answer,
		  enum refusal *ret_refusal)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	char stored[65], given[65];
	int64_t expires;
	bool ok;
	int r;

	if (isempty(id) || strlen(id) != 32 || isempty(web_hash)) {
		*ret_refusal = REFUSAL_CAPTCHA_EXPIRED;
		return -EACCES;
	}
	r = db_query_one(db, &st, "SELECT answer_hash, expires_at FROM captchas"
				  " WHERE id = $1 AND web_hash = $2", "tt", id, web_hash);
	if (r == -ENOENT) {
		*ret_refusal = REFUSAL_CAPTCHA_EXPIRED;
		return -EACCES;
	}
	if (r < 0)
		return r;
	snprintf(stored, sizeof(stored), "%s", db_col_text(st, 0));
	expires = db_col_int64(st, 1);
	db_stmt_done(TAKE_PTR(st));
	/* Used once: whoever deletes it is the one check it gets. */
	r = db_run(db, "DELETE FROM captchas WHERE id = $1", "t", id);
	if (r < 0)
		return r;
	if (r == 0 || now_sec() >= expires) {
		*ret_refusal = REFUSAL_CAPTCHA_EXPIRED;
		return -EACCES;
	}
	r = answer_hash(key, id, answer ? answer : "", given);
	ok = r == 0 && streq_ct(given, stored);
	if (!ok && !isempty(test_answer) && answer) {
		char t[65];

		if (answer_hash(key, id, test_answer, t) == 0 && r == 0 && streq_ct(given, t))
			ok = true;
	}
	if (!ok) {
		*ret_refusal = REFUSAL_CAPTCHA_WRONG;
		return -EACCES;
	}
	return 0;
}

int captcha_purge(struct db *db, int64_t *ret_n)
{
	int r = db_run(db, "DELETE FROM captchas WHERE expires_at < $1", "i", now_sec());

	if (r < 0)
		return r;
	*ret_n = r;
	return 0;
}
