/* util.h - small helpers every part of eonay uses.
 *
 * Conventions (see docs/ARCHITECTURE.md):
 *   - functions return 0 or -errno; results go through ret_ out-parameters;
 *   - free functions accept NULL;
 *   - _cleanup_(fn) runs fn(&var) when var leaves scope; the *_freep helpers
 *     below and DEFINE_TRIVIAL_CLEANUP_FUNC make one for any type. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _warn_unused_ __attribute__((warn_unused_result))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Declares static inline void funcp(type **p) that calls func(*p). */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                                \
	static inline void func##p(type *p)                                    \
	{                                                                      \
		if (*p)                                                        \
			func(*p);                                              \
	}

static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

/* Frees a string after wiping it: for PINs, passwords, codes and keys. */
void secret_free(char *s);
static inline void secret_freep(char **p)
{
	secret_free(*p);
}
#define _cleanup_secret_ _cleanup_(secret_freep)

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

/* Returns p and sets *pp to NULL: hand ownership out of a cleanup variable. */
#define TAKE_PTR(p)                                                            \
	({                                                                     \
		__typeof__(p) _p = (p);                                        \
		(p) = NULL;                                                    \
		_p;                                                            \
	})

static inline bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}
static inline bool streq_ptr(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}
static inline bool isempty(const char *s)
{
	return !s || !*s;
}

/* Like strdup/asprintf but abort on out-of-memory never happens silently:
 * they return NULL and the caller returns -ENOMEM. */
char *strdup_printf(const char *fmt, ...) _printf_(1, 2);

/* Constant-time comparison of two buffers of the same length.
 * Returns true when equal.  Length is not secret. */
bool memeq_ct(const void *a, const void *b, size_t n);

/* Constant-time string comparison: time depends only on the lengths. */
bool streq_ct(const char *a, const char *b);

/* Cryptographically secure random bytes (OpenSSL's DRBG). 0 or -EIO. */
int random_bytes(void *buf, size_t n);

/* Uniform random integer in [0, bound). */
int random_uniform(uint32_t bound, uint32_t *ret);

/* Lower-case hex encoding.  ret must hold 2*n+1 bytes. */
void hex_encode(const void *buf, size_t n, char *ret);
/* Decodes exactly 2*n hex digits (either case) into ret[n]. 0 or -EINVAL. */
int hex_decode(const char *s, void *ret, size_t n);

/* Base64 (RFC 4648, with padding).  Results are malloc()ed.  The decoder
 * takes the canonical form only (-EINVAL for "AB=C", "AB==", whitespace). */
int base64_encode(const void *buf, size_t n, char **ret);
int base64_decode(const char *s, size_t len, unsigned char **ret, size_t *ret_n);
/* URL-safe alphabet, no padding (for tokens in cookies and URLs). */
int base64url_encode(const void *buf, size_t n, char **ret);

/* A new random token: nbytes of randomness, base64url. */
int token_new(size_t nbytes, char **ret);

/* SHA-256 of buf as 64 hex characters into ret[65]. */
int sha256_hex(const void *buf, size_t n, char ret[65]);

/* HMAC-SHA256 of a string under a 32-byte key, into ret[32]. */
int hmac_sha256(const unsigned char key[32], const char *s, unsigned char ret[32]);

/* Reads a whole file (up to max bytes) into a NUL-terminated buffer. */
int read_file(const char *path, size_t max, char **ret, size_t *ret_n);
/* Writes a file atomically (temp file + fsync + rename) with exactly the
 * given mode, whatever the umask. */
int write_file_atomic(const char *path, const void *buf, size_t n, unsigned mode);

/* Loads a key of n bytes kept as hex in a file (mode 0600).  When the file
 * does not exist and create is true, makes a random key and writes it
 * (creating the directory 0700); two processes racing to create it end up
 * with the same key.  -ENOENT when absent and !create, -EINVAL when the
 * file does not hold exactly n bytes of hex. */
int key_file_load(const char *path, void *ret, size_t n, bool create);

/* mkdir -p of the directory a file path lives in. */
int mkdir_parents(const char *file_path, unsigned mode);

/* mkdir -p with mode for each created component. */
int mkdir_p(const char *path, unsigned mode);

/* The data directory: made (mkdir -p, 0700) when missing; when it exists
 * with group or other permissions and is ours, set to 0700.  Returns 1
 * when it tightened the mode (the caller says so), 0, or -errno. */
int datadir_prepare(const char *path);

/* Parses a whole decimal number in [min, max]. 0 or -EINVAL / -ERANGE. */
int parse_int64(const char *s, int64_t min, int64_t max, int64_t *ret);
/* Parses true/false/yes/no/on/off/1/0. */
int parse_bool(const char *s, bool *ret);

/* Wall-clock seconds since the epoch, and a monotonic clock in microseconds. */
int64_t now_sec(void);
uint64_t now_usec_mono(void);

/* Formats t as UTC ISO 8601 "YYYY-MM-DDTHH:MM:SSZ" into ret[21]. */
void iso8601_utc(int64_t t, char ret[21]);
