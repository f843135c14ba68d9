/* cmd-sign.c - eimza sign: the holder's side of the ceremony.
 *
 * Doğrulama Kodu -> (check digit) -> claim at the server -> show Sözleşme
 * (purpose, texts, dates, remaining time, where and when the session was
 * started) -> Sertifika Seçimi -> PIN Kodu -> sign each text on the card
 * -> submit -> "İşleminiz Başarılıdır ..." or the server's reason. */
#include <getopt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <time.h>

#include "common/checkdigit.h"
#include "common/json.h"
#include "eimza/client.h"
#include "eimza/eimza.h"
#include "eimza/tty.h"
#include "pki/cades.h"
#include "pki/key.h"
#include "pki/ossl.h"
#include "pki/p11.h"
#include "pki/profile.h"

static void help(void)
{
	printf("Usage: eimza sign --server URL [--code CODE] [OPTIONS]\n"
	       "\n"
	       "Signs the texts of a session started in your browser with the\n"
	       "certificate on your card.\n"
	       "\n"
	       "  --server URL     the service (https://, or http:// to this machine)\n"
	       "  --code CODE      the Doğrulama Kodu shown in the browser (asked if absent)\n"
	       "  --token LABEL    use the card with this label\n"
	       "  --pin-stdin      read the PIN from the first line of standard input\n"
	       "  --save FILE      save the signed content (İmzalı İçeriği kaydet)\n"
	       "  --cacert FILE    trust this CA file for https\n"
	       "  --yes            do not ask for confirmation before signing\n"
	       "  -h, --help       show this help\n");
}

static void local_time(int64_t t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	strftime(buf, n, "%d.%m.%Y %H:%M:%S", &tm);
}

/* Prints the server's refusal (Turkish message) and returns the exit code. */
static int server_refusal(long status, json_t *body)
{
	const char *code = json_string_value(json_object_get(json_object_get(body, "error"), "code"));
	const char *msg = json_string_value(json_object_get(json_object_get(body, "error"), "message"));

	fprintf(stderr, "eimza: %s\n", msg ? msg : "Sunucu isteği reddetti.");
	if (code)
		fprintf(stderr, "eimza: (%s, HTTP %ld)\n", code, status);
	return EIMZA_EXIT_REFUSED;
}

static void show_session(json_t *s)
{
	json_t *ctx = json_object_get(s, "context"), *texts = json_object_get(s, "texts");
	char created[32], now[32];
	size_t i;
	json_t *t;

	local_time(json_integer_value(json_object_get(s, "created_at")), created, sizeof(created));
	local_time(time(NULL), now, sizeof(now));
	printf("\n== Sözleşme ==\n");
	printf("İşlem: %s\n", json_string_value(json_object_get(s, "purpose_text")));
	printf("Bu işlem %s adresinden %s tarihinde başlatıldı (%s).\n",
	       json_string_value(json_object_get(ctx, "client_addr")), created,
	       json_string_value(json_object_get(s, "tckn_masked")));
	printf("Bu kodu size başkası verdiyse imzalamayınız.\n\n");
	json_array_foreach(texts, i, t) {
		printf("İmzalanacak Metin %zu:\n  ", i + 1);
		for (const char *c = json_string_value(t); c && *c; c++)
			fputs(*c == '\n' ? "\n  " : (char[]){ *c, 0 }, stdout);
		printf("\n\n");
	}
	printf("Oluşturma Tarihi: %s   İmzalama Tarihi: %s\n", created, now);
	printf("Kalan Süre: %lld saniye\n\n",
	       (long long)json_integer_value(json_object_get(s, "remaining")));
}

/* Certificates on the tokens that may sign for the session: on the given
 * token, unexpired, and whose T.C. Kimlik No fits the masked one. */
static int choose_cert(struct p11_cert_info *certs, size_t n, const char *token,
		       const char *masked, bool interactive, size_t *ret)
{
	size_t fit[64], k = 0;

	printf("== Sertifika Seçimi ==\n");
	for (size_t i = 0; i < n && k < ELEMENTSOF(fit); i++) {
		struct pki_holder_info hi;
		char until[32];

		if (token && !streq(certs[i].token_label, token))
			continue;
		if (X509_check_ca(certs[i].cert) > 0)
			continue;
		if (pki_cert_holder_info(certs[i].cert, &hi) < 0)
			continue;
		if (masked && strlen(masked) == 11 &&
		    (strncmp(hi.tckn, masked, 3) != 0 || strcmp(hi.tckn + 9, masked + 9) != 0))
			continue;
		local_time(hi.not_after, until, sizeof(until));
		printf("  [%zu] %s  T.C. %s  son geçerlilik %s  (kart %s)\n", k + 1, hi.common_name,
		       hi.tckn, until, certs[i].token_label);
		fit[k++] = i;
	}
	if (k == 0) {
		fprintf(stderr, "eimza: Bu işlem için kullanılabilecek bir sertifika bulunamadı. "
				"Kartınızın takılı olduğundan emin olunuz.\n");
		return -ENOENT;
	}
	if (k == 1 || !interactive) {
		if (k > 1) {
			fprintf(stderr, "eimza: several certificates fit; choose one with --token\n");
			return -EINVAL;
		}
		*ret = fit[0];
		return 0;
	}
	for (;;) {
		char ans[16];
		int64_t v;

		if (tty_read_line("Sertifika seçiniz (numara): ", false, ans, sizeof(ans)) < 0)
			return -ENODATA;
		if (parse_int64(ans, 1, (int64_t)k, &v) == 0) {
			*ret = fit[v - 1];
			return 0;
		}
	}
}

static int save_signed(const char *path, json_t *sigs)
{
	_cleanup_free_ char *out = NULL;
	size_t n = 0, i;
	json_t *s;
	FILE *f;

	/* One PEM-style block per signature: "eimza verify" reads it back. */
	f = open_memstream(&out, &n);
	if (!f)
		return -ENOMEM;
	json_array_foreach(sigs, i, s) {
		const char *b = json_string_value(s);
		fprintf(f, "-----BEGIN CMS-----\n");
		for (size_t o = 0; o < strlen(b); o += 64)
			fprintf(f, "%.64s\n", b + o);
		fprintf(f, "-----END CMS-----\n");
	}
	fclose(f);
	return write_file_atomic(path, out, n, 0644);
}

int eimza_sign(struct eimza *app, int argc, char **argv)
{
	enum { OPT_SERVER = 256, OPT_CODE, OPT_TOKEN, OPT_PIN_STDIN, OPT_SAVE, OPT_CACERT, OPT_YES };
	static const struct option options[] = {
		{ "server", required_argument, NULL, OPT_SERVER },
		{ "code", required_argument, NULL, OPT_CODE },
		{ "token", required_argument, NULL, OPT_TOKEN },
		{ "pin-stdin", no_argument, NULL, OPT_PIN_STDIN },
		{ "save", required_argument, NULL, OPT_SAVE },
		{ "cacert", required_argument, NULL, OPT_CACERT },
		{ "yes", no_argument, NULL, OPT_YES },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *server = NULL, *code_arg = NULL, *token = NULL, *save = NULL, *cacert = NULL;
	bool pin_stdin = false, yes = false;
	char code[64], digits[32], pin[128];
	_cleanup_json_ json_t *req = NULL, *sess = NULL, *res = NULL, *sigs = NULL;
	struct p11_cert_info *certs = NULL;
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	struct p11_ctx *p11 = NULL;
	STACK_OF(X509) *chain = NULL;
	_cleanup_free_ char *why = NULL;
	const char *reason = NULL;
	size_t n_certs = 0, pick = 0, i;
	long status = 0;
	json_t *t;
	int c, r, rc = EIMZA_EXIT_ERROR;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
		switch (c) {
		case OPT_SERVER: server = optarg; break;
		case OPT_CODE: code_arg = optarg; break;
		case OPT_TOKEN: token = optarg; break;
		case OPT_PIN_STDIN: pin_stdin = true; break;
		case OPT_SAVE: save = optarg; break;
		case OPT_CACERT: cacert = optarg; break;
		case OPT_YES: yes = true; break;
		case 'h': help(); return EIMZA_EXIT_OK;
		default: return EIMZA_EXIT_USAGE;
		}
	}
	if (!server || optind < argc) {
		fprintf(stderr, "eimza sign: --server URL is required; try 'eimza sign --help'\n");
		return EIMZA_EXIT_USAGE;
	}
	if (client_url_allowed(server, &reason) < 0) {
		fprintf(stderr, "eimza: %s\n", reason);
		return EIMZA_EXIT_USAGE;
	}

	/* Doğrulama Kodu */
	if (code_arg)
		snprintf(code, sizeof(code), "%s", code_arg);
	else {
		printf("== Doğrulama Kodu ==\nTarayıcınızda bulunan doğrulama kodunu bu kutucuğa giriniz ve ileri butonuna tıklayınız.\n");
		if (tty_read_line("Doğrulama Kodu: ", false, code, sizeof(code)) < 0)
			return EIMZA_EXIT_USAGE;
	}
	if (code_normalize(code, digits, sizeof(digits)) < 0 || strlen(digits) != 16 ||
	    !checkdigit_valid(digits, 16)) {
		fprintf(stderr, "eimza: Doğrulama kodu hatalı yazılmış. Lütfen tarayıcınızdaki 16 haneli kodu kontrol ediniz.\n");
		return EIMZA_EXIT_CODE;
	}

	req = json_pack("{s:s}", "code", digits);
	r = client_post_json(server, "/api/v1/app/claim", req, cacert, &status, &sess, &why);
	OPENSSL_cleanse(digits, sizeof(digits));
	if (r < 0) {
		fprintf(stderr, "eimza: sunucuya ulaşılamadı (%s): %s\n", server, why ? why : "");
		return EIMZA_EXIT_NETWORK;
	}
	if (status != 200) {
		server_refusal(status, sess);
		return EIMZA_EXIT_CODE;
	}
	show_session(sess);

	r = p11_open(app->module, &p11);
	if (r < 0) {
		fprintf(stderr, "eimza: kart modülü açılamadı (%s): %s\n", app->module, strerror(-r));
		return EIMZA_EXIT_CARD;
	}
	r = p11_certs_list(p11, &certs, &n_certs);
	if (r < 0) {
		fprintf(stderr, "eimza: kartlar okunamadı: %s\n", strerror(-r));
		rc = EIMZA_EXIT_CARD;
		goto out;
	}
	r = choose_cert(certs, n_certs, token,
			json_string_value(json_object_get(sess, "tckn_masked")), !yes, &pick);
	if (r < 0) {
		rc = r == -EINVAL ? EIMZA_EXIT_USAGE : EIMZA_EXIT_CARD;
		goto out;
	}
	if (!yes && !tty_confirm("\nYukarıdaki metinleri imzalamak istiyor musunuz? [e/H] ")) {
		fprintf(stderr, "eimza: İşlem iptal edildi.\n");
		rc = EIMZA_EXIT_CANCELLED;
		goto out;
	}

	/* PIN Kodu */
	r = pin_stdin ? stdin_read_line(pin, sizeof(pin))
		      : tty_read_line("PIN Kodu: ", true, pin, sizeof(pin));
	if (r < 0 || !pin[0]) {
		fprintf(stderr, "eimza: PIN girilmedi.\n");
		rc = EIMZA_EXIT_USAGE;
		goto out;
	}
	r = p11_key_open(p11, certs[pick].token_label, pin, certs[pick].cert, &key);
	OPENSSL_cleanse(pin, sizeof(pin));
	if (r == -EACCES || r == -EPERM) {
		unsigned flags = 0;
		p11_pin_status(p11, certs[pick].token_label, &flags);
		if (r == -EPERM || (flags & P11_PIN_LOCKED))
			fprintf(stderr, "eimza: Kartınızın PIN'i bloke olmuş. \"PIN Oluşturma/Kilit Çözme\" işlemini kullanınız.\n");
		else if (flags & P11_PIN_FINAL_TRY)
			fprintf(stderr, "eimza: PIN hatalı. Dikkat: kartınız bir sonraki hatalı denemede bloke olacak.\n");
		else if (flags & P11_PIN_COUNT_LOW)
			fprintf(stderr, "eimza: PIN hatalı. Kalan deneme hakkınız azaldı.\n");
		else
			fprintf(stderr, "eimza: PIN hatalı.\n");
		rc = EIMZA_EXIT_PIN;
		goto out;
	}
	if (r < 0) {
		fprintf(stderr, "eimza: kart anahtarı açılamadı: %s\n", strerror(-r));
		rc = EIMZA_EXIT_CARD;
		goto out;
	}

	/* The CA certificates on the same card go into each signature. */
	chain = sk_X509_new_null();
	if (!chain)
		goto out;
	for (size_t j = 0; j < n_certs; j++)
		if (j != pick && streq(certs[j].token_label, certs[pick].token_label) &&
		    X509_check_ca(certs[j].cert) > 0)
			sk_X509_push(chain, certs[j].cert);
	sigs = json_array();
	json_array_foreach(json_object_get(sess, "texts"), i, t) {
		_cleanup_free_ unsigned char *der = NULL;
		_cleanup_free_ char *b64 = NULL;
		const char *text = json_string_value(t);
		size_t len = 0;

		r = cades_sign(key, certs[pick].cert, chain, text, strlen(text), &der, &len);
		if (r < 0 || base64_encode(der, len, &b64) < 0) {
			fprintf(stderr, "eimza: imzalama başarısız: %s\n", strerror(-r));
			rc = EIMZA_EXIT_CARD;
			goto out;
		}
		json_array_append_new(sigs, json_string(b64));
	}

	json_decref(req);
	req = json_pack("{s:s,s:O}", "token", json_string_value(json_object_get(sess, "token")),
			"signatures", sigs);
	free(TAKE_PTR(why));
	r = client_post_json(server, "/api/v1/app/submit", req, cacert, &status, &res, &why);
	if (r < 0) {
		fprintf(stderr, "eimza: sunucuya ulaşılamadı: %s\n", why ? why : "");
		rc = EIMZA_EXIT_NETWORK;
		goto out;
	}
	if (status != 200) {
		rc = server_refusal(status, res);
		goto out;
	}
	printf("\n%s\n", json_string_value(json_object_get(res, "message")));
	if (save) {
		r = save_signed(save, sigs);
		if (r < 0)
			fprintf(stderr, "eimza: imzalı içerik kaydedilemedi (%s): %s\n", save, strerror(-r));
		else
			printf("İmzalı içerik kaydedildi: %s\n", save);
	}
	rc = EIMZA_EXIT_OK;
out:
	sk_X509_free(chain);	/* the certificates belong to certs */
	p11_cert_info_free_array(certs, n_certs);
	EVP_PKEY_free(TAKE_PTR(key));	/* before the module it lives in */
	p11_close(p11);
	return rc;
}
