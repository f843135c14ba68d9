/* appform.c - the application form's field table and its checks (see
 * appform.h).  In the style of common/config.c: one row per field, and
 * every check, the page and the summaries walk the same rows. */
#include "domain/appform.h"

#include <ctype.h>
#include <stdio.h>

#include "common/json.h"
#include "common/util.h"

enum ftype {
	F_FIXED,	/* filled by the server, read-only */
	F_SELECT,	/* one of options */
	F_RADIO,	/* one of options, as radio buttons */
	F_TEXT,		/* min..max characters (UTF-8 code points) */
	F_TEXTAREA,
	F_PASSWORD,	/* min..max characters, not echoed back */
	F_SAME,		/* equal to the field named in other */
	F_EMAIL,
	F_PHONE,	/* 10 digits (a leading 0 / +90 dropped) */
	F_MOBILE,	/* 10 digits starting with 5 */
	F_DIGITS,	/* min..max digits */
	F_POSTAL,	/* 5 digits starting with the il's plate number */
	F_IL,		/* one of the 81 il */
	F_ILCE,		/* one of the il's ilçe */
};

static const char *const type_names[] = {
	[F_FIXED] = "fixed",	   [F_SELECT] = "select", [F_RADIO] = "radio",
	[F_TEXT] = "text",	   [F_TEXTAREA] = "textarea", [F_PASSWORD] = "password",
	[F_SAME] = "password",	   [F_EMAIL] = "email",   [F_PHONE] = "tel",
	[F_MOBILE] = "tel",	   [F_DIGITS] = "digits", [F_POSTAL] = "digits",
	[F_IL] = "select",	   [F_ILCE] = "select",
};

struct option {
	const char *value, *label;
};

#define OPTS(...) ((const struct option[]){ __VA_ARGS__, { NULL, NULL } })

struct field {
	const char *name;
	const char *label;
	const char *section;
	enum ftype type;
	bool required;
	int min, max;		/* characters or digits, by type */
	const struct option *options;
	const char *other;	/* F_SAME: the field to equal; F_ILCE / F_POSTAL: the il */
	const char *message;	/* shown next to the field when it fails */
	const char *help;	/* the (?) text */
};

#define APPFORM_MAX_LINES 5	/* lines of a textarea */

#define S_APP "Başvuru Bilgileri"
#define S_PERSON "Kişisel Bilgiler"
#define S_INST "Kurum Bilgileri"
#define S_CONTACT "İletişim Bilgileri"

static const struct field fields[] = {
	{ "reason", "Başvuru Nedeni", S_APP, F_SELECT, true, 0, 0,
	  OPTS({ "new", "Yeni" }, { "renewal", "Yenileme" }, { "lost", "Kayıp Çalıntı" },
	       { "other", "Diğer" }),
	  NULL, "Başvuru nedenini seçiniz.",
	  "Yenileme: yeni sertifika mevcut sertifikanın bitiş tarihinde başlar. Kayıp Çalıntı: "
	  "geçerli sertifika iptal edilerek yeni sertifika verilir. Diğer: mevcut sertifikaya ek "
	  "olarak yeni bir sertifika." },
	{ "reader", "Kart Okuyucu Tipi", S_APP, F_SELECT, true, 0, 0,
	  OPTS({ "mini", "Mini Kart Okuyucu" }, { "standard", "Standart Kart Okuyucu" },
	       { "none", "İstenmedi" }),
	  NULL, "Kart okuyucu tipini seçiniz.",
	  "Kart okuyucunuz varsa İstenmedi seçebilirsiniz." },
	{ "validity", "Sertifika Süresi", S_APP, F_SELECT, true, 0, 0,
	  OPTS({ "1", "1 Yıl" }, { "2", "2 Yıl" }, { "3", "3 Yıl" }), NULL,
	  "Sertifika süresini seçiniz.", NULL },
	{ "tckn", "Kimlik No", S_PERSON, F_FIXED, true },
	{ "given_name", "Adı", S_PERSON, F_FIXED, true },
	{ "surname", "Soyadı", S_PERSON, F_FIXED, true },
	{ "birth_place", "Doğum Yeri", S_PERSON, F_FIXED, true },
	{ "birth_date", "Doğum Tarihi", S_PERSON, F_FIXED, true },
	{ "word", "Güvenlik sözcüğü nedir ?", S_PERSON, F_PASSWORD, true, 8, 64, NULL, NULL,
	  "Güvenlik sözcüğü en az 8, en çok 64 karakter olmalıdır.",
	  "Sertifikanız verildikten sonra Şifreli Giriş'te kullanacağınız sözcüktür." },
	{ "word2", "Güvenlik sözcüğü (Tekrar)", S_PERSON, F_SAME, true, 0, 0, NULL, "word",
	  "Güvenlik sözcükleri birbirinin aynı değil.", "Güvenlik sözcüğünü tekrar yazınız." },
	{ "institution_name", "Kurum Adı", S_INST, F_FIXED, true, 0, 0, NULL, NULL, NULL,
	  "Kurum Adı hatalı ise lütfen kurumunuzla iletişime geçiniz." },
	{ "sicil", "Kurum Sicil No", S_INST, F_TEXT, true, 1, 20, NULL, NULL,
	  "Kurum sicil numaranızı yazınız (en çok 20 karakter).", NULL },
	{ "unit", "Çalıştığı Birim", S_INST, F_TEXT, true, 2, 100, NULL, NULL,
	  "Çalıştığınız birimin adını yazınız (2-100 karakter).", NULL },
	{ "title", "Ünvan", S_INST, F_TEXT, true, 2, 100, NULL, NULL,
	  "Kurumdaki ünvanınızı yazınız (2-100 karakter).", NULL },
	{ "address", "Kurum / Birim Adresi", S_INST, F_TEXTAREA, true, 10, 300, NULL, NULL,
	  "Kurumunuzun açık adresini yazınız (10-300 karakter, en çok 5 satır).",
	  "Kurye e-imzanızı bu adrese getirecektir." },
	{ "il", "İl", S_INST, F_IL, true, 0, 0, NULL, NULL, "Kurumunuzun bulunduğu ili seçiniz.",
	  NULL },
	{ "ilce", "İlçe", S_INST, F_ILCE, true, 0, 0, NULL, "il",
	  "Seçtiğiniz ile ait bir ilçe seçiniz.", NULL },
	{ "postal_code", "Posta Kodu", S_INST, F_POSTAL, true, 5, 5, NULL, "il",
	  "Posta Kodu 5 rakamdan oluşmalı ve ilin plaka numarasıyla başlamalıdır.",
	  "Kurumunuzun posta kodu, 5 rakam." },
	{ "email", "E-posta", S_CONTACT, F_EMAIL, true, 0, 0, NULL, NULL,
	  "Geçerli bir e-posta adresi yazınız (ad@alan.uzantı).", NULL },
	{ "work_phone", "İş Telefonu", S_CONTACT, F_PHONE, true, 0, 0, NULL, NULL,
	  "İş telefonunu alan koduyla 10 rakam olarak yazınız (ör. 312 123 45 67).", NULL },
	{ "work_ext", "Dahili", S_CONTACT, F_DIGITS, false, 1, 6, NULL, NULL,
	  "Dahili numara en çok 6 rakam olmalıdır.", NULL },
	{ "mobile", "Cep Telefonu", S_CONTACT, F_MOBILE, true, 0, 0, NULL, NULL,
	  "Cep telefonunu 5 ile başlayan 10 rakam olarak yazınız (ör. 532 123 45 67).",
	  "Formun onaylanması için bu numaraya SMS Onay Kodu gönderilecektir." },
	{ "operator", "Mobil Operatör Tipi", S_CONTACT, F_SELECT, true, 0, 0,
	  OPTS({ "turkcell", "TURKCELL" }, { "vodafone", "VODAFONE" },
	       { "turktelekom", "TURK TELEKOM" }),
	  NULL, "Mobil operatörünüzü seçiniz.", NULL },
	{ "home_phone", "Ev Telefonu", S_CONTACT, F_PHONE, false, 0, 0, NULL, NULL,
	  "Ev telefonunu alan koduyla 10 rakam olarak yazınız ya da boş bırakınız.", NULL },
	{ "info_channel", "Bilgi Kanalı", S_CONTACT, F_RADIO, true, 0, 0,
	  OPTS({ "email", "E-posta" }, { "sms", "SMS" }, { "both", "Her ikisi (E-posta+SMS)" }),
	  NULL, "Size nasıl ulaşılacağını seçiniz.",
	  "Sertifikanız üretildikten sonra size hangi yolla ulaşılacağını belirler." },
};

static const struct field *field_find(const char *name)
{
	for (size_t i = 0; name && i < ELEMENTSOF(fields); i++)
		if (streq(fields[i].name, name))
			return &fields[i];
	return NULL;
}

const char *appform_label(const char *name)
{
	const struct field *f = field_find(name);

	return f ? f->label : NULL;
}

const char *appform_error(const char *name)
{
	const struct field *f = field_find(name);

	return f ? f->message : NULL;
}

const char *appform_value_label(const char *name, const char *value)
{
	const struct field *f = field_find(name);

	for (const struct option *o = f ? f->options : NULL; o && o->value && value; o++)
		if (streq(o->value, value))
			return o->label;
	return value;
}

void appform_foreach(void (*fn)(const char *, const char *, const char *, void *),
		     void *userdata)
{
	for (size_t i = 0; i < ELEMENTSOF(fields); i++)
		if (fields[i].type != F_SAME && fields[i].type != F_PASSWORD)
			fn(fields[i].name, fields[i].label, fields[i].section, userdata);
}

static const char *fixed_value(const struct appform_fixed *fx, const char *name)
{
	if (!fx)
		return NULL;
	if (streq(name, "tckn"))
		return fx->tckn;
	if (streq(name, "given_name"))
		return fx->given_name;
	if (streq(name, "surname"))
		return fx->surname;
	if (streq(name, "birth_place"))
		return fx->birth_place;
	if (streq(name, "birth_date"))
		return fx->birth_date;
	if (streq(name, "institution_name"))
		return fx->institution_name;
	if (streq(name, "sicil"))
		return fx->sicil;
	return NULL;
}

static json_t *options_json(const struct field *f)
{
	json_t *a = json_array();

	if (f->type == F_IL) {
		for (size_t i = 0; a && i < appform_iller_count; i++)
			json_array_append_new(a, json_pack("{s:s,s:s}", "value", appform_iller[i].name,
							   "label", appform_iller[i].name));
		return a;
	}
	for (const struct option *o = f->options; a && o && o->value; o++)
		json_array_append_new(a, json_pack("{s:s,s:s}", "value", o->value, "label", o->label));
	return a;
}

int appform_describe(const struct appform_fixed *fx, json_t **ret)
{
	_cleanup_json_ json_t *o = json_object(), *fa = json_array(), *places = json_object();
	_cleanup_json_ json_t *secs = json_pack("[s,s,s,s]", S_APP, S_PERSON, S_INST, S_CONTACT);

	if (!o || !fa || !places || !secs)
		return -ENOMEM;
	for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
		const struct field *f = &fields[i];
		const char *v = fixed_value(fx, f->name);
		json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:b}", "name", f->name, "label", f->label,
				      "section", f->section, "type", type_names[f->type],
				      "required", f->required);

		if (!j || json_array_append_new(fa, j) < 0)
			return -ENOMEM;
		if (f->message)
			json_object_set_new(j, "message", json_string(f->message));
		if (f->help)
			json_object_set_new(j, "help", json_string(f->help));
		if (f->options || f->type == F_IL)
			json_object_set_new(j, "options", options_json(f));
		if (f->type == F_ILCE)
			json_object_set_new(j, "depends_on", json_string(f->other));
		if (f->type == F_SAME)
			json_object_set_new(j, "same_as", json_string(f->other));
		if (f->max)
			json_object_set_new(j, "maxlength", json_integer(f->max));
		if (f->type == F_DIGITS || f->type == F_POSTAL || f->type == F_PHONE ||
		    f->type == F_MOBILE)
			json_object_set_new(j, "inputmode", json_string("numeric"));
		/* A value the server fills in is shown read-only. */
		if (v) {
			json_object_set_new(j, "value", json_string(v));
			json_object_set_new(j, "readonly", json_true());
		}
		if (f->type == F_FIXED)
			json_object_set_new(j, "readonly", json_true());
		/* Defaults from the staff list, to be corrected by the applicant. */
		if (fx && streq(f->name, "unit") && fx->unit)
			json_object_set_new(j, "value", json_string(fx->unit));
		if (fx && streq(f->name, "title") && fx->title)
			json_object_set_new(j, "value", json_string(fx->title));
	}
	for (size_t i = 0; i < appform_iller_count; i++) {
		json_t *a = json_array();

		if (!a)
			return -ENOMEM;
		for (const char *const *p = appform_iller[i].ilce; *p; p++)
			json_array_append_new(a, json_string(*p));
		json_object_set_new(places, appform_iller[i].name, a);
	}
	json_object_set(o, "sections", secs);
	json_object_set(o, "fields", fa);
	json_object_set(o, "places", places);
	*ret = TAKE_PTR(o);
	return 0;
}

/* Trimmed copy of s. */
static char *trim_dup(const char *s)
{
	size_t n;

	while (*s && isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return strndup(s, n);
}

/* Code points that change how the text around them is shown: C1
 * controls (U+0080-U+009F: 8-bit CSI and the like reach a terminal), the
 * bidirectional overrides and isolates (a line shown in another order
 * than it is stored and signed), the line and paragraph separators and
 * the byte order mark. */
static bool cp_invisible(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x2028 || cp == 0x2029 || cp == 0xfeff;
}

/* UTF-8 code points of s; -1 when s is not UTF-8 or has control (or
 * cp_invisible) characters; newlines (LF) allowed when newlines. */
static int utf8_len(const char *s, bool newlines)
{
	int n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; n++) {
		int k = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 :
			(*p & 0xf8) == 0xf0 ? 4 : 0;
		uint32_t cp;

		if (k == 0 || (*p < 0x20 && !(newlines && *p == '\n')) || *p == 0x7f)
			return -1;
		cp = k == 1 ? *p : (uint32_t)(*p & (0x7f >> k));
		for (int i = 1; i < k; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return -1;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if (cp_invisible(cp))
			return -1;
		p += k;
	}
	return n;
}

/* Digits only (spaces, dashes, dots, brackets and a leading + dropped);
 * NULL when anything else is in s. */
static char *digits_of(const char *s)
{
	char d[32];
	size_t n = 0;

	for (; *s; s++) {
		if (isdigit((unsigned char)*s)) {
			if (n >= sizeof(d) - 1)
				return NULL;
			d[n++] = *s;
		} else if (!strchr(" -().+", *s)) {
			return NULL;
		}
	}
	d[n] = '\0';
	return strdup(d);
}

static char *phone_norm(const char *s)
{
	_cleanup_free_ char *d = digits_of(s);
	size_t n = d ? strlen(d) : 0;
	const char *p = d;

	if (!d)
		return NULL;
	if (n == 12 && strncmp(d, "90", 2) == 0)
		p = d + 2;
	else if (n == 11 && d[0] == '0')
		p = d + 1;
	if (strlen(p) != 10 || p[0] == '0')
		return NULL;
	return strdup(p);
}

int appform_mobile_norm(const char *s, char ret[11])
{
	_cleanup_free_ char *p = s ? phone_norm(s) : NULL;

	if (!p || p[0] != '5')
		return -EINVAL;
	memcpy(ret, p, 11);
	return 0;
}

static bool email_ok(const char *s)
{
	const char *at = strchr(s, '@'), *dot;
	size_t local;

	if (!at || strchr(at + 1, '@') || strlen(s) > 254)
		return false;
	local = (size_t)(at - s);
	if (local < 1 || local > 64 || s[0] == '.' || at[-1] == '.' || strstr(s, ".."))
		return false;
	for (const char *p = s; p < at; p++)
		if (!isalnum((unsigned char)*p) && !strchr(".!#$%&'*+/=?^_`{|}~-", *p))
			return false;
	dot = strrchr(at + 1, '.');
	if (!dot || dot == at + 1 || strlen(dot + 1) < 2 || at[1] == '-' || at[1] == '.')
		return false;
	for (const char *p = at + 1; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
			return false;
	return true;
}

static bool option_ok(const struct field *f, const char *v)
{
	for (const struct option *o = f->options; o && o->value; o++)
		if (streq(o->value, v))
			return true;
	return false;
}

/* Checks one field; *ret the clean value (malloc'ed; NULL: empty). 0 or
 * -EINVAL (in error), -ENOMEM. */
static int check_field(const struct field *f, const char *raw, const json_t *in,
		       const json_t *clean, char **ret)
{
	_cleanup_free_ char *v = trim_dup(raw ? raw : "");
	int n;

	*ret = NULL;
	if (!v)
		return -ENOMEM;
	if (!*v)
		return f->required ? -EINVAL : 0;
	switch (f->type) {
	case F_FIXED:
		return 0;
	case F_SELECT:
	case F_RADIO:
		if (!option_ok(f, v))
			return -EINVAL;
		break;
	case F_TEXT:
	case F_TEXTAREA: {
		size_t lines = 1;

		if (f->type == F_TEXTAREA) {
			/* CR LF (a browser's line end) kept as LF */
			char *o = v;

			for (const char *q = v; *q; q++)
				if (!(q[0] == '\r' && q[1] == '\n'))
					*o++ = *q;
			*o = '\0';
			for (const char *q = v; *q; q++)
				lines += *q == '\n';
		}
		n = utf8_len(v, f->type == F_TEXTAREA);
		/* an address has a few lines: more would push the PDF's
		 * signature off its page and pass for other fields */
		if (n < f->min || n > f->max || lines > APPFORM_MAX_LINES)
			return -EINVAL;
		break;
	}
	case F_PASSWORD:
		/* Taken as typed (spaces count), never trimmed. */
		free(v);
		v = strdup(raw);
		if (!v)
			return -ENOMEM;
		n = utf8_len(v, false);
		if (n < f->min || n > f->max)
			return -EINVAL;
		break;
	case F_SAME: {
		const char *o = NULL;

		if (json_get_str(in, f->other, &o) < 0 || !streq(o, raw))
			return -EINVAL;
		*ret = NULL;	/* the word is kept once */
		return 0;
	}
	case F_EMAIL:
		if (!email_ok(v))
			return -EINVAL;
		for (char *at = strchr(v, '@'); *at; at++)
			*at = (char)tolower((unsigned char)*at);
		break;
	case F_PHONE:
	case F_MOBILE: {
		char *p = phone_norm(v);

		if (!p || (f->type == F_MOBILE && p[0] != '5')) {
			free(p);
			return -EINVAL;
		}
		free(v);
		v = p;
		break;
	}
	case F_DIGITS:
	case F_POSTAL:
		n = (int)strlen(v);
		if (n < f->min || n > f->max || strspn(v, "0123456789") != (size_t)n)
			return -EINVAL;
		if (f->type == F_POSTAL) {
			const char *il = json_string_value(json_object_get(clean, f->other));
			const struct appform_il *p = appform_il_find(il);
			char plate[3];

			snprintf(plate, sizeof(plate), "%02d", p ? p->plate : 0);
			if (p && strncmp(v, plate, 2) != 0)
				return -EINVAL;
		}
		break;
	case F_IL:
		if (!appform_il_find(v))
			return -EINVAL;
		break;
	case F_ILCE: {
		const struct appform_il *p =
			appform_il_find(json_string_value(json_object_get(clean, f->other)));
		bool ok = false;

		if (!p)
			return -EINVAL;
		for (const char *const *q = p->ilce; *q && !ok; q++)
			ok = streq(*q, v);
		if (!ok)
			return -EINVAL;
		break;
	}
	}
	*ret = TAKE_PTR(v);
	return 0;
}

int appform_validate(const json_t *in, const struct appform_fixed *fx, json_t **ret_clean,
		     json_t **ret_errors)
{
	_cleanup_json_ json_t *clean = json_object(), *errors = json_object();

	if (!clean || !errors)
		return -ENOMEM;
	for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
		const struct field *f = &fields[i];
		const char *raw = NULL, *fixed = fixed_value(fx, f->name);
		_cleanup_free_ char *v = NULL;
		int r;

		if (fixed) {	/* from the registry / institution, never the browser */
			json_object_set_new(clean, f->name, json_string(fixed));
			continue;
		}
		if (f->type == F_FIXED) {
			json_object_set_new(errors, f->name,
					    json_string("Bu bilgi sistemden alınamadı."));
			continue;
		}
		if (json_object_get(in, f->name) && json_get_str(in, f->name, &raw) < 0) {
			json_object_set_new(errors, f->name, json_string(f->message));
			continue;
		}
		r = check_field(f, raw, in, clean, &v);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			json_object_set_new(errors, f->name, json_string(f->message));
			continue;
		}
		if (v && json_object_set_new(clean, f->name, json_string(v)) < 0)
			return -ENOMEM;
	}
	*ret_clean = TAKE_PTR(clean);
	*ret_errors = TAKE_PTR(errors);
	return 0;
}
