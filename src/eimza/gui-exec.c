/* gui-exec.c - eimza_gui() in the eimza program: executes eimza-gui
 * (next to this program in a build tree, else EIMZA_GUI_PATH), handing
 * over --module and the link.  Without a GTK 4 build there is no
 * eimza-gui: it says so. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "eimza-build.h"
#include "eimza/eimza.h"

int eimza_gui(struct eimza *app, int argc, char **argv)
{
	char self[PATH_MAX], sibling[PATH_MAX + 16];
	const char *path = EIMZA_GUI_PATH;
	char *args[8];
	size_t n = 0;
	ssize_t k;

	if (argc > 1) {
		fprintf(stderr, "eimza gui: argüman almaz (bağlantı için: eimza --uri BAĞLANTI)\n");
		return EIMZA_EXIT_USAGE;
	}
	if (!EIMZA_HAVE_GUI) {
		fprintf(stderr, "eimza: bu kurulumda uygulama penceresi yok (GTK 4 olmadan "
				"derlenmiş). Komut satırından 'eimza sign' kullanınız; 'eimza --help'.\n");
		return EIMZA_EXIT_USAGE;
	}
	k = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (k > 0) {
		self[k] = '\0';
		snprintf(sibling, sizeof(sibling), "%s/eimza-gui", dirname(self));
		if (access(sibling, X_OK) == 0)
			path = sibling;
	}
	args[n++] = (char *)"eimza-gui";
	if (app->module) {
		args[n++] = (char *)"--module";
		args[n++] = (char *)app->module;
	}
	if (app->uri) {
		args[n++] = (char *)"--uri";
		args[n++] = (char *)app->uri;
	}
	args[n] = NULL;
	execv(path, args);
	fprintf(stderr, "eimza: uygulama penceresi başlatılamadı (%s): %s\n", path, strerror(errno));
	return EIMZA_EXIT_ERROR;
}
