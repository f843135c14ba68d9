/* tr-upper.c - Turkish upper-casing of holder names (see tr-upper.h) and
 * pki_name_normalize() (profile.h), which issuance (profile-issue.c)
 * applies to the names it is given and the linter (profile-lint.c)
 * requires of a finished certificate. */
#include "pki/tr-upper.h"

#include "common/util.h"
#include "pki/profile.h"

int tr_upper_utf8_next(const unsigned char **s, uint32_t *ret)
{
	const unsigned char *p = *s;
	uint32_t c = p[0], min;
	int n;

	if (c < 0x80) {
		*ret = c;
		*s = p + 1;
		return 0;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 1;
		c &= 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 2;
		c &= 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 3;
		c &= 0x07;
		min = 0x10000;
	} else
		return -EINVAL;
	for (int i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -EINVAL;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return -EINVAL;
	*ret = c;
	*s = p + n + 1;
	return 0;
}

/* Encodes c (below U+0800) as UTF-8; the number of bytes. */
static size_t utf8_put(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	/* Every letter we keep is below U+0800. */
	out[0] = (char)(0xc0 | (c >> 6));
	out[1] = (char)(0x80 | (c & 0x3f));
	return 2;
}

uint32_t tr_upper_char(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c;
	if (c == 'i')
		return 0x130;		/* i -> İ */
	if (c >= 'a' && c <= 'z')
		return c - 32;
	if ((c >= 0xc0 && c <= 0xde && c != 0xd7) || c == 0xdf)
		return c;		/* Latin-1 capitals, ß */
	if (c >= 0xe0 && c <= 0xfe && c != 0xf7)
		return c - 32;
	switch (c) {
	case 0x11e:			/* Ğ */
	case 0x130:			/* İ */
	case 0x15e:			/* Ş */
		return c;
	case 0x11f:			/* ğ */
	case 0x15f:			/* ş */
		return c - 1;
	case 0x131:			/* ı -> I */
		return 'I';
	default:
		return 0;
	}
}

int tr_upper_utf8_count(const char *s, size_t *ret)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	uint32_t c;

	while (*p) {
		if (tr_upper_utf8_next(&p, &c) < 0)
			return -EINVAL;
		n++;
	}
	*ret = n;
	return 0;
}

int pki_name_normalize(const char *name, char **ret)
{
	_cleanup_free_ char *out = NULL;
	const unsigned char *p;
	size_t o = 0, chars = 0;
	bool space = false, letters = false;

	if (!name || !ret)
		return -EINVAL;
	out = malloc(2 * strlen(name) + 1);
	if (!out)
		return -ENOMEM;
	p = (const unsigned char *)name;
	while (*p) {
		uint32_t c, u;

		if (tr_upper_utf8_next(&p, &c) < 0)
			return -EINVAL;
		if (c == ' ') {
			space = o > 0;
			continue;
		}
		u = tr_upper_char(c);
		if (!u) {
			if (c != '-' && c != '\'' && c != '.')
				return -EINVAL;
			if (o == 0)
				return -EINVAL;	/* start with a letter */
			u = c;
		} else
			letters = true;
		if (space) {
			out[o++] = ' ';
			chars++;
			space = false;
		}
		o += utf8_put(u, out + o);
		chars++;
	}
	out[o] = '\0';
	if (!letters || chars > PKI_NAME_MAX_CHARS)
		return -EINVAL;
	*ret = TAKE_PTR(out);
	return 0;
}
