/* app.c - what the eimza commands and the eimza-gui window share
 * besides libeimza-core: the configuration as the program applies it and
 * the exit code of each failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-build.h"
#include "eimza/eimza.h"

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

