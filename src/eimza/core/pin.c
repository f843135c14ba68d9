/* pin.c - PIN Oluşturma / Kilit Çözme on the card (pin.h).
 *
 * Order on the card and at the server (each server step is recorded
 * before the card step that depends on it, so that an interruption
 * anywhere leaves the server knowing every SO PIN the card may have):
 *   release      <- the card's SO PIN(s) to try, the new SO PIN
 *   C_InitPIN    with the first SO PIN that opens the card
 *   verified     -> which one opened it
 *   so_changing  -> the SO PIN is about to change
 *   C_SetPIN(SO) old -> new
 *   sign + submit the session's text with the new user PIN (confirm)
 * A wrong SO PIN counts against the card's SO tries; at most one wrong
 * one is tried per reset (pinreset.h), and the right one that follows
 * resets the count. */
#include "eimza/core/pin.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "common/util.h"

int eimza_pin_limits(struct eimza_cards *c, size_t cert, unsigned *ret_min, unsigned *ret_max)
{
	const struct eimza_cert *e;
	unsigned lo = 0, hi = 0;
	int r;

	if (cert >= c->n_certs)
		return -EINVAL;
	e = &c->certs[cert];
	r = p11_pin_limits(c->ctx[e->module], e->token_label, &lo, &hi);
	if (r < 0)
		return r;
	*ret_min = MAX(6u, lo);
	*ret_max = hi > 0 ? MIN(8u, hi) : 8u;
	if (*ret_min > *ret_max) {	/* a card outside 6-8: its own rule */
		*ret_min = lo;
		*ret_max = hi;
	}
	return 0;
}

int eimza_pin_check(const char *pin, unsigned min, unsigned max, struct eimza_error *err)
{
	size_t n = strlen(pin);
	bool same = true, up = true, down = true;

	for (size_t i = 0; i < n; i++)
		if (pin[i] < '0' || pin[i] > '9')
			return eimza_error_set(err, EIMZA_FAIL_PIN_WRONG, EINVAL,
					       "Yeni PIN yalnızca rakamlardan oluşmalıdır.");
	if (n < min || n > max) {
		if (min == max)
			return eimza_error_set(err, EIMZA_FAIL_PIN_WRONG, EINVAL,
					       "Yeni PIN %u haneli olmalıdır.", min);
		return eimza_error_set(err, EIMZA_FAIL_PIN_WRONG, EINVAL,
				       "Yeni PIN %u ile %u hane arasında olmalıdır.", min, max);
	}
	for (size_t i = 1; i < n; i++) {
		int d = pin[i] - pin[i - 1];
		same = same && d == 0;
		up = up && (d == 1 || d == -9);
		down = down && (d == -1 || d == 9);
	}
	if (same)
		return eimza_error_set(err, EIMZA_FAIL_PIN_WRONG, EINVAL,
				       "Yeni PIN aynı rakamın tekrarı olamaz (ör. 111111).");
	if (up || down)
		return eimza_error_set(err, EIMZA_FAIL_PIN_WRONG, EINVAL,
				       "Yeni PIN ardışık rakamlardan oluşamaz (ör. 123456, 654321).");
	return 0;
}

/* Wipes a string inside a parsed answer (jansson does not wipe on free). */
static void wipe_json_str(json_t *v)
{
	const char *s = json_string_value(v);

	if (s)
		OPENSSL_cleanse((char *)s, strlen(s));
}

static void wipe_release(json_t *body)
{
	json_t *a = json_object_get(body, "so_pins"), *x;
	size_t i;

	json_array_foreach(a, i, x)
		wipe_json_str(json_object_get(x, "pin"));
	wipe_json_str(json_object_get(body, "new_so_pin"));
}

/* One step at the server: 0, or <0 with err. */
static int step(const struct eimza_session *s, json_t *req, json_t **ret_body,
		struct eimza_error *err)
{
	json_t *body = NULL;
	long status = 0;
	int r;

	r = eimza_session_post(s, "/api/v1/app/pin", req, &status, &body, err);
	if (r < 0)
		return r;
	if (status != 200) {
		r = eimza_refusal(status, body, EIMZA_FAIL_REFUSED, err);
		json_decref(body);
		return r;
	}
	if (ret_body)
		*ret_body = body;
	else
		json_decref(body);
	return 0;
}

static int simple_step(const struct eimza_session *s, const char *name, const char *so_pin_id,
		       struct eimza_error *err)
{
	_cleanup_json_ json_t *req = json_pack("{s:s,s:s,s:s?}", "token", s->token, "step", name,
					       "so_pin_id", so_pin_id);

	if (!req)
		return eimza_error_set(err, EIMZA_FAIL_INTERNAL, ENOMEM, "Bellek yetersiz.");
	return step(s, req, NULL, err);
}

static int stopped(struct eimza_error *err, const char *where)
{
	return eimza_error_set(err, EIMZA_FAIL_INTERNAL, EINTR,
			       "İşlem test için durduruldu (%s).", where);
}

/* Sets the user PIN with the first SO PIN that opens the card; *ret_i is
 * its index. */
static int init_pin(struct eimza_cards *c, const struct eimza_cert *e, json_t *so_pins,
		    const char *new_pin, size_t *ret_i, struct eimza_error *err)
{
	size_t i;
	json_t *x;
	int r = -EACCES;

	json_array_foreach(so_pins, i, x) {
		const char *so = json_string_value(json_object_get(x, "pin"));

		if (!so || !json_string_value(json_object_get(x, "id")))
			break;
		r = p11_pin_unblock(c->ctx[e->module], e->token_label, so, new_pin);
		if (r != -EACCES)
			break;
	}
	if (r == 0) {
		*ret_i = i;
		return 0;
	}
	if (r == -EACCES)
		return eimza_error_set(err, EIMZA_FAIL_CARD, EACCES,
				       "Kartınızın güvenlik yöneticisi PIN'i kayıtlarımızla uyuşmuyor. "
				       "Lütfen çağrı merkezimizle görüşünüz.");
	if (r == -EPERM)
		return eimza_error_set(err, EIMZA_FAIL_CARD, EPERM,
				       "Kartınızın güvenlik yöneticisi PIN'i bloke olmuş. Kartınızın "
				       "yenilenmesi gerekiyor; lütfen çağrı merkezimizle görüşünüz.");
	if (r == -EINVAL)
		return eimza_error_set(err, EIMZA_FAIL_PIN_WRONG, EINVAL,
				       "Kartınız yeni PIN'i kabul etmedi (uzunluk veya karakterler).");
	if (r == -ENOENT)
		return eimza_error_set(err, EIMZA_FAIL_NO_CARD, ENODEV,
				       "Kartınıza ulaşılamadı. Kartınızın takılı olduğundan emin olup "
				       "tarayıcınızdan yeni bir kod alarak tekrar deneyiniz.");
	eimza_error_set(err, EIMZA_FAIL_CARD, -r, "Kartınıza yeni PIN yazılamadı.");
	if (err)
		snprintf(err->detail, sizeof(err->detail), "C_InitPIN: %s", strerror(-r));
	return r;
}

int eimza_pin_reset(struct eimza_cards *c, size_t cert, const struct eimza_session *s,
		    const char *new_pin, enum eimza_pin_stop stop, char **ret_message,
		    struct eimza_error *err)
{
	_cleanup_json_ json_t *req = NULL, *rel = NULL, *sigs = NULL;
	_cleanup_secret_ char *old_so = NULL, *new_so = NULL;
	_cleanup_free_ char *so_id = NULL;
	const struct eimza_cert *e;
	json_t *so_pins;
	size_t i = 0;
	int r;

	if (cert >= c->n_certs)
		return eimza_error_set(err, EIMZA_FAIL_INTERNAL, EINVAL, "Kart seçilmedi.");
	e = &c->certs[cert];
	req = json_pack("{s:s,s:s,s:s}", "token", s->token, "step", "release", "card",
			e->token_label);
	if (!req)
		return eimza_error_set(err, EIMZA_FAIL_INTERNAL, ENOMEM, "Bellek yetersiz.");
	r = step(s, req, &rel, err);
	if (r < 0)
		return r;
	so_pins = json_object_get(rel, "so_pins");
	if (!json_is_array(so_pins) || json_array_size(so_pins) == 0 ||
	    !json_string_value(json_object_get(rel, "new_so_pin"))) {
		wipe_release(rel);
		return eimza_error_set(err, EIMZA_FAIL_INTERNAL, EBADMSG,
				       "Sunucudan beklenmeyen bir cevap geldi.");
	}
	if (stop == EIMZA_STOP_RELEASE) {
		wipe_release(rel);
		return stopped(err, "SO PIN alındı");
	}
	r = init_pin(c, e, so_pins, new_pin, &i, err);
	if (r == 0) {
		json_t *x = json_array_get(so_pins, i);
		old_so = strdup(json_string_value(json_object_get(x, "pin")));
		so_id = strdup(json_string_value(json_object_get(x, "id")));
		new_so = strdup(json_string_value(json_object_get(rel, "new_so_pin")));
		if (!old_so || !so_id || !new_so)
			r = eimza_error_set(err, EIMZA_FAIL_INTERNAL, ENOMEM, "Bellek yetersiz.");
	}
	wipe_release(rel);
	if (r < 0)
		return r;
	/* The new user PIN is on the card; the SO PIN is still the old one. */
	r = simple_step(s, "verified", so_id, err);
	if (r < 0)
		return r;
	if (stop == EIMZA_STOP_USER_PIN)
		return stopped(err, "kullanıcı PIN'i yazıldı");
	r = simple_step(s, "so_changing", NULL, err);
	if (r < 0)
		return r;
	r = p11_so_pin_change(c->ctx[e->module], e->token_label, old_so, new_so);
	if (r < 0) {
		eimza_error_set(err, EIMZA_FAIL_CARD, r == -ENOENT ? ENODEV : -r,
				"Kartınızın güvenlik yöneticisi PIN'i değiştirilemedi. Tarayıcınızdan "
				"yeni bir kod alarak tekrar deneyiniz.");
		if (err)
			snprintf(err->detail, sizeof(err->detail), "C_SetPIN(SO): %s", strerror(-r));
		return r;
	}
	if (stop == EIMZA_STOP_SO_PIN)
		return stopped(err, "SO PIN yazıldı");
	/* The card confirms: its key signs the session's text with the new PIN. */
	r = eimza_cards_sign(c, cert, new_pin, s->texts, &sigs, err);
	if (r < 0)
		return r;
	return eimza_submit(s, sigs, ret_message, err);
}
