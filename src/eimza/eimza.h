/* eimza.h - shared state, exit codes and commands of the signing application. */
#pragma once

/* Exit codes (docs/EIMZA.md). */
enum {
	EIMZA_EXIT_OK = 0,
	EIMZA_EXIT_ERROR = 1,	/* unexpected failure */
	EIMZA_EXIT_USAGE = 2,	/* bad command line */
};

struct eimza {
	const char *module;	/* PKCS#11 module path */
};

struct eimza_command {
	const char *name;
	const char *help;
	int (*run)(struct eimza *app, int argc, char **argv);
};
