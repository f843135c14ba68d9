/* contact.c - the holder's contact details (see contact.h): the field
 * table, its checks, and the holders columns it reads and writes. */
#include "domain/contact.h"

#include <ctype.h>
#include <stdio.h>

#include "store/audit.h"

enum kind { K_EMAIL, K_MOBILE, K_PHONE, K_EXT, K_CHANNEL };

static const struct {
	const char *name;	/* API member and holders column */
	enum kind kind;
	bool required;
} fields[] = {
	[CONTACT_EMAIL] = { "email", K_EMAIL, true },
	[CONTACT_MOBILE] = { "mobile", K_MOBILE, true },
	[CONTACT_WORK_PHONE] = { "work_phone", K_PHONE, false },
	[CONTACT_WORK_EXT] = { "work_ext", K_EXT, false },
	[CONTACT_HOME_PHONE] = { "home_phone", K_PHONE, false },
	[CONTACT_INFO_CHANNEL] = { "info_channel", K_CHANNEL, true },
};
_Static_assert(ELEMENTSOF(fields) == _CONTACT_MAX, "a contact field without its entry");

const char *contact_field_name(enum contact_field f)
{
	return (unsigned)f < _CONTACT_MAX ? fields[f].name : "?";
}

void contact_done(struct contact *c)
{
	for (size_t i = 0; c && i < _CONTACT_MAX; i++) {
		free(c->v[i]);
		c->v[i] = NULL;
	}
}

int contact_get(struct db *db, const char *tckn, struct contact *ret)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	struct contact c = { 0 };
	int r;

	r = db_query_one(db, &st, "SELECT email, mobile, work_phone, work_ext, home_phone,"
			   " info_channel FROM holders WHERE tckn = $1", "t", tckn);
	if (r < 0)
		return r;
	for (int i = 0; i < _CONTACT_MAX; i++) {
		const char *t = db_col_text(st, i);

		if (t && !(c.v[i] = strdup(t))) {
			contact_done(&c);
			return -ENOMEM;
		}
	}
	*ret = c;
	return 0;
}

/* Phones: digits only, without a leading +90 / 90 (13/12 digits) or 0. */
static char *phone_norm(const char *in)
{
	char d[32];
	size_t n = 0;

	for (const char *p = in; *p; p++) {
		if (isdigit((unsigned char)*p)) {
			if (n >= sizeof(d) - 1)
				return NULL;
			d[n++] = *p;
		} else if (!strchr(" -()+.", *p)) {
			return NULL;
		}
	}
	d[n] = '\0';
	if (n == 12 && strncmp(d, "90", 2) == 0)
		return strdup(d + 2);
	if (n == 11 && d[0] == '0')
		return strdup(d + 1);
	return strdup(d);
}

static bool email_ok(const char *s)
{
	const char *at = strchr(s, '@'), *dot;
	size_t local;

	if (!at || strchr(at + 1, '@') || strlen(s) > 254)
		return false;
	local = (size_t)(at - s);
	if (local < 1 || local > 64)
		return false;
	for (const char *p = s; p < at; p++)
		if (!isalnum((unsigned char)*p) && !strchr(".!#$%&'*+/=?^_`{|}~-", *p))
			return false;
	dot = strrchr(at + 1, '.');
	if (!dot || dot == at + 1 || strlen(dot + 1) < 2 || s[local + 1] == '-')
		return false;
	for (const char *p = at + 1; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
			return false;
	return !strstr(at, "..") && !strstr(s, "..") && s[0] != '.' && at[-1] != '.';
}

/* Checks one value; *ret is the normalised value (NULL: cleared). */
static int field_check(enum contact_field f, const char *in, char **ret)
{
	_cleanup_free_ char *v = NULL;
	size_t n;

	*ret = NULL;
	if (!in || !*in)
		return fields[f].required ? -EINVAL : 0;
	switch (fields[f].kind) {
	case K_EMAIL:
		if (!email_ok(in))
			return -EINVAL;
		v = strdup(in);
		if (!v)
			return -ENOMEM;
		for (char *p = strchr(v, '@'); *p; p++)
			*p = (char)tolower((unsigned char)*p);
		break;
	case K_MOBILE:
	case K_PHONE:
		v = phone_norm(in);
		if (!v || strlen(v) != 10 || v[0] == '0' ||
		    (fields[f].kind == K_MOBILE && v[0] != '5'))
			return -EINVAL;
		break;
	case K_EXT:
		n = strlen(in);
		if (n > 6 || strspn(in, "0123456789") != n)
			return -EINVAL;
		v = strdup(in);
		break;
	case K_CHANNEL:
		if (!streq(in, "email") && !streq(in, "sms") && !streq(in, "both"))
			return -EINVAL;
		v = strdup(in);
		break;
	}
	if (!v)
		return -ENOMEM;
	*ret = TAKE_PTR(v);
	return 0;
}

int contact_field_check(enum contact_field f, const char *in, char **ret)
{
	if ((unsigned)f >= _CONTACT_MAX)
		return -EINVAL;
	return field_check(f, in, ret);
}

int contact_set(struct db *db, const char *tckn, const struct contact *in,
		enum contact_field *ret_field, enum refusal *ret_refusal)
{
	_cleanup_free_ char *actor = strdup_printf("holder:%s", tckn);
	struct contact c = { 0 };
	int r = 0;

	if (!actor)
		return -ENOMEM;
	for (int i = 0; i < _CONTACT_MAX && r == 0; i++) {
		r = field_check((enum contact_field)i, in->v[i], &c.v[i]);
		if (r == -EINVAL) {
			*ret_field = (enum contact_field)i;
			*ret_refusal = REFUSAL_CONTACT_INVALID;
			r = -EACCES;
		}
	}
	/* The SMS channel needs a mobile, e-mail an address: both required. */
	if (r == 0)
		r = db_begin(db);
	if (r == 0) {
		r = db_run(db, "UPDATE holders SET email = $1, mobile = $2, work_phone = $3,"
			       " work_ext = $4, home_phone = $5, info_channel = $6 WHERE tckn = $7",
			   "ttttttt", c.v[0], c.v[1], c.v[2], c.v[3], c.v[4], c.v[5], tckn);
		if (r == 0) {
			db_rollback(db);
			*ret_refusal = REFUSAL_HOLDER_UNKNOWN;
			r = -EACCES;
		} else {
			if (r > 0)
				r = audit_append(db, true, actor, "holder.contact", tckn, "ok", NULL);
			r = db_end(db, r);
		}
	}
	contact_done(&c);
	return r;
}
