/* cmd-pin.c - eimza pin: PIN Oluşturma / Kilit Çözme from the terminal or
 * a script (SPEC §6: eimza pin --server URL --code CODE [--new-pin-stdin]
 * [--yes]).
 *
 * The card and the new PIN first (the card present, the PIN's rules from
 * the card's limits), so that a mistake never uses the code up; then the
 * claim, the confirmation, and the reset itself (core/pin.c): the SO PIN
 * the server gives for this card and this session sets the new PIN, the
 * server's new SO PIN replaces it, and the card signs the session's text
 * with its new PIN as the confirmation.  No PIN is ever printed. */
#include <getopt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/json.h"
#include "eimza/core/cards.h"
#include "eimza/core/client.h"
#include "eimza/core/code.h"
#include "eimza/core/pin.h"
#include "eimza/core/session.h"
#include "eimza/eimza.h"
#include "eimza/tty.h"

static void help(void)
{
	printf("Kullanım: eimza pin [--server URL] [--code KOD] [SEÇENEKLER]\n"
	       "\n"
	       "PIN Oluşturma/Kilit Çözme: kartınıza yeni bir PIN kodu verir ve bloke\n"
	       "olmuş PIN'in kilidini çözer.  Tarayıcınızda \"PIN Oluşturma/Kilit Çözme\"\n"
	       "işlemini başlatıp gösterilen Doğrulama Kodunu giriniz.\n"
	       "\n"
	       "  --server URL      hizmetin adresi (https://, ya da bu bilgisayara http://);\n"
	       "                    verilmezse ayar dosyasındaki sunucu\n"
	       "  --code KOD        tarayıcıda görünen Doğrulama Kodu (verilmezse sorulur)\n"
	       "  --token ETİKET    bu etiketli kartı kullan\n"
	       "  --new-pin-stdin   yeni PIN'i standart girdinin ilk satırından oku\n"
	       "                    (verilmezse iki kez sorulur)\n"
	       "  --cacert DOSYA    https için bu CA dosyasına güven\n"
	       "  --yes             onay sorma\n"
	       "  --json            sonucu makine için JSON olarak da yaz (hata kodlarıyla)\n"
	       "  -h, --help        bu yardımı göster\n"
	       "\n"
	       "Yeni PIN: yalnızca rakam, kartın izin verdiği ölçüde 6-8 hane; aynı rakamın\n"
	       "tekrarı (111111) ve ardışık rakamlar (123456, 654321) olamaz.\n");
}

/* The card to reset: the one labelled token, else the only card with a
 * holder certificate that fits (eimza_cards_fit()). */
static int choose_card(struct eimza_cards *cards, const char *token, size_t *ret,
		       struct eimza_error *err)
{
	const char *label = NULL;
	size_t pick = 0;

	for (size_t i = 0; i < cards->n_certs; i++) {
		const struct eimza_cert *e = &cards->certs[i];

		if (!e->fits || (token && !streq(e->token_label, token)))
			continue;
		if (label && !streq(label, e->token_label))
			return eimza_error_set(err, EIMZA_FAIL_NO_CERT, EEXIST,
					       "Birden fazla kart takılı; --token ile kartı seçiniz.");
		if (!label) {
			label = e->token_label;
			pick = i;
		}
	}
	if (!label)
		return eimza_error_set(err, EIMZA_FAIL_NO_CERT, ENOENT,
				       "Takılı kartlarda merkezimizce verilmiş bir sertifika bulunamadı. "
				       "PIN'ini yenilemek istediğiniz kartı takınız.");
	*ret = pick;
	return 0;
}

/* The new PIN: one line of stdin, or asked twice on the terminal. */
static int read_new_pin(bool from_stdin, unsigned min, unsigned max, char *pin, size_t n,
			struct eimza_error *err)
{
	char again[128];
	int r;

	for (int tries = 0; tries < 3; tries++) {
		if (from_stdin)
			r = stdin_read_line(pin, n);
		else {
			fprintf(stderr, "Yeni PIN: %u-%u hane, yalnızca rakam.\n", min, max);
			r = tty_read_line("Yeni PIN Kodu: ", true, pin, n);
		}
		if (r < 0 || !pin[0])
			return eimza_error_set(err, EIMZA_FAIL_PIN_WRONG, ENODATA,
					       "Yeni PIN girilmedi.");
		r = eimza_pin_check(pin, min, max, err);
		if (r == 0 && !from_stdin) {
			r = tty_read_line("Yeni PIN Kodu (tekrar): ", true, again, sizeof(again));
			if (r < 0 || !streq(pin, again))
				r = eimza_error_set(err, EIMZA_FAIL_PIN_WRONG, EINVAL,
						    "Girdiğiniz iki PIN aynı değil.");
			OPENSSL_cleanse(again, sizeof(again));
		}
		if (r == 0)
			return 0;
		OPENSSL_cleanse(pin, n);
		if (from_stdin)
			return r;
		fprintf(stderr, "eimza: %s\n", err->message);
	}
	return -EINVAL;
}

static enum eimza_pin_stop test_stop(void)
{
	const char *s = getenv("EIMZA_TEST_STOP");

	if (!s)
		return EIMZA_STOP_NONE;
	return streq(s, "release")    ? EIMZA_STOP_RELEASE
	       : streq(s, "user-pin") ? EIMZA_STOP_USER_PIN
	       : streq(s, "so-pin")   ? EIMZA_STOP_SO_PIN
				      : EIMZA_STOP_NONE;
}

int eimza_pin(struct eimza *app, int argc, char **argv)
{
	enum { OPT_SERVER = 256, OPT_CODE, OPT_TOKEN, OPT_PIN_STDIN, OPT_CACERT, OPT_YES, OPT_JSON };
	static const struct option options[] = {
		{ "server", required_argument, NULL, OPT_SERVER },
		{ "code", required_argument, NULL, OPT_CODE },
		{ "token", required_argument, NULL, OPT_TOKEN },
		{ "new-pin-stdin", no_argument, NULL, OPT_PIN_STDIN },
		{ "cacert", required_argument, NULL, OPT_CACERT },
		{ "yes", no_argument, NULL, OPT_YES },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *server = NULL, *code_arg = NULL, *token = NULL, *cacert = NULL;
	bool pin_stdin = false, yes = false, json = false;
	char pin[128];
	struct eimza_session sess = { 0 };
	struct eimza_cards cards = { 0 };
	struct eimza_error err = { 0 };
	_cleanup_free_ char *message = NULL;
	unsigned min = 6, max = 8;
	size_t pick = 0;
	int c, r, rc = EIMZA_EXIT_ERROR;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
		switch (c) {
		case OPT_SERVER: server = optarg; break;
		case OPT_CODE: code_arg = optarg; break;
		case OPT_TOKEN: token = optarg; break;
		case OPT_PIN_STDIN: pin_stdin = true; break;
		case OPT_CACERT: cacert = optarg; break;
		case OPT_YES: yes = true; break;
		case OPT_JSON: json = true; break;
		case 'h': help(); return EIMZA_EXIT_OK;
		default: return EIMZA_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "eimza pin: beklenmeyen '%s'; 'eimza pin --help' ile kullanımı "
				"görebilirsiniz.\n", argv[optind]);
		return EIMZA_EXIT_USAGE;
	}
	r = eimza_cli_server(app, "pin", &server, &cacert);
	if (r != 0)
		return r;
	memset(pin, 0, sizeof(pin));

	/* The card and the new PIN before the code: a mistake here must not
	 * use the code up.  Which card is known once the code names the
	 * holder; the PIN must suit every card that may be it. */
	r = eimza_cards_open(&app->cfg, NULL, &cards, &err);
	if (r == 0) {
		eimza_cards_fit(&cards, NULL);
		r = choose_card(&cards, token, &pick, &err);
		if (r == -EEXIST)
			r = 0;
	}
	for (size_t i = 0; r == 0 && i < cards.n_certs; i++) {
		unsigned lo, hi;

		if (!cards.certs[i].fits || (token && !streq(cards.certs[i].token_label, token)) ||
		    eimza_pin_limits(&cards, i, &lo, &hi) < 0)
			continue;
		min = MAX(min, lo);
		max = MIN(max, hi);
	}
	if (r == 0)
		r = read_new_pin(pin_stdin, min, max, pin, sizeof(pin), &err);
	if (r < 0) {
		rc = eimza_cli_fail(json, &err, false);
		if (r == -EEXIST)
			rc = EIMZA_EXIT_USAGE;	/* several cards: --token */
		goto out;
	}

	/* Doğrulama Kodu */
	rc = eimza_cli_claim(code_arg, "== Doğrulama Kodu ==\nTarayıcınızda bulunan doğrulama kodunu giriniz.\n", server, cacert, json, &sess, &err);
	if (rc != 0)
		goto out;
	rc = EIMZA_EXIT_ERROR;
	if (!sess.purpose || !streq(sess.purpose, "pin-reset")) {
		eimza_error_set(&err, EIMZA_FAIL_CODE, EINVAL,
				"Bu doğrulama kodu PIN Oluşturma/Kilit Çözme için değil (%s); "
				"'eimza sign' ile kullanınız.", sess.purpose_text ? sess.purpose_text : "?");
		rc = eimza_cli_fail(json, &err, false);
		goto out;
	}
	/* The card must be this holder's (the server checks it too). */
	eimza_cards_fit(&cards, sess.tckn_masked);
	r = choose_card(&cards, token, &pick, &err);
	if (r < 0) {
		if (r == -ENOENT) {
			eimza_report(&sess, "no_cert");
			eimza_error_set(&err, EIMZA_FAIL_NO_CERT, ENOENT,
					"Takılı kartlarda bu işlemi başlatan kişinin sertifikası yok. "
					"Kendi kartınızı takıp aynı kodu tekrar giriniz.");
		}
		rc = eimza_cli_fail(json, &err, false);
		if (r == -EEXIST)
			rc = EIMZA_EXIT_USAGE;
		goto out;
	}
	eimza_cli_show_session(&sess);
	printf("Kart: %s (%s)\n", cards.certs[pick].token_label, cards.certs[pick].info.common_name);
	if (!yes && !tty_confirm("\nKartınızın PIN kodunu yenilemek istiyor musunuz? [e/H] ")) {
		eimza_report(&sess, "declined");
		fprintf(stderr, "eimza: İşlem iptal edildi. Doğrulama kodu süresi dolana kadar "
				"geçerlidir; aynı kodu bu bilgisayarda tekrar girebilirsiniz.\n");
		rc = EIMZA_EXIT_CANCELLED;
		goto out;
	}
	printf("Kartınıza yeni PIN yazılıyor; lütfen kartınızı çıkarmayınız...\n");
	fflush(stdout);
	r = eimza_pin_reset(&cards, pick, &sess, pin, test_stop(), &message, &err);
	OPENSSL_cleanse(pin, sizeof(pin));
	if (r < 0) {
		rc = eimza_cli_fail(json, &err, true);
		goto out;
	}
	printf("\n%s\n", message);
	eimza_cli_json(json, NULL, message);
	rc = EIMZA_EXIT_OK;
out:
	OPENSSL_cleanse(pin, sizeof(pin));
	eimza_cards_done(&cards);
	eimza_session_done(&sess);
	return rc;
}
