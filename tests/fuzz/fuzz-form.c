/* fuzz-form.c - the holder's form fields as the handlers read them: the
 * T.C. Kimlik No of Şifreli Giriş and of every form that names a holder
 * (common/tckn.c: tckn_check(), with its Turkish message), and each
 * contact detail (domain/contact.c: contact_field_check(): e-mail,
 * phones, extension, Bilgi Kanalı).  The input is split at '\n': the
 * first part is the T.C. Kimlik No, the next ones the contact fields in
 * their order.  Promises: an accepted T.C. Kimlik No is 11 digits, not
 * starting with 0; an accepted phone is normalised to 10 digits (a mobile
 * starting with 5); an accepted e-mail has one '@'; checking a normalised
 * value again accepts it unchanged. */
#include "common/tckn.h"
#include "domain/contact.h"

#include "fuzz.h"

static void check_field(enum contact_field f, const char *in)
{
	_cleanup_free_ char *v = NULL, *again = NULL;
	size_t n;
	int r;

	r = contact_field_check(f, in, &v);
	if (r == -EINVAL)
		return;
	if (r < 0)
		abort();
	if (!v) {
		if (in[0])
			abort();	/* only an empty value clears */
		return;
	}
	n = strlen(v);
	switch (f) {
	case CONTACT_MOBILE:
	case CONTACT_WORK_PHONE:
	case CONTACT_HOME_PHONE:
		if (n != 10 || strspn(v, "0123456789") != n || v[0] == '0' ||
		    (f == CONTACT_MOBILE && v[0] != '5'))
			abort();
		break;
	case CONTACT_EMAIL:
		if (!strchr(v, '@') || strchr(v, '@') != strrchr(v, '@') || n > 254)
			abort();
		break;
	default:
		break;
	}
	if (contact_field_check(f, v, &again) != 0 || !again || strcmp(again, v) != 0)
		abort();	/* the normalised form is a fixed point */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = fuzz_str(data, size);
	char *p = s, *part;
	enum tckn_error te;

	part = fuzz_part(&p);
	te = tckn_check(part);
	if (!tckn_error_tr(te))
		abort();
	if (te == TCKN_OK && (strlen(part) != 11 || strspn(part, "0123456789") != 11 || part[0] == '0'))
		abort();
	for (int f = 0; f < _CONTACT_MAX && (part = fuzz_part(&p)); f++)
		check_field((enum contact_field)f, part);
	return 0;
}
