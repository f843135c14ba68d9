/* gui-main.c - eimza-gui, the e-İmza window as its own program.
 *
 *   eimza-gui [--module PATH] [--uri eimza://sign?code=CODE]
 *
 * Executed by eimza (main.c) for "eimza", "eimza gui" and eimza:// links;
 * a separate program so that eimza's commands start without GTK. */
#include <getopt.h>
#include <stdio.h>

#include "eimza/eimza.h"

int main(int argc, char **argv)
{
	enum { OPT_MODULE = 256, OPT_URI };
	static const struct option options[] = {
		{ "module", required_argument, NULL, OPT_MODULE },
		{ "uri", required_argument, NULL, OPT_URI },
		{}
	};
	struct eimza app = { 0 };
	char *gui_argv[] = { (char *)"gui", NULL };
	int c, rc;

	while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
		switch (c) {
		case OPT_MODULE:
			app.module = optarg;
			break;
		case OPT_URI:
			app.uri = optarg;
			break;
		default:
			fprintf(stderr, "eimza-gui: 'eimza --help' ile kullanımı görebilirsiniz.\n");
			return EIMZA_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "eimza-gui: beklenmeyen '%s'\n", argv[optind]);
		return EIMZA_EXIT_USAGE;
	}
	rc = eimza_gui(&app, 1, gui_argv);
	eimza_config_done(&app.cfg);
	return rc;
}
