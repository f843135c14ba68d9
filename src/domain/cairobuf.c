/* cairobuf.c - a cairo output stream into memory (see cairobuf.h). */
#include "domain/cairobuf.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

cairo_status_t cairo_buf_write(void *closure, const unsigned char *data, unsigned int len)
{
	struct cairo_buf *b = closure;

	if (b->n + len > b->cap) {
		size_t cap = MAX(b->cap * 2, b->n + len + 4096);
		unsigned char *p = realloc(b->p, cap);

		if (!p) {
			b->oom = true;
			return CAIRO_STATUS_NO_MEMORY;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, data, len);
	b->n += len;
	return CAIRO_STATUS_SUCCESS;
}
