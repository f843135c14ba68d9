/* eimza.h - shared state, exit codes and commands of the signing application. */
#pragma once

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
	const char *module;	/* PKCS#11 module path */
};

struct eimza_command {
	const char *name;
	const char *help;
	int (*run)(struct eimza *app, int argc, char **argv);
};

int eimza_sign(struct eimza *app, int argc, char **argv);
int eimza_certs(struct eimza *app, int argc, char **argv);
int eimza_verify(struct eimza *app, int argc, char **argv);
