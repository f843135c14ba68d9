/* config.h - eimza's configuration: which server it talks to and which
 * PKCS#11 modules it opens.
 *
 *   # /etc/eimza/eimza.conf (set by the package)
 *   [server]
 *   url = https://eonay.example.gov.tr
 *   cafile = /etc/eimza/ca.pem          ; optional, for https
 *   [card]
 *   module = /usr/lib/libakisp11.so     ; may repeat; tried in this order
 *
 * EIMZA_CONFIG names another file (tests).  The server in the file is the
 * only one the window ever talks to: an eimza:// link carries a code and
 * nothing else. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#define EIMZA_CONFIG_PATH "/etc/eimza/eimza.conf"
#define EIMZA_MODULES_MAX 16

struct eimza_config {
	char *path;		/* the file read, NULL when there was none */
	char *server;		/* base URL, NULL when not configured */
	char *cafile;		/* NULL: the system's CAs */
	char *modules[EIMZA_MODULES_MAX];
	size_t n_modules;	/* 0: none configured */
};

/* Reads path (NULL: $EIMZA_CONFIG, else EIMZA_CONFIG_PATH).  A missing
 * default file is not an error (empty configuration); a missing file named
 * by path or EIMZA_CONFIG is -ENOENT.  -EINVAL with *ret_line (1-based,
 * 0 when not a line's fault) for a malformed file or a server URL
 * client_url_allowed() refuses. */
int eimza_config_load(const char *path, struct eimza_config *ret, int *ret_line);
void eimza_config_done(struct eimza_config *c);

/* Appends the modules to try when none is configured: those of the
 * common Turkish card readers and OpenSC that exist on this machine, then
 * SoftHSM (softhsm, always).  Does nothing when c has modules already. */
int eimza_config_default_modules(struct eimza_config *c, const char *softhsm);

/* Replaces the modules by the one given (--module). */
int eimza_config_set_module(struct eimza_config *c, const char *module);
