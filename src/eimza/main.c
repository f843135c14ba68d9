/* main.c - eimza, the e-İmza signing application.
 *
 * Talks to eonayd over HTTP(S) and to the card over PKCS#11.  Subcommands
 * are dispatched from a table; see docs/EIMZA.md for exit codes. */
#include <getopt.h>
#include <stdio.h>

#include "common/util.h"
#include "config-build.h"
#include "eimza/eimza.h"

static const struct eimza_command commands[] = {
	{ "sign", "sign the texts of a session with a Doğrulama Kodu", eimza_sign },
	{ "certs", "list the certificates on the cards", eimza_certs },
	{ "verify", "offline validation report for a saved signed content file", eimza_verify },
	{ "help", "show this help", NULL },
};

static void help(void)
{
	printf("Usage: eimza [--module PATH] COMMAND [OPTIONS]\n"
	       "\n"
	       "e-İmza Uygulaması: signs the texts of an eonay session with the\n"
	       "certificate on your card.\n"
	       "\n"
	       "Commands:\n");
	for (size_t i = 0; i < ELEMENTSOF(commands); i++)
		printf("  %-8s %s\n", commands[i].name, commands[i].help);
	printf("\nExit codes: 0 ok, 1 error, 2 usage, 3 code refused, 4 signature refused,\n"
	       "5 PIN, 6 card, 7 network, 8 cancelled, 9 signature not valid (docs/EIMZA.md)\n");
	printf("\nOptions:\n"
	       "  --module PATH   PKCS#11 module of the card (default %s)\n"
	       "  -h, --help      show this help\n"
	       "  --version       show the version\n",
	       EONAY_SOFTHSM_MODULE);
}

int main(int argc, char **argv)
{
	enum { OPT_MODULE = 256, OPT_VERSION };
	static const struct option options[] = {
		{ "module", required_argument, NULL, OPT_MODULE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{}
	};
	struct eimza app = { .module = EONAY_SOFTHSM_MODULE };
	int c;

	while ((c = getopt_long(argc, argv, "+h", options, NULL)) >= 0) {
		switch (c) {
		case OPT_MODULE:
			app.module = optarg;
			break;
		case 'h':
			help();
			return 0;
		case OPT_VERSION:
			printf("eimza %s\n", EONAY_VERSION);
			return 0;
		default:
			fprintf(stderr, "eimza: try 'eimza --help'\n");
			return EIMZA_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
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
		return commands[i].run(&app, argc - optind, argv + optind);
	}
	fprintf(stderr, "eimza: unknown command '%s'; try 'eimza --help'\n", argv[optind]);
	return EIMZA_EXIT_USAGE;
}
