/* api-holder.c - the holder's own acts (issue 11): Şifreli Giriş, the
 * certificate list and its downloads, Askıya Alma / Askıdan İndirme /
 * Sertifikamı İptal Et, Başvuru Durum Sorgulama, contact details.
 *
 *   POST /api/v1/login/password          {"tckn", "word"}  (CSRF)
 *   GET  /api/v1/certificates            the logged-in holder's certificates
 *   GET  /api/v1/certificates/{serial}/pem|der
 *   POST /api/v1/certificates/{serial}/hold|release       {}  (CSRF)
 *   POST /api/v1/certificates/{serial}/revoke  {"reason", "confirm"}  (CSRF)
 *   GET  /api/v1/applications
 *   GET  /api/v1/contact, POST /api/v1/contact {fields of domain/contact.h}
 * The bodies call src/domain (password.c, certs.c, applications.c,
 * contact.c); a status change publishes a new CRL at once (OCSP reads the
 * store and needs nothing). */
#include <openssl/crypto.h>

#include "common/json.h"
#include "common/log.h"
#include "common/tckn.h"
#include "domain/applications.h"
#include "domain/certs.h"
#include "domain/contact.h"
#include "domain/password.h"
#include "domain/publish.h"
#include "domain/websession.h"
#include "pki/crl.h"
#include "server/crlpub.h"
#include "server/handlers.h"
#include "server/refusals.h"

int handle_login_password(struct http_request *req)
{
	_cleanup_secret_ char *id = NULL;
	const char *tckn = NULL, *word = NULL;
	enum refusal why = REFUSAL_NONE;
	enum tckn_error te;
	int64_t retry = 0;
	struct db *db;
	int r;

	r = json_get_str(req->json, "tckn", &tckn);
	te = r < 0 ? TCKN_EMPTY : tckn_check(tckn);
	if (te != TCKN_OK)
		return http_reply_refusal_msg(req, REFUSAL_BAD_TCKN, tckn_error_tr(te));
	if (json_get_str(req->json, "word", &word) < 0 || !*word || strlen(word) > 128)
		return http_reply_refusal(req, REFUSAL_LOGIN_FAILED);
	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = password_login(db, req->srv->cfg, tckn, word, req->client_addr, req->ws.id_hash, &id,
			   &why, &retry);
	/* The word lives on in the parsed body until the request ends (the
	 * layer cleanses the raw body). */
	OPENSSL_cleanse((char *)word, strlen(word));
	if (r == -EACCES) {
		if (why == REFUSAL_LOGIN_LOCKED)
			req->retry_after = (unsigned)MAX(retry, 1);
		return http_reply_refusal(req, why);
	}
	if (r < 0) {
		log_error("password login: %s (%s)", strerror(-r), db_errmsg(db));
		return r;
	}
	r = http_set_cookie(req, WEBSESSION_COOKIE, id, req->srv->cfg->session_absolute);
	if (r < 0)
		return r;
	return http_reply_json(req, 200, json_pack("{s:b,s:s,s:s}", "authenticated", true, "tckn",
						   tckn, "login_method", "şifre"));
}

static json_t *cert_json(const struct cert_record *c, int64_t now)
{
	const char *reason = NULL;

	if (c->status == CERT_REVOKED)
		reason = pki_reason_to_string(c->reason);
	return json_pack("{s:s,s:s,s:s,s:s?,s:s,s:I,s:I,s:I,s:s?,s:o?,s:s?,s:s}", "serial", c->serial,
			 "issuer", c->issuer, "status", cert_status_seen(c, now), "state",
			 cert_status_str(c->status),
			 "subject", c->subject_cn, "not_before", (json_int_t)c->not_before,
			 "not_after", (json_int_t)c->not_after, "issued_at",
			 (json_int_t)c->issued_at, "card_serial",
			 c->card_serial[0] ? c->card_serial : NULL, "revoked_at",
			 c->status != CERT_ACTIVE ? json_integer(c->revoked_at) : NULL,
			 "reason", reason, "sha256", c->sha256);
}

int handle_certificates_list(struct http_request *req)
{
	struct cert_record *a = NULL;
	json_t *list;
	int64_t now = now_sec();
	size_t n = 0;
	struct db *db;
	int r;

	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = cert_list_by_tckn(db, req->ws.tckn, &a, &n);
	if (r < 0)
		return r;
	list = json_array();
	for (size_t i = 0; list && i < n; i++)
		if (json_array_append_new(list, cert_json(&a[i], now)) < 0) {
			json_decref(list);
			list = NULL;
		}
	cert_record_free_array(a, n);
	if (!list)
		return -ENOMEM;
	return http_reply_json(req, 200, json_pack("{s:o}", "certificates", list));
}

/* The {serial} parameter: hex only (the router has decoded %2F and the
 * like), at most 64 characters.  Answers 400 itself when it is not. */
static bool hex_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n <= max && strspn(s, "0123456789abcdefABCDEF") == n;
}

static const char *serial_param(struct http_request *req, const char **ret_issuer)
{
	const char *s = http_param(req, "serial");

	/* ?issuer=KEYID: only needed when two issuing CAs gave the holder
	 * certificates with one serial. */
	*ret_issuer = http_query(req, "issuer");
	if (!hex_ok(s, 64) || (*ret_issuer && !hex_ok(*ret_issuer, CERT_ISSUER_MAX - 1))) {
		http_reply_error(req, 400, "bad_serial", "Geçersiz sertifika seri numarası.");
		return NULL;
	}
	return s;
}

static int download(struct http_request *req, bool pem)
{
	_cleanup_free_ char *fname = NULL, *text = NULL;
	enum refusal why = REFUSAL_NONE;
	const char *serial, *issuer;
	struct cert_record c;
	struct MHD_Response *resp;
	size_t n = 0;
	void *data;
	struct db *db;
	int r;

	serial = serial_param(req, &issuer);
	if (!serial)
		return 0;
	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = cert_get_own(db, req->ws.tckn, issuer, serial, &c, &why);
	if (r == -EACCES)
		return http_reply_refusal(req, why);
	if (r == -ENOTUNIQ)
		return http_reply_error(req, 409, "issuer_needed",
					"Bu seri numarası birden çok sertifikada var.");
	if (r < 0)
		return r;
	fname = strdup_printf("attachment; filename=\"%s.%s\"", c.serial, pem ? "pem" : "cer");
	if (pem) {
		_cleanup_free_ char *b64 = NULL;
		size_t len, off, k;

		r = base64_encode(c.der, c.der_len, &b64);
		if (r < 0) {
			cert_record_done(&c);
			return r;
		}
		len = strlen(b64);
		text = malloc(len + len / 64 + 80);
		if (text) {
			off = (size_t)sprintf(text, "-----BEGIN CERTIFICATE-----\n");
			for (k = 0; k < len; k += 64)
				off += (size_t)sprintf(text + off, "%.64s\n", b64 + k);
			off += (size_t)sprintf(text + off, "-----END CERTIFICATE-----\n");
			n = off;
		}
		data = TAKE_PTR(text);
	} else {
		data = TAKE_PTR(c.der);
		n = c.der_len;
	}
	cert_record_done(&c);
	if (!data || !fname) {
		free(data);
		return -ENOMEM;
	}
	resp = MHD_create_response_from_buffer(n, data, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(data);
		return -ENOMEM;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				pem ? "application/x-pem-file" : "application/pkix-cert");
	MHD_add_response_header(resp, "Content-Disposition", fname);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	return http_queue(req, 200, resp);
}

int handle_certificate_pem(struct http_request *req)
{
	return download(req, true);
}

int handle_certificate_der(struct http_request *req)
{
	return download(req, false);
}

static int cert_act(struct http_request *req, enum cert_act act)
{
	enum refusal why = REFUSAL_NONE;
	const char *serial, *issuer, *confirm = NULL;
	int64_t reason = 0;
	struct cert_record c;
	json_t *o;
	struct db *db;
	int r;

	serial = serial_param(req, &issuer);
	if (!serial)
		return 0;
	if (act == CERT_ACT_REVOKE) {
		r = json_get_int(req->json, "reason", &reason);
		if (r == -ENOENT)
			reason = 0;	/* unspecified */
		else if (r < 0 || reason < 0 || reason > 10)
			return http_reply_refusal(req, REFUSAL_CERT_REASON);
		(void)json_get_str(req->json, "confirm", &confirm);
	}
	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = cert_holder_act(db, req->ws.tckn, issuer, serial, act, (int)reason, confirm, &why);
	if (r == -EACCES)
		return http_reply_refusal(req, why);
	if (r == -ENOTUNIQ)
		return http_reply_error(req, 409, "issuer_needed",
					"Bu seri numarası birden çok sertifikada var.");
	if (r < 0) {
		log_error("certificate %s: %s (%s)", serial, strerror(-r), db_errmsg(db));
		return r;
	}
	r = cert_get_own(db, req->ws.tckn, issuer, serial, &c, &why);
	if (r < 0)
		return r == -EACCES ? http_reply_refusal(req, why) : r;
	/* In effect for OCSP already (it reads the store); the change marked
	 * its issuer's CRL out of date, and the CRL thread rebuilds it within
	 * seconds, outside this request (domain/publish.h).  After a rollover
	 * the old CA's CRL is the back office's: eonayctl crl publish. */
	crlpub_kick();
	o = cert_json(&c, now_sec());
	cert_record_done(&c);
	return http_reply_json(req, 200, o);
}

int handle_certificate_hold(struct http_request *req)
{
	return cert_act(req, CERT_ACT_HOLD);
}

int handle_certificate_release(struct http_request *req)
{
	return cert_act(req, CERT_ACT_RELEASE);
}

int handle_certificate_revoke(struct http_request *req)
{
	return cert_act(req, CERT_ACT_REVOKE);
}

int handle_applications_list(struct http_request *req)
{
	struct application_filter f = { .tckn = req->ws.tckn, .state = -1 };
	struct application *a = NULL;
	json_t *list;
	size_t n = 0;
	struct db *db;
	int r;

	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = application_list(db, &f, &a, &n);
	if (r < 0)
		return r;
	list = json_array();
	/* The Turkish labels come from the one table in domain/applications.c. */
	for (size_t i = 0; list && i < n; i++)
		json_array_append_new(
			list, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s?,s:I,s:I}", "id", a[i].id,
					"kind", application_kind_str(a[i].kind), "kind_label",
					application_kind_label(a[i].kind), "state",
					application_state_str(a[i].state), "state_label",
					application_state_label(a[i].state), "institution",
					a[i].institution, "method", application_method_str(a[i].method),
					"tracking", a[i].tracking, "created_at",
					(json_int_t)a[i].created_at, "updated_at",
					(json_int_t)a[i].updated_at));
	application_free_array(a, n);
	if (!list)
		return -ENOMEM;
	return http_reply_json(req, 200, json_pack("{s:o}", "applications", list));
}

static json_t *contact_json(const struct contact *c)
{
	json_t *o = json_object();

	for (int i = 0; o && i < _CONTACT_MAX; i++)
		json_object_set_new(o, contact_field_name((enum contact_field)i),
				    c->v[i] ? json_string(c->v[i]) : json_null());
	return o;
}

int handle_contact_get(struct http_request *req)
{
	struct contact c;
	json_t *o;
	struct db *db;
	int r;

	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = contact_get(db, req->ws.tckn, &c);
	if (r < 0)
		return r;
	o = contact_json(&c);
	contact_done(&c);
	return http_reply_json(req, 200, o);
}

/* Turkish names of the fields, for the refusal message. */
static const char *const field_tr[] = {
	[CONTACT_EMAIL] = "E-posta",
	[CONTACT_MOBILE] = "Cep Telefonu",
	[CONTACT_WORK_PHONE] = "İş Telefonu",
	[CONTACT_WORK_EXT] = "Dahili",
	[CONTACT_HOME_PHONE] = "Ev Telefonu",
	[CONTACT_INFO_CHANNEL] = "Bilgi Kanalı",
};
_Static_assert(ELEMENTSOF(field_tr) == _CONTACT_MAX, "a contact field without its name");

int handle_contact_set(struct http_request *req)
{
	_cleanup_free_ char *msg = NULL;
	enum refusal why = REFUSAL_NONE;
	enum contact_field bad = CONTACT_EMAIL;
	struct contact in = { 0 };
	json_t *out;
	struct db *db;
	int r;

	for (int i = 0; i < _CONTACT_MAX; i++) {
		const char *v = NULL;

		r = json_get_str(req->json, contact_field_name((enum contact_field)i), &v);
		if (r == -EINVAL)
			return http_reply_error(req, 400, "bad_request", "Geçersiz istek.");
		in.v[i] = (char *)v;
	}
	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = contact_set(db, req->ws.tckn, &in, &bad, &why);
	if (r == -EACCES && why == REFUSAL_CONTACT_INVALID) {
		json_t *e;

		msg = strdup_printf("%s alanı geçersiz veya eksik. Lütfen kontrol ediniz.", field_tr[bad]);
		e = json_pack("{s:{s:s,s:s,s:s}}", "error", "code", refusal_code(why), "message",
			      msg ? msg : "", "field", contact_field_name(bad));
		return http_reply_json(req, refusal_reply(why)->status, e);
	}
	if (r == -EACCES)
		return http_reply_refusal(req, why);
	if (r < 0)
		return r;
	r = contact_get(db, req->ws.tckn, &in);
	if (r < 0)
		return r;
	out = contact_json(&in);
	contact_done(&in);
	return http_reply_json(req, 200, out);
}
