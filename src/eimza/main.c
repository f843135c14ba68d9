/* main.c - eimza, the e-İmza signing application.
 *
 * With no command on a desktop (or "gui", or an eimza:// link) it opens
 * the window: it executes eimza-gui (gui-main.c), so that the commands
 * and --version never load GTK's ~90 libraries.  The commands sign,
 * certs and verify serve scripts.
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
	{ "pin", "PIN Oluşturma/Kilit Çözme: karta Doğrulama Kodu ile yeni PIN verir", eimza_pin },
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
