/* tty.h - the application's terminal: questions, PINs without echo. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

/* Reads one line from the terminal (or stdin when no terminal) after
 * printing prompt to stderr; no echo when secret.  The newline is
 * stripped.  -ENODATA at end of input. */
int tty_read_line(const char *prompt, bool secret, char *buf, size_t n);

/* Reads the first line of standard input (for --pin-stdin). */
int stdin_read_line(char *buf, size_t n);

/* Asks a yes/no question (Turkish "e"/"h"); default no. */
bool tty_confirm(const char *question);
