/* eimza.h - shared state, exit codes and commands of the signing application. */
#pragma once
#include <stdbool.h>

#include "eimza/core/config.h"
#include "eimza/core/session.h"

/* Exit codes (docs/EIMZA.md). */
enum {
	EIMZA_EXIT_OK = 0,
	EIMZA_EXIT_ERROR = 1,	/* unexpected failure */
	EIMZA_EXIT_USAGE = 2,	/* bad command line */
	EIMZA_EXIT_CODE = 3,	/* the code is mistyped, unknown, expired or used */
	EIMZA_EXIT_REFUSED = 4,	/* the server refused the signature */
	EIMZA_EXIT_PIN = 5,	/* wrong or blocked PIN */
	EIMZA_EXIT_CARD = 6,	/* no card, no fitting certificate, card error */
	EIMZA_EXIT_NETWORK = 7,	/* the server could not be reached */
	EIMZA_EXIT_CANCELLED = 8,	/* the holder said no */
	EIMZA_EXIT_INVALID = 9,	/* verify: the signature is not valid */
};

struct eimza {
	const char *module;	/* --module PATH, NULL when not given */
	const char *uri;	/* --uri LINK or a bare eimza:// argument (window) */
	struct eimza_config cfg;	/* /etc/eimza/eimza.conf or $EIMZA_CONFIG */
	bool cfg_loaded;
};

struct eimza_command {
	const char *name;
	const char *help;
	int (*run)(struct eimza *app, int argc, char **argv);
};

/* app.c.  Loads the configuration once and applies --module: the CLI uses the
 * configured modules, else SoftHSM's (SPEC §6); with gui the defaults of
 * eimza_config_default_modules().  Prints the reason and returns <0 when
 * the file is unreadable. */
int eimza_app_config(struct eimza *app, bool gui);

/* The exit code for a failure of the core. */
int eimza_exit_code(const struct eimza_error *err, bool at_submit);

/* cmd-sign.c, shared with cmd-pin.c: the outcome as one JSON line (with
 * --json), a failure on stderr (returns the exit code), the session as
 * the Sözleşme screen shows it. */
void eimza_cli_json(bool json, const struct eimza_error *err, const char *message);
int eimza_cli_fail(bool json, const struct eimza_error *err, bool at_submit);
void eimza_cli_show_session(const struct eimza_session *s);
/* The server and CA file for command cmd ("sign", "pin"): the options
 * given, else the configuration's; the server must be one eimza may talk
 * to.  Prints why not and returns EIMZA_EXIT_USAGE, or 0. */
/* Reads the code (code_arg, else from the terminal after intro), checks
 * its check digit and claims the session; the code is wiped.  0, or the
 * exit code after the failure was printed. */
int eimza_cli_claim(const char *code_arg, const char *intro, const char *server,
		    const char *cacert, bool json, struct eimza_session *sess,
		    struct eimza_error *err);
int eimza_cli_server(struct eimza *app, const char *cmd, const char **server,
		     const char **cacert);

int eimza_sign(struct eimza *app, int argc, char **argv);
int eimza_pin(struct eimza *app, int argc, char **argv);
int eimza_certs(struct eimza *app, int argc, char **argv);
int eimza_verify(struct eimza *app, int argc, char **argv);
/* The window.  In eimza (gui-exec.c): executes eimza-gui, or says the
 * window is not built.  In eimza-gui (gui.c): runs it; EIMZA_EXIT_USAGE
 * with a message without a display. */
int eimza_gui(struct eimza *app, int argc, char **argv);
