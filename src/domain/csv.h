/* csv.h - the small CSV reader of the back office's imports (registry,
 * staff lists): UTF-8, comma separated, fields optionally in double
 * quotes ("" inside quotes is one quote), one record per line (no line
 * breaks inside a field), a UTF-8 byte order mark before the header
 * ignored, CR LF or LF. */
#pragma once
#include <stdio.h>

#include "common/util.h"

#define CSV_LINE_MAX 65536	/* bytes of one line */

struct csv_reader {
	FILE *f;
	const char *error;	/* why csv_next answered -EINVAL */
	size_t line;		/* number of the line last read (1-based) */
	char *buf;
	size_t cap;
	char **fields;
	size_t n, fields_cap;
};

/* Reads the next non-empty line into r->fields / r->n (pointers into r's
 * buffer, valid until the next call; surrounding spaces of unquoted fields
 * trimmed).  1 when a record was read, 0 at the end, -EINVAL for a line
 * that is no record (r->error says why, r->line where: an unterminated
 * quote, text after a closing quote, a line past CSV_LINE_MAX bytes),
 * -errno on failure. */
int csv_next(struct csv_reader *r);
void csv_done(struct csv_reader *r);
/* Whether s is text without control characters (C0, DEL, C1): what an
 * imported name or sicil may be. */
bool csv_text_ok(const char *s);

/* The index of the column named name (ASCII, any case) in the header
 * fields, or -1. */
int csv_column(char **header, size_t n, const char *name);

/* Appends "line N: " and a formatted reason to *errors (malloc'ed, grown),
 * counting in *count; after max lines only the count grows. */
int csv_error(char **errors, size_t *count, size_t max, size_t line, const char *fmt, ...)
	_printf_(5, 6);

/* A copy of the current line's fields (the header: rd's own fields live in
 * its buffer and change with the next line).  *ret has *ret_n strings;
 * on -ENOMEM *ret holds what was copied so far (free it with
 * csv_fields_free all the same). */
int csv_fields_copy(const struct csv_reader *rd, char ***ret, size_t *ret_n);
void csv_fields_free(char **v, size_t n);
