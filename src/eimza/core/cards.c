/* cards.c - every card in every configured PKCS#11 module, and signing
 * a session's texts on one of them (cards.h).  Through pki/p11.h's public
 * functions only; part of libeimza-core. */
#include "eimza/core/cards.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/json.h"
#include "common/util.h"
#include "pki/cades.h"
#include "pki/key.h"
#include "pki/ossl.h"

static void mask(const char *tckn, char ret[12])
{
	snprintf(ret, 12, "%.3s******%.2s", tckn, strlen(tckn) == 11 ? tckn + 9 : "");
}

static int add_certs(struct eimza_cards *c, size_t m, const char *tckn_masked)
{
	struct p11_cert_info *v = c->infos[m];
	int64_t now = (int64_t)time(NULL);

	for (size_t i = 0; i < c->n_infos[m]; i++) {
		struct eimza_cert *nc, *e;

		if (X509_check_ca(v[i].cert) > 0)
			continue;	/* the CA certificates the card carries */
		nc = realloc(c->certs, (c->n_certs + 1) * sizeof(*nc));
		if (!nc)
			return -ENOMEM;
		c->certs = nc;
		e = &c->certs[c->n_certs++];
		*e = (struct eimza_cert){ .module = m, .module_path = c->module_path[m],
					  .token_label = v[i].token_label, .cert = v[i].cert };
		e->holder = pki_cert_holder_info(v[i].cert, &e->info) == 0;
		if (!e->holder)
			continue;
		mask(e->info.tckn, e->tckn_masked);
		e->expired = e->info.not_after < now || e->info.not_before > now;
		e->fits = !e->expired &&
			  (!tckn_masked || !*tckn_masked || streq(tckn_masked, e->tckn_masked));
	}
	return 0;
}

int eimza_cards_open(const struct eimza_config *cfg, const char *tckn_masked,
		     struct eimza_cards *ret, struct eimza_error *err)
{
	struct eimza_cards c = { 0 };
	int r;

	for (size_t i = 0; i < cfg->n_modules; i++) {
		size_t m = c.n_modules;
		char **labels = NULL;
		size_t n = 0;

		if (p11_open(cfg->modules[i], &c.ctx[m]) < 0)
			continue;	/* a driver that is not there or does not load */
		c.module_path[m] = cfg->modules[i];
		c.n_modules++;
		if (p11_tokens_list(c.ctx[m], &labels, &n) == 0)
			c.n_tokens += n;
		p11_strv_free(labels);
		r = p11_certs_list(c.ctx[m], &c.infos[m], &c.n_infos[m]);
		if (r < 0)
			continue;
		r = add_certs(&c, m, tckn_masked);
		if (r < 0) {
			eimza_cards_done(&c);
			return eimza_error_set(err, EIMZA_FAIL_INTERNAL, -r, "Bellek yetersiz.");
		}
	}
	if (c.n_modules == 0) {
		eimza_cards_done(&c);
		return eimza_error_set(err, EIMZA_FAIL_NO_MODULE, ENOENT,
				       "Kart okuyucu sürücüsü bulunamadı. Kart okuyucunuzun sürücüsünü "
				       "kurunuz veya /etc/eimza/eimza.conf dosyasında belirtiniz.");
	}
	if (c.n_tokens == 0) {
		eimza_cards_done(&c);
		return eimza_error_set(err, EIMZA_FAIL_NO_CARD, ENODEV,
				       "Kartınızı takınız. Kart okuyucuda takılı bir kart bulunamadı.");
	}
	*ret = c;
	return 0;
}

void eimza_cards_done(struct eimza_cards *c)
{
	free(c->certs);
	for (size_t m = 0; m < c->n_modules; m++) {
		p11_cert_info_free_array(c->infos[m], c->n_infos[m]);
		p11_close(c->ctx[m]);
	}
	*c = (struct eimza_cards){ 0 };
}

size_t eimza_cards_fit(struct eimza_cards *c, const char *tckn_masked)
{
	size_t k = 0;

	for (size_t i = 0; i < c->n_certs; i++) {
		struct eimza_cert *e = &c->certs[i];

		e->fits = e->holder && !e->expired &&
			  (!tckn_masked || !*tckn_masked || streq(tckn_masked, e->tckn_masked));
		k += e->fits;
	}
	return k;
}

int eimza_cards_pick(const struct eimza_cards *c, const char *token, size_t *ret,
		     struct eimza_error *err)
{
	size_t k = 0, pick = 0;

	for (size_t i = 0; i < c->n_certs; i++) {
		if (!c->certs[i].fits || (token && !streq(c->certs[i].token_label, token)))
			continue;
		if (k++ == 0)
			pick = i;
	}
	if (k == 0)
		return eimza_error_set(err, EIMZA_FAIL_NO_CERT, ENOENT,
				       "Takılı kartlarda bu işlem için kullanılabilecek geçerli bir sertifika "
				       "bulunamadı. İşlemi başlatan kişiye ait kartı taktığınızdan emin olunuz.");
	if (k > 1)
		return eimza_error_set(err, EIMZA_FAIL_NO_CERT, EEXIST,
				       "Bu işlem için birden fazla sertifika uygun; birini seçiniz.");
	*ret = pick;
	return 0;
}

static int pin_refused(struct eimza_cards *c, const struct eimza_cert *e, int r,
		       struct eimza_error *err)
{
	unsigned flags = 0;

	p11_pin_status(c->ctx[e->module], e->token_label, &flags);
	if (r == -EPERM || (flags & P11_PIN_LOCKED)) {
		eimza_error_set(err, EIMZA_FAIL_PIN_LOCKED, EACCES,
				"Kartınızın PIN kodu bloke olmuştur. Kilidi çözmek için tarayıcınızda "
				"\"PIN Oluşturma/Kilit Çözme\" işlemini kullanınız.");
	} else if (flags & P11_PIN_FINAL_TRY) {
		eimza_error_set(err, EIMZA_FAIL_PIN_WRONG, EACCES,
				"PIN hatalı. Kalan deneme hakkınız: 1. Bir sonraki hatalı denemede "
				"kartınız bloke olacaktır.");
	} else if (flags & P11_PIN_COUNT_LOW) {
		eimza_error_set(err, EIMZA_FAIL_PIN_WRONG, EACCES,
				"PIN hatalı. Kalan deneme hakkınız azaldı; PIN kodunuzu dikkatle "
				"giriniz.");
	} else {
		eimza_error_set(err, EIMZA_FAIL_PIN_WRONG, EACCES,
				"PIN hatalı. Lütfen tekrar deneyiniz.");
	}
	if (err)
		err->pin_flags = flags;
	return -EACCES;
}

int eimza_cards_sign(struct eimza_cards *c, size_t cert, const char *pin, json_t *texts,
		     json_t **ret_sigs, struct eimza_error *err)
{
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	_cleanup_json_ json_t *sigs = NULL;
	STACK_OF(X509) *chain = NULL;
	const struct eimza_cert *e;
	size_t i, m;
	json_t *t;
	int r;

	if (cert >= c->n_certs)
		return eimza_error_set(err, EIMZA_FAIL_INTERNAL, EINVAL, "Sertifika seçilmedi.");
	e = &c->certs[cert];
	m = e->module;
	r = p11_key_open(c->ctx[m], e->token_label, pin, e->cert, &key);
	if (r == -EACCES || r == -EPERM)
		return pin_refused(c, e, r, err);
	if (r == -ENOENT)
		return eimza_error_set(err, EIMZA_FAIL_NO_CARD, ENODEV,
				       "Kartınıza ulaşılamadı. Kartınızın takılı olduğundan emin olup "
				       "tekrar deneyiniz.");
	if (r < 0) {
		eimza_error_set(err, EIMZA_FAIL_CARD, -r, "Kartınızdaki anahtar açılamadı. Kartınızı "
				"çıkarıp tekrar takarak deneyiniz.");
		if (err)
			snprintf(err->detail, sizeof(err->detail), "p11_key_open: %s", strerror(-r));
		return r;
	}

	/* The CA certificates on the same card go into each signature. */
	chain = sk_X509_new_null();
	sigs = json_array();
	if (!chain || !sigs) {
		sk_X509_free(chain);
		return eimza_error_set(err, EIMZA_FAIL_INTERNAL, ENOMEM, "Bellek yetersiz.");
	}
	for (size_t j = 0; j < c->n_infos[m]; j++)
		if (streq(c->infos[m][j].token_label, e->token_label) &&
		    X509_check_ca(c->infos[m][j].cert) > 0)
			sk_X509_push(chain, c->infos[m][j].cert);
	json_array_foreach(texts, i, t) {
		_cleanup_free_ unsigned char *der = NULL;
		_cleanup_free_ char *b64 = NULL;
		const char *text = json_string_value(t);
		size_t len = 0;

		r = text ? cades_sign(key, e->cert, chain, text, strlen(text), &der, &len) : -EINVAL;
		if (r >= 0)
			r = base64_encode(der, len, &b64);
		if (r < 0 || json_array_append_new(sigs, json_string(b64)) < 0) {
			sk_X509_free(chain);
			r = eimza_error_set(err, EIMZA_FAIL_CARD, r < 0 ? -r : ENOMEM,
					    "İmzalama başarısız oldu. Kartınızı çıkarıp tekrar takarak "
					    "deneyiniz.");
			if (err)
				snprintf(err->detail, sizeof(err->detail), "cades_sign: %s", strerror(-r));
			return r;
		}
	}
	sk_X509_free(chain);	/* the certificates belong to c->infos */
	*ret_sigs = TAKE_PTR(sigs);
	return 0;
}
