/* p11-uri.c - RFC 7512 "pkcs11:" URIs, parsed by p11-kit.
 *
 * p11_kit_uri_parse() does the reading and percent-decoding; this file
 * takes out the attributes p11_uri_load_key() (p11-cache.c) uses: token,
 * object, id, module-path and pin-value.  Two things p11-kit lets through
 * are refused first, because a URI that names a CA key must not be read
 * two ways: an attribute given twice (p11-kit keeps the last) and an
 * empty path attribute (p11-kit stops reading the path there, silently
 * dropping what follows). */
#include "pki/p11-uri.h"

#include <p11-kit/uri.h>

#include <openssl/crypto.h>

#include "pki/p11-private.h"

#define URI_MAX_ATTRS 32

/* Frees a p11-kit URI, wiping the PIN it decoded. */
static void kit_uri_free(P11KitUri *k)
{
	const char *pin = p11_kit_uri_get_pin_value(k);

	if (pin)
		OPENSSL_cleanse((char *)pin, strlen(pin));
	p11_kit_uri_free(k);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(P11KitUri *, kit_uri_free)

/* Checks the attributes of one part of the URI (the path, separated by
 * ';', or the query, by '&'): none empty except after a trailing
 * separator, no name twice. */
static int uri_part_check(const char *p, const char *end, char sep)
{
	struct {
		const char *name;
		size_t len;
	} seen[URI_MAX_ATTRS];
	size_t n = 0;

	while (p < end) {
		const char *e = memchr(p, sep, (size_t)(end - p));
		const char *eq;
		size_t len;

		if (!e)
			e = end;
		if (e == p || n == URI_MAX_ATTRS)
			return -EINVAL;
		eq = memchr(p, '=', (size_t)(e - p));
		len = (size_t)((eq ? eq : e) - p);
		for (size_t i = 0; i < n; i++)
			if (seen[i].len == len && memcmp(seen[i].name, p, len) == 0)
				return -EINVAL;
		seen[n].name = p;
		seen[n++].len = len;
		p = e + 1;
	}
	return 0;
}

static int uri_shape_check(const char *uri)
{
	const char *path = strchr(uri, ':'), *query;
	int r;

	if (!path)
		return -EINVAL;
	path++;
	query = strchr(path, '?');
	r = uri_part_check(path, query ? query : path + strlen(path), ';');
	if (r >= 0 && query)
		r = uri_part_check(query + 1, query + strlen(query), '&');
	return r;
}

/* A text attribute as a C string; -EINVAL when it holds a NUL byte. */
static int attr_string(const CK_ATTRIBUTE *a, char **ret)
{
	size_t n = a->pValue ? (size_t)a->ulValueLen : 0;

	if (n > 0 && memchr(a->pValue, 0, n))
		return -EINVAL;
	*ret = strndup(n > 0 ? a->pValue : "", n);
	return *ret ? 0 : -ENOMEM;
}

static int dup_string(const char *s, char **ret)
{
	if (!s)
		return 0;
	*ret = strdup(s);
	return *ret ? 0 : -ENOMEM;
}

static int uri_fields(P11KitUri *k, struct p11_uri *u)
{
	const CK_TOKEN_INFO *ti = p11_kit_uri_get_token_info(k);
	char label[P11_LABEL_LEN + 1];
	CK_ATTRIBUTE *a;
	int r;

	/* An absent token (or one too long for CK_TOKEN_INFO, which p11-kit
	 * drops) leaves the label zeroed; a given one is blank-padded. */
	if (memchr(ti->label, 0, sizeof(ti->label)))
		return -EINVAL;
	p11_label_from_ck(ti->label, label);
	if (isempty(label))
		return -EINVAL;
	u->token = strdup(label);
	if (!u->token)
		return -ENOMEM;
	a = p11_kit_uri_get_attribute(k, CKA_LABEL);
	if (a && (r = attr_string(a, &u->object)) < 0)
		return r;
	a = p11_kit_uri_get_attribute(k, CKA_ID);
	if (a && a->pValue && a->ulValueLen > 0) {
		u->id = malloc(a->ulValueLen);
		if (!u->id)
			return -ENOMEM;
		memcpy(u->id, a->pValue, a->ulValueLen);
		u->id_len = a->ulValueLen;
	}
	if ((r = dup_string(p11_kit_uri_get_module_path(k), &u->module)) < 0 ||
	    (r = dup_string(p11_kit_uri_get_pin_value(k), &u->pin)) < 0)
		return r;
	return 0;
}

int p11_uri_parse(const char *uri, struct p11_uri *ret)
{
	_cleanup_(kit_uri_freep) P11KitUri *k = NULL;
	struct p11_uri u = {};
	int r;

	if (!ret)
		return -EINVAL;
	*ret = (struct p11_uri){};
	if (!uri)
		return -EINVAL;
	k = p11_kit_uri_new();
	if (!k)
		return -ENOMEM;
	switch (p11_kit_uri_parse(uri, P11_KIT_URI_FOR_ANY, k)) {
	case P11_KIT_URI_OK:
		break;
	case P11_KIT_URI_NO_MEMORY:
		return -ENOMEM;
	default:
		return -EINVAL;	/* scheme, syntax, encoding, version */
	}
	r = uri_shape_check(uri);
	if (r >= 0)
		r = uri_fields(k, &u);
	if (r < 0) {
		p11_uri_done(&u);
		return r;
	}
	*ret = u;
	return 0;
}

void p11_uri_done(struct p11_uri *u)
{
	if (!u)
		return;
	free(u->token);
	free(u->object);
	free(u->id);
	free(u->module);
	secret_free(u->pin);
	*u = (struct p11_uri){};
}
