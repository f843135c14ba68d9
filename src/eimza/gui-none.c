/* gui-none.c - eimza_gui() for builds without GTK 4: says so. */
#include <stdio.h>

#include "eimza/eimza.h"

int eimza_gui(struct eimza *app, int argc, char **argv)
{
	fprintf(stderr, "eimza: bu kurulumda uygulama penceresi yok (GTK 4 olmadan derlenmiş). "
			"Komut satırından 'eimza sign' kullanınız; 'eimza --help'.\n");
	return EIMZA_EXIT_USAGE;
}
