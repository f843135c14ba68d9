/* caimport.c - the records of an `openssl ca` CA into the certificates
 * table (eonayctl ca import).
 *
 * index.txt is read whole and parsed strictly first (nothing is stored
 * when one line is wrong), then stored in one transaction, 256 records a
 * statement: on SQLite a multi-row INSERT (a cached prepared statement),
 * on PostgreSQL one array per column unnest()ed (its backend binds a few
 * dozen parameters at most).  A million records in seconds on both.  ON CONFLICT DO
 * NOTHING makes a second run a no-op. */
#include "domain/caimport.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "domain/certs.h"
#include "domain/publish.h"
#include "pki/key.h"
#include "pki/ossl.h"
#include "store/audit.h"

#define BATCH 256
#define COLS 11

void caimport_index_done(struct caimport_index *idx)
{
	free(idx->rec);
	free(idx->buf);
	*idx = (struct caimport_index){ 0 };
}

static int two(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* YYMMDDHHMMSSZ (UTCTime, 1950-2049) or YYYYMMDDHHMMSSZ (GeneralizedTime). */
static int parse_time(const char *s, int64_t *ret)
{
	size_t n = strlen(s);
	struct tm tm = { 0 };
	int64_t t;

	if (n != 13 && n != 15)
		return -EBADMSG;
	for (size_t i = 0; i < n - 1; i++)
		if (!isdigit((unsigned char)s[i]))
			return -EBADMSG;
	if (s[n - 1] != 'Z')
		return -EBADMSG;
	if (n == 13) {
		tm.tm_year = two(s);
		tm.tm_year += tm.tm_year < 50 ? 100 : 0;
		s += 2;
	} else {
		tm.tm_year = two(s) * 100 + two(s + 2) - 1900;
		s += 4;
	}
	tm.tm_mon = two(s) - 1;
	tm.tm_mday = two(s + 2);
	tm.tm_hour = two(s + 4);
	tm.tm_min = two(s + 6);
	tm.tm_sec = two(s + 8);
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
		return -EBADMSG;
	t = (int64_t)timegm(&tm);
	if (t == -1)
		return -EBADMSG;
	*ret = t;
	return 0;
}

/* openssl ca's names (apps/ca.c, crl_reasons[]) and its pseudo-reasons. */
static const struct {
	const char *name;
	int reason;
	bool hold, arg;
} reasons[] = {
	{ "unspecified", 0, false, false },
	{ "keyCompromise", 1, false, false },
	{ "CACompromise", 2, false, false },
	{ "affiliationChanged", 3, false, false },
	{ "superseded", 4, false, false },
	{ "cessationOfOperation", 5, false, false },
	{ "certificateHold", 6, true, false },
	{ "holdInstruction", 6, true, true },	/* ,OID of the instruction */
	{ "keyTime", 1, false, true },		/* ,time of the compromise */
	{ "CAkeyTime", 2, false, true },
	{ "privilegeWithdrawn", 9, false, false },
	{ "aACompromise", 10, false, false },
};

static int parse_revocation(char *s, struct caimport_record *r, const char **why)
{
	char *reason = strchr(s, ','), *arg = NULL;

	if (reason) {
		*reason++ = '\0';
		arg = strchr(reason, ',');
		if (arg)
			*arg++ = '\0';
	}
	if (parse_time(s, &r->revoked_at) < 0) {
		*why = "the revocation date is not YYMMDDHHMMSSZ";
		return -EBADMSG;
	}
	/* The CRL cannot carry it (pki_crl_builder_add() refuses it, and one
	 * such row would stop every CRL of the issuer). */
	if (r->revoked_at <= 0) {
		*why = "the revocation date is not after 1970-01-01";
		return -EBADMSG;
	}
	r->reason = 0;
	if (!reason)
		return 0;
	for (size_t i = 0; i < ELEMENTSOF(reasons); i++) {
		if (strcasecmp(reason, reasons[i].name) != 0)
			continue;
		if (reasons[i].arg != (arg != NULL) || (arg && !*arg)) {
			*why = reasons[i].arg ? "the revocation reason lacks its argument" :
						"the revocation field has too many parts";
			return -EBADMSG;
		}
		r->reason = reasons[i].reason;
		r->hold = reasons[i].hold;
		return 0;
	}
	*why = strcasecmp(reason, "removeFromCRL") == 0 ?
		"removeFromCRL is not a revocation (release the hold in openssl ca first)" :
		"unknown revocation reason";
	return -EBADMSG;
}

/* Hex, either case, leading zeros allowed, into the canonical form. */
static int parse_serial(const char *s, char ret[41])
{
	size_t n = strlen(s), k = 0;

	if (n == 0 || n > 64)
		return -EBADMSG;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return -EBADMSG;
	while (n > 1 && *s == '0') {
		s++;
		n--;
	}
	if (n > 40)
		return -EBADMSG;
	if (n % 2)
		ret[k++] = '0';
	for (size_t i = 0; i < n; i++)
		ret[k++] = (char)tolower((unsigned char)s[i]);
	ret[k] = '\0';
	return 0;
}

int caimport_parse_line(char *line, struct caimport_record *ret, const char **ret_why)
{
	char *f[6];
	int r;

	*ret = (struct caimport_record){ .reason = 0 };
	for (int i = 0; i < 6; i++) {
		f[i] = line;
		line = i < 5 ? strchr(line, '\t') : NULL;
		if (i < 5 && !line) {
			*ret_why = "not six tab-separated fields";
			return -EBADMSG;
		}
		if (line)
			*line++ = '\0';
	}
	if (strchr(f[5], '\t') || strchr(f[5], '\r')) {
		*ret_why = "not six tab-separated fields";
		return -EBADMSG;
	}
	if (strlen(f[0]) != 1 || !strchr("VRE", f[0][0])) {
		*ret_why = "the status is not V, R or E";
		return -EBADMSG;
	}
	ret->status = f[0][0];
	if (parse_time(f[1], &ret->not_after) < 0) {
		*ret_why = "the expiry date is not YYMMDDHHMMSSZ";
		return -EBADMSG;
	}
	if (ret->status == 'R') {
		r = parse_revocation(f[2], ret, ret_why);
		if (r < 0)
			return r;
	} else if (*f[2]) {
		*ret_why = "a revocation date on a record that is not revoked";
		return -EBADMSG;
	}
	if (parse_serial(f[3], ret->serial) < 0) {
		*ret_why = "the serial is not hex of at most 20 bytes";
		return -EBADMSG;
	}
	if (!*f[4] || strchr(f[4], '/')) {
		*ret_why = "the file name is empty or not a plain name";
		return -EBADMSG;
	}
	if (f[5][0] != '/') {
		*ret_why = "the subject is not a DN in openssl's /K=V form";
		return -EBADMSG;
	}
	ret->serial_text = f[3];
	ret->file = f[4];
	ret->subject = f[5];
	return 0;
}

static int by_serial(const void *a, const void *b)
{
	const struct caimport_record *x = a, *y = b;
	size_t lx = strlen(x->serial), ly = strlen(y->serial);

	return lx != ly ? (lx < ly ? -1 : 1) : strcmp(x->serial, y->serial);
}

int caimport_read_index(const char *path, struct caimport_index *ret, size_t *ret_line,
			const char **ret_why)
{
	struct caimport_index idx = { 0 };
	size_t len = 0, cap = 0, lineno = 0;
	char *p, *end, *nl;
	int r;

	*ret_line = 0;
	*ret_why = NULL;
	r = read_file(path, (size_t)4 << 30, &idx.buf, &len);
	if (r < 0)
		return r;
	for (size_t i = 0; i < len; i++)
		cap += idx.buf[i] == '\n';
	idx.rec = calloc(cap + 1, sizeof(*idx.rec));
	if (!idx.rec) {
		caimport_index_done(&idx);
		return -ENOMEM;
	}
	end = idx.buf + len;
	for (p = idx.buf; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		lineno++;
		if (!nl) {
			*ret_why = "the last line has no newline (a truncated file?)";
			r = -EBADMSG;
			goto fail;
		}
		*nl = '\0';
		if (strlen(p) != (size_t)(nl - p)) {
			*ret_why = "a NUL byte in the line";
			r = -EBADMSG;
			goto fail;
		}
		r = caimport_parse_line(p, &idx.rec[idx.n], ret_why);
		if (r < 0)
			goto fail;
		idx.rec[idx.n++].line = lineno;
	}
	qsort(idx.rec, idx.n, sizeof(*idx.rec), by_serial);
	for (size_t i = 1; i < idx.n; i++)
		if (strcmp(idx.rec[i - 1].serial, idx.rec[i].serial) == 0) {
			lineno = MAX(idx.rec[i - 1].line, idx.rec[i].line);
			*ret_why = "this serial is on an earlier line too";
			r = -EBADMSG;
			goto fail;
		}
	*ret = idx;
	return 0;
fail:
	*ret_line = lineno;
	caimport_index_done(&idx);
	return r;
}

/* The CN of an openssl /K=V DN, else the whole DN; the bytes openssl
 * wrote as \xHH (X509_NAME_oneline: UTF-8 of Turkish names) unescaped. */
static char *subject_cn(const char *dn)
{
	const char *cn = NULL, *e;
	char *s, *o;
	size_t n;

	for (const char *p = strstr(dn, "/CN="); p; p = strstr(p + 1, "/CN="))
		cn = p + 4;
	if (!cn)
		cn = dn;
	e = cn == dn ? NULL : strchr(cn, '/');
	n = e ? (size_t)(e - cn) : strlen(cn);
	s = o = malloc(n + 1);
	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (cn[i] == '\\' && i + 3 < n && cn[i + 1] == 'x' &&
		    isxdigit((unsigned char)cn[i + 2]) && isxdigit((unsigned char)cn[i + 3])) {
			char hx[3] = { cn[i + 2], cn[i + 3], 0 };
			unsigned char b = (unsigned char)strtoul(hx, NULL, 16);

			if (b) {
				*o++ = (char)b;
				i += 3;
				continue;
			}
		}
		*o++ = cn[i];
	}
	*o = '\0';
	return s;
}

struct row {
	char *cn;
	unsigned char *der;
	size_t der_len;
	char sha256[PKI_SHA256_HEX_MAX];
	int64_t not_before;
};

static void row_done(struct row *w)
{
	free(w->cn);
	free(w->der);
	*w = (struct row){ 0 };
}

/* The record's certificate from dir, checked against the CA and the line;
 * -ENOENT when it is not there. */
static int find_cert(const char *dir, X509 *ca, EVP_PKEY *ca_key,
		     const struct caimport_record *c, struct row *w, const char **why)
{
	_cleanup_(X509_freep) X509 *x = NULL;
	char serial[PKI_SERIAL_HEX_MAX];
	int64_t na = 0;
	int r = -ENOENT;

	/* newcerts/ names them by the serial as index.txt writes it; else the
	 * line's file name. */
	for (int i = 0; i < 2 && r == -ENOENT; i++) {
		_cleanup_free_ char *path = NULL;

		if (i == 1 && streq(c->file, "unknown"))
			break;
		path = i == 0 ? strdup_printf("%s/%s.pem", dir, c->serial_text) :
				strdup_printf("%s/%s", dir, c->file);
		if (!path)
			return -ENOMEM;
		r = pki_cert_load(path, &x);
	}
	if (r < 0) {
		if (r != -ENOENT)
			*why = "the certificate file is not a certificate";
		return r == -ENOENT ? r : -EBADMSG;
	}
	*why = "the certificate in the certificates directory is not this line's";
	if (pki_cert_serial_hex(x, serial) < 0 || !streq(serial, c->serial))
		return -EBADMSG;
	if (X509_check_issued(ca, x) != X509_V_OK || X509_verify(x, ca_key) != 1) {
		ERR_clear_error();
		*why = "the certificate in the certificates directory was not issued by this CA";
		return -EBADMSG;
	}
	if (pki_asn1_time_to_unix(X509_get0_notAfter(x), &na) < 0 || na != c->not_after ||
	    pki_asn1_time_to_unix(X509_get0_notBefore(x), &w->not_before) < 0)
		return -EBADMSG;
	r = pki_cert_to_der(x, &w->der, &w->der_len);
	if (r < 0)
		return r;
	return pki_cert_sha256_hex(x, w->sha256);
}

/* SQLite: one multi-row INSERT of rows rows. */
static int batch_sql(size_t rows, char **ret)
{
	size_t cap = 256 + rows * COLS * 8, k;
	char *s = malloc(cap);

	if (!s)
		return -ENOMEM;
	k = (size_t)snprintf(s, cap, "INSERT INTO certificates (issuer, serial, subject_cn,"
			     " not_before, not_after, sha256, der, status, reason, revoked_at,"
			     " issued_at) VALUES ");
	for (size_t i = 0; i < rows; i++) {
		k += (size_t)snprintf(s + k, cap - k, "%s(", i ? "," : "");
		for (int j = 1; j <= COLS; j++)
			k += (size_t)snprintf(s + k, cap - k, "$%zu%s", i * COLS + (size_t)j,
					      j < COLS ? "," : ")");
	}
	snprintf(s + k, cap - k, " ON CONFLICT (issuer, serial) DO NOTHING");
	*ret = s;
	return 0;
}

static int insert_batch(struct db *db, const char *issuer, const struct caimport_record *c,
			struct row *w, size_t n)
{
	_cleanup_free_ char *sql = NULL;
	_cleanup_stmt_ struct db_stmt *st = NULL;
	int r;

	r = batch_sql(n, &sql);
	if (r == 0)
		r = db_prepare(db, sql, &st);
	for (size_t i = 0; i < n && r == 0; i++) {
		int b = (int)(i * COLS);
		const char *status = c[i].status != 'R' ? "active" : c[i].hold ? "hold" : "revoked";

		r = db_bind_text(st, b + 1, issuer);
		if (r == 0)
			r = db_bind_text(st, b + 2, c[i].serial);
		if (r == 0)
			r = db_bind_text(st, b + 3, w[i].cn);
		if (r == 0)
			r = w[i].der ? db_bind_int64(st, b + 4, w[i].not_before) :
				       db_bind_null(st, b + 4);
		if (r == 0)
			r = db_bind_int64(st, b + 5, c[i].not_after);
		if (r == 0)
			r = db_bind_text(st, b + 6, w[i].der ? w[i].sha256 : NULL);
		if (r == 0)
			r = w[i].der ? db_bind_blob(st, b + 7, w[i].der, w[i].der_len) :
				       db_bind_null(st, b + 7);
		if (r == 0)
			r = db_bind_text(st, b + 8, status);
		if (r == 0)
			r = c[i].status == 'R' ? db_bind_int64(st, b + 9, c[i].reason) :
						 db_bind_null(st, b + 9);
		if (r == 0)
			r = c[i].status == 'R' ? db_bind_int64(st, b + 10, c[i].revoked_at) :
						 db_bind_null(st, b + 10);
		if (r == 0)
			r = w[i].der ? db_bind_int64(st, b + 11, w[i].not_before) :
				       db_bind_null(st, b + 11);
	}
	while (r == 0 && (r = db_step(st)) == 1)
		;
	return r;
}

/* PostgreSQL binds at most a few dozen parameters a statement (store/db-pg.c):
 * there the batch goes as one array per column, unnest()ed. */
struct sbuf {
	char *p;
	size_t n, cap;
	int err;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->err)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = MAX(b->cap * 2, b->n + n + 256);
		char *p = realloc(b->p, cap);

		if (!p) {
			b->err = -ENOMEM;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* One array element: NULL, or a double-quoted string with \ and " escaped. */
static void sb_elem(struct sbuf *b, bool first, const char *s)
{
	if (!first)
		sb_str(b, ",");
	if (!s) {
		sb_str(b, "NULL");
		return;
	}
	sb_str(b, "\"");
	for (const char *q = s; *q; q++) {
		if (*q == '"' || *q == '\\')
			sb_str(b, "\\");
		sb_add(b, q, 1);
	}
	sb_str(b, "\"");
}

static void sb_int(struct sbuf *b, bool first, bool null, int64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRId64, v);
	sb_elem(b, first, null ? NULL : num);
}

static int insert_batch_pg(struct db *db, const char *issuer, const struct caimport_record *c,
			   struct row *w, size_t n)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	struct sbuf a[10] = {};
	int r;

	for (int k = 0; k < 10; k++)
		sb_str(&a[k], "{");
	for (size_t i = 0; i < n; i++) {
		bool f = i == 0, whole = w[i].der != NULL, rev = c[i].status == 'R';

		sb_elem(&a[0], f, c[i].serial);
		sb_elem(&a[1], f, w[i].cn);
		sb_int(&a[2], f, !whole, w[i].not_before);
		sb_int(&a[3], f, false, c[i].not_after);
		sb_elem(&a[4], f, whole ? w[i].sha256 : NULL);
		if (whole) {
			_cleanup_free_ char *hex = malloc(2 * w[i].der_len + 3);

			if (!hex) {
				r = -ENOMEM;
				goto out;
			}
			strcpy(hex, "\\x");
			for (size_t j = 0; j < w[i].der_len; j++)
				snprintf(hex + 2 + 2 * j, 3, "%02x", w[i].der[j]);
			sb_elem(&a[5], f, hex);
		} else
			sb_elem(&a[5], f, NULL);
		sb_elem(&a[6], f, !rev ? "active" : c[i].hold ? "hold" : "revoked");
		sb_int(&a[7], f, !rev, c[i].reason);
		sb_int(&a[8], f, !rev, c[i].revoked_at);
		sb_int(&a[9], f, !whole, w[i].not_before);
	}
	r = 0;
	for (int k = 0; k < 10; k++) {
		sb_str(&a[k], "}");
		if (a[k].err)
			r = a[k].err;
	}
	if (r == 0)
		r = db_prepare(db, "INSERT INTO certificates (issuer, serial, subject_cn, not_before,"
				   " not_after, sha256, der, status, reason, revoked_at, issued_at)"
				   " SELECT $1, u.* FROM unnest($2::text[], $3::text[], $4::bigint[],"
				   " $5::bigint[], $6::text[], $7::bytea[], $8::text[], $9::integer[],"
				   " $10::bigint[], $11::bigint[]) AS u"
				   " ON CONFLICT (issuer, serial) DO NOTHING", &st);
	if (r == 0)
		r = db_bind_text(st, 1, issuer);
	for (int k = 0; k < 10 && r == 0; k++)
		r = db_bind_text(st, k + 2, a[k].p);
	while (r == 0 && (r = db_step(st)) == 1)
		;
out:
	for (int k = 0; k < 10; k++)
		free(a[k].p);
	return r;
}

int caimport_store(struct db *db, X509 *ca, bool ca_new, const struct caimport_index *idx,
		   const char *certs_dir, caimport_progress_fn progress, void *userdata,
		   struct caimport_stats *ret, size_t *ret_line, const char **ret_why)
{
	struct caimport_stats s = { .records = idx->n };
	char issuer[CERT_ISSUER_MAX], detail[160];
	struct row w[BATCH] = {};
	int64_t before = 0, after = 0;
	EVP_PKEY *ca_key = X509_get0_pubkey(ca);
	bool pg = streq(db_backend_name(db), "postgresql");
	int r;

	*ret_line = 0;
	*ret_why = NULL;
	if (!ca_key)
		return -EBADMSG;
	r = pki_cert_key_id_hex(ca, issuer);
	if (r < 0)
		return r;
	r = db_begin(db);
	if (r < 0)
		return r;
	r = db_query_int64(db, "SELECT COUNT(*) FROM certificates WHERE issuer = $1", "t", &before,
			   issuer);
	for (size_t i = 0; i < idx->n && r == 0; i += BATCH) {
		size_t n = MIN((size_t)BATCH, idx->n - i);

		for (size_t j = 0; j < n && r == 0; j++) {
			const struct caimport_record *c = &idx->rec[i + j];

			w[j].cn = subject_cn(c->subject);
			if (!w[j].cn)
				r = -ENOMEM;
			if (r == 0 && certs_dir) {
				r = find_cert(certs_dir, ca, ca_key, c, &w[j], ret_why);
				if (r == -EBADMSG)
					*ret_line = c->line;
				if (r == 0)
					s.whole++;
				else if (r == -ENOENT)
					r = 0;
			}
			s.valid += c->status == 'V';
			s.expired += c->status == 'E';
			s.held += c->status == 'R' && c->hold;
			s.revoked += c->status == 'R' && !c->hold;
		}
		if (r == 0)
			r = pg ? insert_batch_pg(db, issuer, &idx->rec[i], w, n) :
				 insert_batch(db, issuer, &idx->rec[i], w, n);
		for (size_t j = 0; j < n; j++)
			row_done(&w[j]);
		if (r == 0 && progress && ((i / BATCH) % 64 == 63 || i + n == idx->n))
			progress(userdata, i + n, idx->n);
	}
	if (r == 0)
		r = db_query_int64(db, "SELECT COUNT(*) FROM certificates WHERE issuer = $1", "t",
				   &after, issuer);
	if (r == 0)
		s.added = (size_t)(after - before);
	if (r == 0 && (s.added > 0 || ca_new)) {
		snprintf(detail, sizeof(detail), "{\"records\":%zu,\"added\":%zu,\"whole\":%zu,"
			 "\"revoked\":%zu,\"held\":%zu}",
			 s.records, s.added, s.whole, s.revoked, s.held);
		r = audit_append(db, true, "operator", "ca.import", issuer, "ok", detail);
	}
	/* Held and revoked records came: the CRL is rebuilt (publish.h). */
	if (r == 0 && s.added > 0 && s.held + s.revoked > 0)
		r = crl_mark_changed(db, issuer);
	r = db_end(db, r);
	if (r == 0 && ret)
		*ret = s;
	return r;
}
