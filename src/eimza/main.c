/* main.c - eimza, the e-İmza signing application.
 *
 * With no command on a desktop (or "gui", or an eimza:// link) it opens
 * the window (gui.c); the commands sign, certs and verify serve scripts.
 * Both sides go through libeimza-core (core/) for the server and the
 * card.  Subcommands are dispatched from a table; see docs/EIMZA.md for
 * exit codes. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "common/util.h"
#include "config-build.h"
#include "eimza/eimza.h"

static const struct eimza_command commands[] = {
	{ "sign", "tarayıcıda başlatılan işlemin metinlerini Doğrulama Kodu ile imzalar", eimza_sign },
	{ "certs", "takılı kartlardaki sertifikaları listeler", eimza_certs },
	{ "verify", "kaydedilmiş imzalı içerik için çevrim dışı doğrulama raporu", eimza_verify },
	{ "gui", "e-İmza Uygulaması penceresini açar", eimza_gui },
	{ "help", "bu yardımı gösterir", NULL },
};

static void help(void)
{
	printf("Kullanım: eimza [--module YOL] [KOMUT [SEÇENEKLER]]\n"
	       "          eimza [--uri] 'eimza://sign?code=KOD'\n"
	       "\n"
	       "e-İmza Uygulaması: tarayıcınızda başlattığınız işlemin metinlerini\n"
	       "kartınızdaki sertifika ile imzalar.  Komut verilmezse masaüstünde\n"
	       "uygulama penceresi açılır.\n"
	       "\n"
	       "Komutlar:\n");
	for (size_t i = 0; i < ELEMENTSOF(commands); i++)
		printf("  %-8s %s\n", commands[i].name, commands[i].help);
	printf("\nÇıkış kodları: 0 başarılı, 1 hata, 2 kullanım, 3 kod reddedildi, 4 imza reddedildi,\n"
	       "5 PIN, 6 kart, 7 ağ, 8 iptal, 9 imza geçersiz (docs/EIMZA.md)\n");
	printf("\nSeçenekler:\n"
	       "  --module YOL    kartın PKCS#11 modülü (varsayılan: %s içindekiler,\n"
	       "                  yoksa %s)\n"
	       "  --uri BAĞLANTI  pencereyi bir eimza:// bağlantısındaki kodla açar\n"
	       "  -h, --help      bu yardımı gösterir\n"
	       "  --version       sürümü gösterir\n"
	       "\nAyarlar: %s (sunucu adresi, kart modülleri); EIMZA_CONFIG başka bir dosya seçer.\n",
	       EIMZA_CONFIG_PATH, EONAY_SOFTHSM_MODULE, EIMZA_CONFIG_PATH);
}

int eimza_app_config(struct eimza *app, bool gui)
{
	int r, line = 0;

	if (app->cfg_loaded)
		return 0;
	r = eimza_config_load(NULL, &app->cfg, &line);
	if (r < 0) {
		const char *path = getenv("EIMZA_CONFIG");
		if (line > 0)
			fprintf(stderr, "eimza: ayar dosyası %s, satır %d okunamadı.\n",
				path && *path ? path : EIMZA_CONFIG_PATH, line);
		else
			fprintf(stderr, "eimza: ayar dosyası %s okunamadı: %s\n",
				path && *path ? path : EIMZA_CONFIG_PATH, strerror(-r));
		return r;
	}
	if (app->module)
		r = eimza_config_set_module(&app->cfg, app->module);
	else if (gui)
		r = eimza_config_default_modules(&app->cfg, EONAY_SOFTHSM_MODULE);
	else if (app->cfg.n_modules == 0)
		r = eimza_config_set_module(&app->cfg, EONAY_SOFTHSM_MODULE);
	if (r < 0)
		return r;
	app->cfg_loaded = true;
	return 0;
}

int eimza_exit_code(const struct eimza_error *err, bool at_submit)
{
	switch (err->kind) {
	case EIMZA_FAIL_NONE:
		return EIMZA_EXIT_OK;
	case EIMZA_FAIL_CODE:
		return EIMZA_EXIT_CODE;
	case EIMZA_FAIL_EXPIRED:
		return at_submit ? EIMZA_EXIT_REFUSED : EIMZA_EXIT_CODE;
	case EIMZA_FAIL_NETWORK:
		return EIMZA_EXIT_NETWORK;
	case EIMZA_FAIL_REFUSED:
		return EIMZA_EXIT_REFUSED;
	case EIMZA_FAIL_NO_MODULE:
	case EIMZA_FAIL_NO_CARD:
	case EIMZA_FAIL_NO_CERT:
	case EIMZA_FAIL_CARD:
		return EIMZA_EXIT_CARD;
	case EIMZA_FAIL_PIN_WRONG:
	case EIMZA_FAIL_PIN_LOCKED:
		return EIMZA_EXIT_PIN;
	case EIMZA_FAIL_INTERNAL:
		break;
	}
	return EIMZA_EXIT_ERROR;
}

int main(int argc, char **argv)
{
	enum { OPT_MODULE = 256, OPT_VERSION, OPT_URI };
	static const struct option options[] = {
		{ "module", required_argument, NULL, OPT_MODULE },
		{ "uri", required_argument, NULL, OPT_URI },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{}
	};
	struct eimza app = { 0 };
	int c, rc;

	while ((c = getopt_long(argc, argv, "+h", options, NULL)) >= 0) {
		switch (c) {
		case OPT_MODULE:
			app.module = optarg;
			break;
		case OPT_URI:
			app.uri = optarg;
			break;
		case 'h':
			help();
			return 0;
		case OPT_VERSION:
			printf("eimza %s\n", EONAY_VERSION);
			return 0;
		default:
			fprintf(stderr, "eimza: 'eimza --help' ile kullanımı görebilirsiniz.\n");
			return EIMZA_EXIT_USAGE;
		}
	}
	/* A link handed over by the desktop: "eimza eimza://sign?code=..."
	 * (the .desktop file's %u). */
	if (optind < argc && strncasecmp(argv[optind], "eimza:", 6) == 0) {
		app.uri = argv[optind++];
		if (optind < argc) {
			fprintf(stderr, "eimza: bağlantıdan sonra başka bir şey verilemez.\n");
			return EIMZA_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		const char *x = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");

		if (app.uri || (x && *x) || (w && *w)) {
			char *gui_argv[] = { (char *)"gui", NULL };
			rc = eimza_gui(&app, 1, gui_argv);
			eimza_config_done(&app.cfg);
			return rc;
		}
		help();
		return EIMZA_EXIT_USAGE;
	}
	for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
		if (!streq(commands[i].name, argv[optind]))
			continue;
		if (!commands[i].run) {
			help();
			return 0;
		}
		rc = commands[i].run(&app, argc - optind, argv + optind);
		eimza_config_done(&app.cfg);
		return rc;
	}
	fprintf(stderr, "eimza: bilinmeyen komut '%s'; 'eimza --help' ile kullanımı görebilirsiniz.\n",
		argv[optind]);
	return EIMZA_EXIT_USAGE;
}
