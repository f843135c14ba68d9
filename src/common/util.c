/* util.c - strings, secrets, random, encodings, files and time.
 *
 * The small things every other module leans on.  Randomness and hashing go
 * through OpenSSL; nothing here logs or prints. */
#include "common/util.h"

#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

void secret_free(char *s)
{
	if (!s)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

char *strdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? NULL : s;
}

bool memeq_ct(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

bool streq_ct(const char *a, const char *b)
{
	size_t la, lb;

	if (!a || !b)
		return false;
	la = strlen(a);
	lb = strlen(b);
	if (la != lb)
		return false;
	return CRYPTO_memcmp(a, b, la) == 0;
}

int random_bytes(void *buf, size_t n)
{
	if (n > INT_MAX)
		return -EINVAL;
	return RAND_priv_bytes(buf, (int)n) == 1 ? 0 : -EIO;
}

int random_uniform(uint32_t bound, uint32_t *ret)
{
	uint32_t x, limit;
	int r;

	if (bound == 0)
		return -EINVAL;
	/* Reject the top partial range so that every value is equally likely. */
	limit = UINT32_MAX - (UINT32_MAX % bound);
	do {
		r = random_bytes(&x, sizeof(x));
		if (r < 0)
			return r;
	} while (x >= limit);
	*ret = x % bound;
	return 0;
}

void hex_encode(const void *buf, size_t n, char *ret)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = buf;

	for (size_t i = 0; i < n; i++) {
		ret[2 * i] = digits[p[i] >> 4];
		ret[2 * i + 1] = digits[p[i] & 15];
	}
	ret[2 * n] = '\0';
}

static int unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(const char *s, void *ret, size_t n)
{
	unsigned char *out = ret;

	if (!s || strlen(s) != 2 * n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int hi = unhex(s[2 * i]), lo = unhex(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

int base64_encode(const void *buf, size_t n, char **ret)
{
	char *out;
	int len;

	if (n > (size_t)INT_MAX / 4 * 3 - 3)
		return -E2BIG;
	out = malloc(4 * ((n + 2) / 3) + 1);
	if (!out)
		return -ENOMEM;
	len = EVP_EncodeBlock((unsigned char *)out, buf, (int)n);
	out[len] = '\0';
	*ret = out;
	return 0;
}

int base64_decode(const char *s, size_t len, unsigned char **ret, size_t *ret_n)
{
	_cleanup_free_ unsigned char *out = NULL;
	size_t pad = 0;
	int n;

	if (len % 4 != 0 || len > INT_MAX)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '+' || c == '/' ||
		      (c == '=' && i + 2 >= len)))
			return -EINVAL;
	}
	if (len >= 1 && s[len - 1] == '=')
		pad++;
	if (len >= 2 && s[len - 2] == '=')
		pad++;
	out = malloc(len / 4 * 3 + 1);
	if (!out)
		return -ENOMEM;
	n = EVP_DecodeBlock(out, (const unsigned char *)s, (int)len);
	if (n < 0 || (size_t)n < pad)
		return -EINVAL;
	/* Only the canonical form: "=" only as the padding at the end, and
	 * no set bits after the last byte ("AB=C" and "AB==" are refused),
	 * so one value has one text.  Encoding back must give s again. */
	{
		_cleanup_free_ char *again = NULL;

		if (base64_encode(out, (size_t)n - pad, &again) < 0)
			return -ENOMEM;
		if (strlen(again) != len || memcmp(again, s, len) != 0)
			return -EINVAL;
	}
	*ret_n = (size_t)n - pad;
	*ret = TAKE_PTR(out);
	return 0;
}

int base64url_encode(const void *buf, size_t n, char **ret)
{
	char *s;
	size_t len;
	int r;

	r = base64_encode(buf, n, &s);
	if (r < 0)
		return r;
	for (char *p = s; *p; p++) {
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
	}
	len = strlen(s);
	while (len > 0 && s[len - 1] == '=')
		s[--len] = '\0';
	*ret = s;
	return 0;
}

int token_new(size_t nbytes, char **ret)
{
	unsigned char buf[64];
	int r;

	if (nbytes == 0 || nbytes > sizeof(buf))
		return -EINVAL;
	r = random_bytes(buf, nbytes);
	if (r < 0)
		return r;
	r = base64url_encode(buf, nbytes, ret);
	OPENSSL_cleanse(buf, sizeof(buf));
	return r;
}

int sha256_hex(const void *buf, size_t n, char ret[65])
{
	unsigned char md[32];
	unsigned int len = 0;

	if (EVP_Digest(buf, n, md, &len, EVP_sha256(), NULL) != 1 || len != 32)
		return -EIO;
	hex_encode(md, 32, ret);
	return 0;
}

int hmac_sha256(const unsigned char key[32], const char *s, unsigned char ret[32])
{
	size_t n = 0;

	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, 32, (const unsigned char *)s,
		       strlen(s), ret, 32, &n) ||
	    n != 32)
		return -EIO;
	return 0;
}

int read_file(const char *path, size_t max, char **ret, size_t *ret_n)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t n = 0, cap = 0;
	struct stat st;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	for (;;) {
		ssize_t k;
		if (n + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			char *nb;
			if (cap > max + 1)
				return -EFBIG;
			nb = realloc(buf, ncap);
			if (!nb)
				return -ENOMEM;
			buf = nb;
			cap = ncap;
		}
		k = read(fd, buf + n, cap - n - 1);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			break;
		n += (size_t)k;
		if (n > max)
			return -EFBIG;
	}
	buf[n] = '\0';
	if (ret_n)
		*ret_n = n;
	*ret = TAKE_PTR(buf);
	return 0;
}

int write_file_atomic(const char *path, const void *buf, size_t n, unsigned mode)
{
	_cleanup_free_ char *tmp = NULL;
	const char *p = buf;
	int fd, r = 0;

	tmp = strdup_printf("%s.tmp.%ld", path, (long)getpid());
	if (!tmp)
		return -ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, mode) < 0)	/* the umask, or a stale temp file's mode */
		r = -errno;
	while (r == 0 && n > 0) {
		ssize_t k = write(fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		p += k;
		n -= (size_t)k;
	}
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

int mkdir_p(const char *path, unsigned mode)
{
	_cleanup_free_ char *p = strdup(path);

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int datadir_prepare(const char *path)
{
	struct stat st;
	int r;

	r = mkdir_p(path, 0700);
	if (r < 0)
		return r;
	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if ((st.st_mode & 077) == 0 || st.st_uid != geteuid())
		return 0;
	if (chmod(path, 0700) < 0)
		return -errno;
	return 1;
}

int mkdir_parents(const char *file_path, unsigned mode)
{
	_cleanup_free_ char *dir = strdup(file_path);
	char *slash;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	return mkdir_p(dir, mode);
}

int parse_int64(const char *s, int64_t min, int64_t max, int64_t *ret)
{
	char *end;
	long long v;

	if (isempty(s))
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end || end == s || s[0] == ' ' || s[0] == '+')
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = { "1", "yes", "true", "on" };
	static const char *const no[] = { "0", "no", "false", "off" };

	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

int64_t now_sec(void)
{
	return (int64_t)time(NULL);
}

uint64_t now_usec_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void iso8601_utc(int64_t t, char ret[21])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(ret, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int key_file_load(const char *path, void *ret, size_t n, bool create)
{
	_cleanup_free_ char *hex = NULL, *tmp = NULL;
	char buf[2 * 64 + 2];
	size_t len = 0;
	int r;

	if (n == 0 || n > 64)
		return -EINVAL;
	r = read_file(path, 4096, &hex, &len);
	if (r == 0) {
		while (len > 0 && (hex[len - 1] == '\n' || hex[len - 1] == ' '))
			hex[--len] = '\0';
		r = hex_decode(hex, ret, n);
		OPENSSL_cleanse(hex, len);
		return r;
	}
	if (r != -ENOENT || !create)
		return r;
	r = mkdir_parents(path, 0700);
	if (r < 0)
		return r;
	r = random_bytes(ret, n);
	if (r < 0)
		return r;
	hex_encode(ret, n, buf);
	strcat(buf, "\n");
	tmp = strdup_printf("%s.new.%ld", path, (long)getpid());
	if (!tmp)
		return -ENOMEM;
	r = write_file_atomic(tmp, buf, strlen(buf), 0600);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (r < 0)
		return r;
	/* link() fails if another process won the race: then use theirs. */
	r = link(tmp, path) < 0 ? -errno : 0;
	unlink(tmp);
	if (r == -EEXIST)
		return key_file_load(path, ret, n, false);
	return r;
}
