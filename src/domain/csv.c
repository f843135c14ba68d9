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

/* One line into r->buf (its newline kept), at most CSV_LINE_MAX bytes: a
 * longer one is skipped to its end and -E2BIG (memory stays bounded
 * whatever the file).  0 at the end, -errno on failure. */
static ssize_t read_line(struct csv_reader *r)
{
	size_t n = 0;
	bool over = false;
	int c;

	if (!r->buf) {
		r->buf = malloc(CSV_LINE_MAX + 2);
		if (!r->buf)
			return -ENOMEM;
		r->cap = CSV_LINE_MAX + 2;
	}
	errno = 0;
	while ((c = getc_unlocked(r->f)) != EOF) {
		if (n < CSV_LINE_MAX)
			r->buf[n++] = (char)c;
		else
			over = true;
		if (c == '\n')
			break;
	}
	if (c == EOF && ferror(r->f))
		return errno ? -errno : -EIO;
	r->buf[n] = '\0';
	if (over)
		return -E2BIG;
	if (n == 0 && c == EOF)
		return -ENODATA;
	return (ssize_t)n;
}

bool csv_text_ok(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
		if (*p < 0x20 || *p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return false;
	return true;
}

int csv_next(struct csv_reader *r)
{
	for (;;) {
		ssize_t len;
		char *p, *out, *start;
		int k;

		len = read_line(r);
		if (len == -E2BIG) {
			r->line++;
			r->error = "line longer than 64 KiB";
			return -EINVAL;
		}
		if (len == -ENODATA)
			return 0;
		if (len < 0)
			return (int)len;
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
					if (!*p) {
						r->error = "unterminated quote";
						return -EINVAL;
					}
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
				if (*p && *p != ',') {
					r->error = "text after a closing quote";
					return -EINVAL;
				}
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
	/* the file's bytes are quoted in the message: no control character
	 * (an escape sequence) reaches the operator's terminal */
	for (unsigned char *q = (unsigned char *)msg; *q; q++)
		if (*q < 0x20 || *q == 0x7f)
			*q = '?';
		else if (*q == 0xc2 && q[1] >= 0x80 && q[1] <= 0x9f)
			q[0] = q[1] = '?';
	s = strdup_printf("%sline %zu: %s\n", *errors ? *errors : "", line, msg);
	if (!s)
		return -ENOMEM;
	free(*errors);
	*errors = s;
	return 0;
}

int csv_fields_copy(const struct csv_reader *rd, char ***ret, size_t *ret_n)
{
	char **v = calloc(rd->n ? rd->n : 1, sizeof(*v));

	*ret = v;
	*ret_n = 0;
	if (!v)
		return -ENOMEM;
	for (; *ret_n < rd->n; (*ret_n)++)
		if (!(v[*ret_n] = strdup(rd->fields[*ret_n])))
			return -ENOMEM;
	return 0;
}

void csv_fields_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}
