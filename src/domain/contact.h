/* contact.h - the holder's contact details (holders: e-mail, phones, Bilgi
 * Kanalı), read and updated by the holder.
 *
 * One field table (contact.c) says what each field is, whether it is
 * required and how it is checked and normalised; the API, the page and
 * this module all follow it. */
#pragma once
#include "domain/refusal.h"
#include "store/db.h"

enum contact_field {
	CONTACT_EMAIL,
	CONTACT_MOBILE,		/* cep: 10 digits starting with 5 */
	CONTACT_WORK_PHONE,	/* iş telefonu, optional: 10 digits */
	CONTACT_WORK_EXT,	/* dahili, optional: 1-6 digits */
	CONTACT_HOME_PHONE,	/* ev telefonu, optional: 10 digits */
	CONTACT_INFO_CHANNEL,	/* Bilgi Kanalı: "email", "sms" or "both" */
	_CONTACT_MAX,
};

/* The field's name in the API and the store ("email", "mobile", ...). */
const char *contact_field_name(enum contact_field f);

/* Values by enum contact_field; NULL: not set. */
struct contact {
	char *v[_CONTACT_MAX];
};
void contact_done(struct contact *c);

/* -ENOENT when the holder is unknown. */
int contact_get(struct db *db, const char *tckn, struct contact *ret);

/* Checks one field's value as contact_set() does: 0 with *ret its
 * normalised form (NULL: an empty optional field, cleared), -EINVAL when
 * it is not a valid value of that field, -ENOMEM. */
int contact_field_check(enum contact_field f, const char *in, char **ret);

/* Checks and normalises every field of in (phones to 10 digits without
 * the leading 0 or +90, e-mail lower-case domain) and stores them,
 * audited.  An empty optional field clears it.  Refused contact_invalid
 * with *ret_field the first field in error; holder_unknown. */
int contact_set(struct db *db, const char *tckn, const struct contact *in,
		enum contact_field *ret_field, enum refusal *ret_refusal);
