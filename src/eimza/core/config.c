/* config.c - reads /etc/eimza/eimza.conf (or $EIMZA_CONFIG) into struct
 * eimza_config, and knows the card drivers tried when the file names
 * none.  Part of libeimza-core: no GTK, no printing. */
#include "eimza/core/config.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "eimza/core/client.h"

/* Drivers of the cards sold in Turkey (AKİS, SafeNet/Gemalto, Tübitak
 * kart okuyucu sürücüleri) and OpenSC, where the package put them. */
static const char *const known_modules[] = {
	"/usr/lib/libakisp11.so",
	"/usr/lib/x86_64-linux-gnu/libakisp11.so",
	"/usr/lib/libeTPkcs11.so",
	"/usr/lib/x86_64-linux-gnu/libeTPkcs11.so",
	"/usr/lib/libIDPrimePKCS11.so",
	"/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
	"/usr/lib/opensc-pkcs11.so",
};

static int add_module(struct eimza_config *c, const char *m)
{
	char *d;

	for (size_t i = 0; i < c->n_modules; i++)
		if (streq(c->modules[i], m))
			return 0;
	if (c->n_modules >= EIMZA_MODULES_MAX)
		return -E2BIG;
	d = strdup(m);
	if (!d)
		return -ENOMEM;
	c->modules[c->n_modules++] = d;
	return 0;
}

static int set_str(char **field, const char *v)
{
	char *d = strdup(v);

	if (!d)
		return -ENOMEM;
	free(*field);
	*field = d;
	return 0;
}

static int on_line(void *user, const char *section, const char *name, const char *value)
{
	struct eimza_config *c = user;
	const char *why;

	if (streq(section, "server") && streq(name, "url")) {
		if (client_url_allowed(value, &why) < 0)
			return 0;
		return set_str(&c->server, value) == 0;
	}
	if (streq(section, "server") && streq(name, "cafile"))
		return set_str(&c->cafile, value) == 0;
	if (streq(section, "card") && streq(name, "module"))
		return add_module(c, value) == 0;
	return 0;	/* unknown keys are errors: a typo must not go unnoticed */
}

int eimza_config_load(const char *path, struct eimza_config *ret, int *ret_line)
{
	struct eimza_config c = { 0 };
	bool named = true;
	FILE *f;
	int line;

	if (ret_line)
		*ret_line = 0;
	if (!path)
		path = getenv("EIMZA_CONFIG");
	if (!path || !*path) {
		path = EIMZA_CONFIG_PATH;
		named = false;
	}
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT && !named) {
			*ret = c;
			return 0;
		}
		return -errno;
	}
	c.path = strdup(path);
	line = c.path ? ini_parse_file(f, on_line, &c) : -2;
	fclose(f);
	if (line != 0) {
		eimza_config_done(&c);
		if (line == -2)
			return -ENOMEM;
		if (ret_line)
			*ret_line = line;
		return -EINVAL;
	}
	*ret = c;
	return 0;
}

void eimza_config_done(struct eimza_config *c)
{
	free(c->path);
	free(c->server);
	free(c->cafile);
	for (size_t i = 0; i < c->n_modules; i++)
		free(c->modules[i]);
	*c = (struct eimza_config){ 0 };
}

int eimza_config_default_modules(struct eimza_config *c, const char *softhsm)
{
	int r;

	if (c->n_modules > 0)
		return 0;
	for (size_t i = 0; i < ELEMENTSOF(known_modules); i++)
		if (access(known_modules[i], R_OK) == 0) {
			r = add_module(c, known_modules[i]);
			if (r < 0)
				return r;
		}
	return add_module(c, softhsm);
}

int eimza_config_set_module(struct eimza_config *c, const char *module)
{
	for (size_t i = 0; i < c->n_modules; i++)
		free(c->modules[i]);
	c->n_modules = 0;
	return add_module(c, module);
}
