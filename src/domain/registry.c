/* registry.c - the population registry (see registry.h): its table, the
 * CSV import of `eonayctl registry import` and the match the application
 * portal asks for.  Names are compared in Turkish upper case
 * (pki/tr-upper.c), trimmed, nothing else. */
#include "domain/registry.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <strings.h>
#include <time.h>

#include "common/tckn.h"
#include "domain/csv.h"
#include "pki/tr-upper.h"

#define REGISTRY_MAX_ERRORS 20

void registry_person_done(struct registry_person *p)
{
	if (!p)
		return;
	free(p->ad);
	free(p->soyad);
	free(p->dogum_yeri);
	p->ad = p->soyad = p->dogum_yeri = NULL;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int registry_date_parse(const char *s, char ret[11])
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int d = 0, m = 0, y = 0, end = 0;
	unsigned ud, um, uy;

	if (!s)
		return -EINVAL;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!(sscanf(s, "%2d.%2d.%4d%n", &d, &m, &y, &end) == 3 && end == 10 && s[2] == '.') &&
	    !(sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &end) == 3 && end == 10 && s[4] == '-'))
		return -EINVAL;
	for (const char *p = s; p < s + 10; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
			return -EINVAL;
	for (const char *p = s + end; *p; p++)
		if (*p != ' ' && *p != '\t')
			return -EINVAL;
	if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1] + (m == 2 && leap(y)))
		return -EINVAL;
	uy = (unsigned)y % 10000u;
	um = (unsigned)m % 100u;
	ud = (unsigned)d % 100u;
	snprintf(ret, 11, "%04u-%02u-%02u", uy, um, ud);
	return 0;
}

static size_t utf8_put(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

int registry_fold(const char *s, char **ret)
{
	const unsigned char *p, *end;
	char *out, *o;

	if (!s)
		return -EINVAL;
	while (*s == ' ' || *s == '\t')
		s++;
	end = (const unsigned char *)s + strlen(s);
	while (end > (const unsigned char *)s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	/* Upper case never needs more than 4 bytes per character; i (1 byte)
	 * becomes İ (2 bytes): 2x plus one is enough for every input. */
	out = o = malloc(2 * (size_t)(end - (const unsigned char *)s) + 1);
	if (!out)
		return -ENOMEM;
	p = (const unsigned char *)s;
	while (p < end) {
		uint32_t c, u;

		if (tr_upper_utf8_next(&p, &c) < 0 || p > end) {
			free(out);
			return -EINVAL;
		}
		u = tr_upper_char(c);
		o += utf8_put(u ? u : c, o);
	}
	*o = '\0';
	*ret = out;
	return 0;
}

/* s trimmed, malloc'ed; -EINVAL when empty or not UTF-8. */
static int field_clean(const char *s, char **ret)
{
	_cleanup_free_ char *f = NULL;
	const char *e;

	if (!s || !csv_text_ok(s) || registry_fold(s, &f) < 0)
		return -EINVAL;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e == s || e - s > 200)
		return -EINVAL;
	*ret = strndup(s, (size_t)(e - s));
	return *ret ? 0 : -ENOMEM;
}

int registry_put(struct db *db, const struct registry_person *p)
{
	_cleanup_free_ char *ad = NULL, *soyad = NULL, *yeri = NULL;
	char date[11];
	int r;

	if (!tckn_valid(p->tckn) || field_clean(p->ad, &ad) < 0 ||
	    field_clean(p->soyad, &soyad) < 0 || field_clean(p->dogum_yeri, &yeri) < 0 ||
	    registry_date_parse(p->dogum_tarihi, date) < 0)
		return -EINVAL;
	r = db_run(db, "INSERT INTO registry (tckn, ad, soyad, dogum_yeri, dogum_tarihi, alive,"
		       " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
		       " ON CONFLICT (tckn) DO UPDATE SET ad = excluded.ad, soyad = excluded.soyad,"
		       " dogum_yeri = excluded.dogum_yeri, dogum_tarihi = excluded.dogum_tarihi,"
		       " alive = excluded.alive, updated_at = excluded.updated_at",
		   "tttttii", p->tckn, ad, soyad, yeri, date, (int64_t)(p->alive ? 1 : 0), now_sec());
	return r < 0 ? r : 0;
}

int registry_get(struct db *db, const char *tckn, struct registry_person *ret)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	struct registry_person p = { 0 };
	int r;

	r = db_query_one(db, &st, "SELECT tckn, ad, soyad, dogum_yeri, dogum_tarihi, alive"
				  " FROM registry WHERE tckn = $1", "t", tckn);
	if (r < 0)
		return r;
	snprintf(p.tckn, sizeof(p.tckn), "%s", db_col_text(st, 0));
	p.ad = strdup(db_col_text(st, 1));
	p.soyad = strdup(db_col_text(st, 2));
	p.dogum_yeri = strdup(db_col_text(st, 3));
	snprintf(p.dogum_tarihi, sizeof(p.dogum_tarihi), "%s", db_col_text(st, 4));
	p.alive = db_col_int64(st, 5) != 0;
	if (!p.ad || !p.soyad || !p.dogum_yeri) {
		registry_person_done(&p);
		return -ENOMEM;
	}
	*ret = p;
	return 0;
}

static int parse_alive(const char *s, bool *ret)
{
	static const char *const yes[] = { "1", "true", "yes", "evet", "e", "" };
	static const char *const no[] = { "0", "false", "no", "hayır", "hayir", "h" };

	for (size_t i = 0; i < ELEMENTSOF(yes); i++)
		if (strcasecmp(s, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
	for (size_t i = 0; i < ELEMENTSOF(no); i++)
		if (strcasecmp(s, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	return -EINVAL;
}

int registry_import(struct db *db, FILE *f, size_t *ret_n, char **ret_errors)
{
	static const char *const cols[] = { "tckn", "ad", "soyad", "dogum_yeri", "dogum_tarihi" };
	struct csv_reader rd = { .f = f };
	_cleanup_free_ char *errors = NULL;
	char **header = NULL;
	size_t nh = 0, bad = 0, n = 0;
	int idx[ELEMENTSOF(cols)], alive_col, r;

	r = csv_next(&rd);
	if (r <= 0) {
		r = csv_error(&errors, &bad, REGISTRY_MAX_ERRORS, rd.line ? rd.line : 1,
			      "%s", r == 0 ? "no header line" : rd.error ? rd.error : strerror(-r));
		goto out;
	}
	/* The header's fields live in rd's buffer: keep a copy of the names. */
	r = csv_fields_copy(&rd, &header, &nh);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < ELEMENTSOF(cols); i++) {
		idx[i] = csv_column(header, nh, cols[i]);
		if (idx[i] < 0)
			r = csv_error(&errors, &bad, REGISTRY_MAX_ERRORS, 1,
				      "the header has no column '%s'", cols[i]);
	}
	alive_col = csv_column(header, nh, "alive");
	if (bad)
		goto out;

	r = db_begin(db);
	if (r < 0)
		goto out;
	while ((r = csv_next(&rd)) == 1) {
		struct registry_person p = { 0 };
		const char *v[ELEMENTSOF(cols)];
		char date[11];

		if (rd.n != nh) {
			r = csv_error(&errors, &bad, REGISTRY_MAX_ERRORS, rd.line,
				      "%zu fields, the header has %zu", rd.n, nh);
			if (r < 0)
				break;
			continue;
		}
		for (size_t i = 0; i < ELEMENTSOF(cols); i++)
			v[i] = rd.fields[idx[i]];
		p.alive = true;
		if (tckn_check(v[0]) != TCKN_OK)
			r = csv_error(&errors, &bad, REGISTRY_MAX_ERRORS, rd.line,
				      "T.C. Kimlik No '%s': %s", v[0], tckn_error_str(tckn_check(v[0])));
		else if (registry_date_parse(v[4], date) < 0)
			r = csv_error(&errors, &bad, REGISTRY_MAX_ERRORS, rd.line,
				      "dogum_tarihi '%s' is not a date DD.MM.YYYY", v[4]);
		else if (alive_col >= 0 && parse_alive(rd.fields[alive_col], &p.alive) < 0)
			r = csv_error(&errors, &bad, REGISTRY_MAX_ERRORS, rd.line,
				      "alive '%s' is not 1 or 0", rd.fields[alive_col]);
		else {
			snprintf(p.tckn, sizeof(p.tckn), "%s", v[0]);
			p.ad = (char *)v[1];
			p.soyad = (char *)v[2];
			p.dogum_yeri = (char *)v[3];
			snprintf(p.dogum_tarihi, sizeof(p.dogum_tarihi), "%s", date);
			if (bad)
				continue;	/* checked only: nothing is kept anyway */
			r = registry_put(db, &p);
			if (r == -EINVAL)
				r = csv_error(&errors, &bad, REGISTRY_MAX_ERRORS, rd.line,
					      "ad, soyad and dogum_yeri must be non-empty UTF-8 text"
					      " without control characters");
			else if (r == 0)
				n++;
		}
		if (r < 0)
			break;
	}
	if (r == -EINVAL && !bad)
		r = csv_error(&errors, &bad, REGISTRY_MAX_ERRORS, rd.line, "%s",
				  rd.error ? rd.error : "unterminated quote");
	if (r >= 0 && bad)
		r = -EINVAL;
	r = db_end(db, r);
out:
	csv_fields_free(header, nh);
	csv_done(&rd);
	if (r >= 0 && bad)
		r = -EINVAL;
	if (bad > REGISTRY_MAX_ERRORS) {
		char *s = strdup_printf("%s(%zu bad lines in all)\n", errors, bad);

		if (s) {
			free(errors);
			errors = s;
		}
	}
	if (r == -EINVAL && ret_errors)
		*ret_errors = TAKE_PTR(errors);
	if (r == 0 && ret_n)
		*ret_n = n;
	return r;
}

/* Constant-time equality of two folded strings (lengths may differ). */
static bool folded_eq(const char *typed, const char *stored)
{
	_cleanup_free_ char *a = NULL, *b = NULL;

	if (registry_fold(typed, &a) < 0 || registry_fold(stored, &b) < 0)
		return false;
	return streq_ct(a, b);
}

int registry_match(struct db *db, const char *tckn, const char *ad, const char *soyad,
		   const char *dogum_yeri, const char *dogum_tarihi, struct registry_person *ret,
		   enum refusal *ret_refusal)
{
	struct registry_person p = { 0 };
	char date[11] = "";
	bool ok;
	int r;

	if (!tckn || !tckn_valid(tckn) || registry_date_parse(dogum_tarihi, date) < 0)
		r = -ENOENT;
	else
		r = registry_get(db, tckn, &p);
	if (r < 0 && r != -ENOENT)
		return r;
	/* Every field is compared, whatever failed before: one answer, and
	 * about the same work, whichever field is wrong. */
	ok = r == 0;
	ok &= folded_eq(ad ? ad : "", p.ad ? p.ad : "");
	ok &= folded_eq(soyad ? soyad : "", p.soyad ? p.soyad : "");
	ok &= folded_eq(dogum_yeri ? dogum_yeri : "", p.dogum_yeri ? p.dogum_yeri : "");
	ok &= streq_ct(date, p.dogum_tarihi);
	ok &= p.alive;
	if (!ok) {
		registry_person_done(&p);
		*ret_refusal = REFUSAL_APPLY_IDENTITY;
		return -EACCES;
	}
	if (ret)
		*ret = p;
	else
		registry_person_done(&p);
	return 0;
}

int registry_count(struct db *db, int64_t *ret)
{
	return db_query_int64(db, "SELECT COUNT(*) FROM registry", "", ret);
}
