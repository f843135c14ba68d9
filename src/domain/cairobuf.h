/* cairobuf.h - a cairo output stream into memory: the captcha's PNG
 * (captcha.c) and the application's PDF (appdoc.c) are written through it. */
#pragma once
#include <cairo.h>
#include <stdbool.h>
#include <stddef.h>

struct cairo_buf {
	unsigned char *p;	/* malloc'ed; the caller frees it */
	size_t n, cap;
	bool oom;		/* an allocation failed: p holds a part only */
};

/* A cairo_write_func_t appending to the struct cairo_buf in closure. */
cairo_status_t cairo_buf_write(void *closure, const unsigned char *data, unsigned int len);
