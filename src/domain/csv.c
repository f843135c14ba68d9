/* csv.c - the CSV reader of the back office imports (see csv.h). */
#include "domain/csv.h"

#include <stdarg.h>
#include <strings.h>

static int push(struct csv_reader *r, char *field)
{
	if (r->n == r->fields_cap) {
		size_t cap = r->fields_cap ? r->fields_cap * 2 : 8;
		char **f = realloc(r->fields, cap * sizeof(*f));

		if (!f)
			return -ENOMEM;
		r->fields = f;
		r->fields_cap = cap;
	}
	r->fields[r->n++] = field;
	return 0;
}

static char *trim(char *s, char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	return s;
}

int csv_next(struct csv_reader *r)
{
	for (;;) {
		ssize_t len;
		char *p, *out, *start;
		int k;

		errno = 0;
		len = getline(&r->buf, &r->cap, r->f);
		if (len < 0)
			return errno ? -errno : 0;
		r->line++;
		while (len > 0 && (r->buf[len - 1] == '\n' || r->buf[len - 1] == '\r'))
			r->buf[--len] = '\0';
		p = r->buf;
		if (r->line == 1 && strncmp(p, "\xef\xbb\xbf", 3) == 0)
			p += 3;
		if (strspn(p, " \t") == strlen(p))
			continue;
		r->n = 0;
		for (;;) {
			bool last;

			while (*p == ' ' || *p == '\t')
				p++;
			if (*p == '"') {
				/* quoted: unescaped in place (out never passes p) */
				start = out = ++p;
				for (;;) {
					if (!*p)
						return -EINVAL;
					if (*p == '"' && p[1] == '"') {
						*out++ = '"';
						p += 2;
					} else if (*p == '"') {
						p++;
						break;
					} else
						*out++ = *p++;
				}
				while (*p == ' ' || *p == '\t')
					p++;
				if (*p && *p != ',')
					return -EINVAL;
				last = !*p;
				*out = '\0';
				k = push(r, start);
			} else {
				char *end;

				start = p;
				while (*p && *p != ',')
					p++;
				last = !*p;
				end = p;
				k = push(r, trim(start, end));
			}
			if (k < 0)
				return k;
			if (last)
				return 1;
			p++;	/* past the comma */
		}
	}
}

void csv_done(struct csv_reader *r)
{
	free(r->buf);
	free(r->fields);
	r->buf = NULL;
	r->fields = NULL;
}

int csv_column(char **header, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(header[i], name) == 0)
			return (int)i;
	return -1;
}

int csv_error(char **errors, size_t *count, size_t max, size_t line, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	char *s;
	va_list ap;
	int k;

	if ((*count)++ >= max)
		return 0;
	va_start(ap, fmt);
	k = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (k < 0)
		return -ENOMEM;
	s = strdup_printf("%sline %zu: %s\n", *errors ? *errors : "", line, msg);
	if (!s)
		return -ENOMEM;
	free(*errors);
	*errors = s;
	return 0;
}
