/* cmd-sign.c - eimza sign: the holder's side of the ceremony for scripts
 * and terminals.
 *
 * The cards (checked before the code is used) -> Doğrulama Kodu -> (check
 * digit) -> claim at the server -> show Sözleşme (purpose, texts, dates,
 * remaining time, where and when the session was started) -> Sertifika
 * Seçimi -> PIN Kodu (again after a wrong one) -> sign each text on the
 * card -> submit -> "İşleminiz Başarılıdır ..." or the server's reason.
 * A wrong PIN or a "no" is reported to the page; the code stays good.
 * Every step is libeimza-core's (core/), the same code the window runs. */
#include <getopt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <time.h>

#include "common/json.h"
#include "eimza/core/cards.h"
#include "eimza/core/client.h"
#include "eimza/core/code.h"
#include "eimza/core/session.h"
#include "eimza/eimza.h"
#include "eimza/tty.h"

static void help(void)
{
	printf("Kullanım: eimza sign [--server URL] [--code KOD] [SEÇENEKLER]\n"
	       "\n"
	       "Tarayıcınızda başlattığınız işlemin metinlerini kartınızdaki\n"
	       "sertifika ile imzalar.\n"
	       "\n"
	       "  --server URL     hizmetin adresi (https://, ya da bu bilgisayara http://);\n"
	       "                   verilmezse ayar dosyasındaki sunucu\n"
	       "  --code KOD       tarayıcıda görünen Doğrulama Kodu (verilmezse sorulur)\n"
	       "  --token ETİKET   bu etiketli kartı kullan\n"
	       "  --pin-stdin      PIN'i standart girdinin ilk satırından oku\n"
	       "  --save DOSYA     imzalı içeriği kaydet (İmzalı İçeriği kaydet)\n"
	       "  --cacert DOSYA   https için bu CA dosyasına güven\n"
	       "  --yes            imzalamadan önce onay sorma\n"
	       "  --json           sonucu makine için JSON olarak da yaz (hata kodlarıyla)\n"
	       "  -h, --help       bu yardımı göster\n");
}

/* The outcome for scripts: one JSON line on stdout with --json. */
void eimza_cli_json(bool json, const struct eimza_error *err, const char *message)
{
	json_t *o;
	char *s;

	if (!json)
		return;
	if (!err || err->kind == EIMZA_FAIL_NONE)
		o = json_pack("{s:b,s:s?}", "ok", 1, "message", message);
	else
		o = json_pack("{s:b,s:{s:s,s:s,s:I,s:s}}", "ok", 0, "error", "code",
			      err->code[0] ? err->code : "local", "message", err->message, "status",
			      (json_int_t)err->status, "detail", err->detail);
	s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	printf("%s\n", s ? s : "{}");
	free(s);
	json_decref(o);
}

int eimza_cli_fail(bool json, const struct eimza_error *err, bool at_submit)
{
	fprintf(stderr, "eimza: %s\n", err->message);
	if (err->detail[0])
		fprintf(stderr, "eimza: (ayrıntı: %s)\n", err->detail);
	eimza_cli_json(json, err, NULL);
	return eimza_exit_code(err, at_submit);
}

int eimza_cli_claim(const char *code_arg, const char *intro, const char *server,
		    const char *cacert, bool json, struct eimza_session *sess,
		    struct eimza_error *err)
{
	char code[64], digits[EIMZA_CODE_DIGITS + 1];
	int r;

	if (code_arg)
		snprintf(code, sizeof(code), "%s", code_arg);
	else {
		fputs(intro, stdout);
		if (tty_read_line("Doğrulama Kodu: ", false, code, sizeof(code)) < 0)
			return EIMZA_EXIT_USAGE;
	}
	r = eimza_code_check(code, digits, NULL);
	OPENSSL_cleanse(code, sizeof(code));
	if (r != EIMZA_CODE_OK) {
		eimza_error_set(err, EIMZA_FAIL_CODE, EINVAL,
				"Doğrulama kodu hatalı yazılmış. Lütfen tarayıcınızdaki 16 haneli kodu kontrol ediniz.");
		return eimza_cli_fail(json, err, false);
	}
	r = eimza_claim(server, cacert, digits, sess, err);
	OPENSSL_cleanse(digits, sizeof(digits));
	return r < 0 ? eimza_cli_fail(json, err, false) : 0;
}

int eimza_cli_server(struct eimza *app, const char *cmd, const char **server,
		     const char **cacert)
{
	const char *reason = NULL;

	if (eimza_app_config(app, false) < 0)
		return EIMZA_EXIT_USAGE;
	if (!*server)
		*server = app->cfg.server;
	if (!*cacert)
		*cacert = app->cfg.cafile;
	if (!*server) {
		fprintf(stderr, "eimza %s: sunucu adresi gerekli: --server URL veriniz ya da %s "
				"dosyasına yazınız; 'eimza %s --help'\n", cmd, EIMZA_CONFIG_PATH, cmd);
		return EIMZA_EXIT_USAGE;
	}
	if (client_url_allowed(*server, &reason) < 0) {
		fprintf(stderr, "eimza: %s\n", reason);
		return EIMZA_EXIT_USAGE;
	}
	return 0;
}

void eimza_cli_show_session(const struct eimza_session *s)
{
	char created[32], now[32];
	size_t i;
	json_t *t;

	eimza_format_time(s->created_at, created);
	eimza_format_time(time(NULL), now);
	printf("\n== Sözleşme ==\n");
	printf("İşlem: %s\n", s->purpose_text ? s->purpose_text : "");
	printf("Bu işlem %s tarihinde %s adresinden başlatıldı (T.C. Kimlik No %s).\n", created,
	       s->client_addr ? s->client_addr : "?", s->tckn_masked);
	printf("Bu kodu size başkası verdiyse imzalamayınız.\n");
	if (eimza_session_relayed(s))
		printf("UYARI: Bu işlem başka bir bilgisayardan başlatılmış olabilir (işlemi başlatan "
		       "adres %s, bu bilgisayarın adresi %s). Bu işlemi siz başlatmadıysanız "
		       "imzalamayınız.\n", s->client_addr, s->app_addr);
	printf("\n");
	json_array_foreach(s->texts, i, t) {
		printf("İmzalanacak Metin %zu:\n  ", i + 1);
		for (const char *c = json_string_value(t); c && *c; c++)
			fputs(*c == '\n' ? "\n  " : (char[]){ *c, 0 }, stdout);
		printf("\n\n");
	}
	printf("Oluşturma Tarihi: %s   İmzalama Tarihi: %s\n", created, now);
	printf("Kalan Süre: %lld saniye\n\n", (long long)eimza_session_remaining(s));
}

/* Lists the fitting certificates and returns the one to use. */
static int choose_cert(const struct eimza_cards *cards, const char *token, bool interactive,
		       size_t *ret, struct eimza_error *err)
{
	size_t fit[64], k = 0;
	int r;

	printf("== Sertifika Seçimi ==\n");
	for (size_t i = 0; i < cards->n_certs && k < ELEMENTSOF(fit); i++) {
		const struct eimza_cert *e = &cards->certs[i];
		char until[32];

		if (!e->fits || (token && !streq(e->token_label, token)))
			continue;
		eimza_format_time(e->info.not_after, until);
		printf("  [%zu] %s  T.C. %s  son geçerlilik %s  (kart %s)\n", k + 1,
		       e->info.common_name, e->tckn_masked, until, e->token_label);
		fit[k++] = i;
	}
	r = eimza_cards_pick(cards, token, ret, err);
	if (r != -EEXIST)
		return r;
	if (!interactive) {
		eimza_error_set(err, EIMZA_FAIL_NO_CERT, EINVAL,
				"Birden fazla sertifika uygun; --token ile kartı seçiniz.");
		return -EINVAL;
	}
	for (;;) {
		char ans[16];
		int64_t v;

		if (tty_read_line("Sertifika seçiniz (numara): ", false, ans, sizeof(ans)) < 0)
			return eimza_error_set(err, EIMZA_FAIL_NO_CERT, ENODATA, "Sertifika seçilmedi.");
		if (parse_int64(ans, 1, (int64_t)k, &v) == 0) {
			*ret = fit[v - 1];
			return 0;
		}
	}
}

int eimza_sign(struct eimza *app, int argc, char **argv)
{
	enum { OPT_SERVER = 256, OPT_CODE, OPT_TOKEN, OPT_PIN_STDIN, OPT_SAVE, OPT_CACERT, OPT_YES,
	       OPT_JSON };
	static const struct option options[] = {
		{ "server", required_argument, NULL, OPT_SERVER },
		{ "code", required_argument, NULL, OPT_CODE },
		{ "token", required_argument, NULL, OPT_TOKEN },
		{ "pin-stdin", no_argument, NULL, OPT_PIN_STDIN },
		{ "save", required_argument, NULL, OPT_SAVE },
		{ "cacert", required_argument, NULL, OPT_CACERT },
		{ "yes", no_argument, NULL, OPT_YES },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *server = NULL, *code_arg = NULL, *token = NULL, *save = NULL, *cacert = NULL;
	bool pin_stdin = false, yes = false, json = false;
	char pin[128];
	struct eimza_session sess = { 0 };
	struct eimza_cards cards = { 0 };
	struct eimza_error err = { 0 };
	_cleanup_json_ json_t *sigs = NULL;
	_cleanup_free_ char *message = NULL;
	size_t pick = 0;
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
		case OPT_JSON: json = true; break;
		case 'h': help(); return EIMZA_EXIT_OK;
		default: return EIMZA_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "eimza sign: beklenmeyen '%s'; 'eimza sign --help' ile kullanımı "
				"görebilirsiniz.\n", argv[optind]);
		return EIMZA_EXIT_USAGE;
	}
	r = eimza_cli_server(app, "sign", &server, &cacert);
	if (r != 0)
		return r;

	/* The card first: a missing card or certificate must not use the
	 * code up (it is claimed only once there is something to sign with). */
	r = eimza_cards_open(&app->cfg, NULL, &cards, &err);
	if (r == 0) {
		eimza_cards_fit(&cards, NULL);	/* any holder certificate valid now */
		r = eimza_cards_pick(&cards, token, &pick, &err);
	}
	if (r < 0 && r != -EEXIST) {
		rc = eimza_cli_fail(json, &err, false);
		goto out;
	}

	/* Doğrulama Kodu */
	rc = eimza_cli_claim(code_arg, "== Doğrulama Kodu ==\nTarayıcınızda bulunan doğrulama kodunu bu kutucuğa giriniz ve ileri butonuna tıklayınız.\n", server, cacert, json, &sess, &err);
	if (rc != 0)
		goto out;
	rc = EIMZA_EXIT_ERROR;
	if (sess.purpose && streq(sess.purpose, "pin-reset")) {
		eimza_error_set(&err, EIMZA_FAIL_CODE, EINVAL,
				"Bu doğrulama kodu PIN Oluşturma/Kilit Çözme içindir; 'eimza pin' ile "
				"kullanınız.");
		rc = eimza_cli_fail(json, &err, false);
		goto out;
	}
	eimza_cli_show_session(&sess);

	eimza_cards_fit(&cards, sess.tckn_masked);
	r = choose_cert(&cards, token, !yes, &pick, &err);
	if (r < 0) {
		if (err.kind == EIMZA_FAIL_NO_CERT && r != -EINVAL)
			eimza_report(&sess, "no_cert");
		rc = eimza_cli_fail(json, &err, false);
		if (r == -EINVAL)
			rc = EIMZA_EXIT_USAGE;
		goto out;
	}
	if (!yes && !tty_confirm("\nYukarıdaki metinleri imzalamak istiyor musunuz? [e/H] ")) {
		eimza_report(&sess, "declined");
		fprintf(stderr, "eimza: İşlem iptal edildi. Doğrulama kodu süresi dolana kadar "
				"geçerlidir; aynı kodu bu bilgisayarda tekrar girebilirsiniz.\n");
		rc = EIMZA_EXIT_CANCELLED;
		goto out;
	}

	/* PIN Kodu: a wrong PIN keeps the session (the same token); on the
	 * terminal the holder tries again, with --pin-stdin the code may be
	 * entered again. */
	for (;;) {
		r = pin_stdin ? stdin_read_line(pin, sizeof(pin))
			      : tty_read_line("PIN Kodu: ", true, pin, sizeof(pin));
		if (r < 0 || !pin[0]) {
			OPENSSL_cleanse(pin, sizeof(pin));
			fprintf(stderr, "eimza: PIN girilmedi.\n");
			rc = EIMZA_EXIT_USAGE;
			goto out;
		}
		r = eimza_cards_sign(&cards, pick, pin, sess.texts, &sigs, &err);
		OPENSSL_cleanse(pin, sizeof(pin));
		if (r == 0)
			break;
		if (err.kind == EIMZA_FAIL_PIN_WRONG || err.kind == EIMZA_FAIL_PIN_LOCKED)
			eimza_report(&sess, err.kind == EIMZA_FAIL_PIN_WRONG ? "pin_wrong" : "pin_locked");
		if (err.kind == EIMZA_FAIL_PIN_WRONG && !pin_stdin && eimza_session_remaining(&sess) > 0) {
			fprintf(stderr, "eimza: %s\n", err.message);
			continue;
		}
		if (err.kind == EIMZA_FAIL_PIN_WRONG)
			snprintf(err.message + strlen(err.message), sizeof(err.message) - strlen(err.message),
				 " Doğrulama kodu süresi dolana kadar geçerlidir; aynı kodu tekrar girebilirsiniz.");
		rc = eimza_cli_fail(json, &err, false);
		goto out;
	}
	r = eimza_submit(&sess, sigs, &message, &err);
	if (r < 0) {
		rc = eimza_cli_fail(json, &err, true);
		goto out;
	}
	printf("\n%s\n", message);
	if (save) {
		r = eimza_save_signed(save, sigs);
		if (r < 0)
			fprintf(stderr, "eimza: imzalı içerik kaydedilemedi (%s): %s\n", save, strerror(-r));
		else
			printf("İmzalı içerik kaydedildi: %s\n", save);
	}
	eimza_cli_json(json, NULL, message);
	rc = EIMZA_EXIT_OK;
out:
	eimza_cards_done(&cards);
	eimza_session_done(&sess);
	return rc;
}
