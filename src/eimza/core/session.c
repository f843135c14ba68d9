/* session.c - claim, submit and the Turkish failure of each (session.h).
 * Part of libeimza-core: the CLI and the window share every line that
 * talks to the server. */
#include "eimza/core/session.h"

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/json.h"
#include "common/util.h"
#include "eimza/core/client.h"

int eimza_error_set(struct eimza_error *err, enum eimza_fail kind, int errno_, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		*err = (struct eimza_error){ .kind = kind };
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return errno_ > 0 ? -errno_ : errno_;
}

static int64_t mono_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

void eimza_format_time(int64_t t, char ret[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	strftime(ret, 32, "%d.%m.%Y %H:%M:%S", &tm);
}

/* A refusal answer: {"error": {"code", "message"}}.  The message is the
 * server's own Turkish sentence; the code only classifies it. */
static int refusal(long status, json_t *body, enum eimza_fail kind, struct eimza_error *err)
{
	json_t *e = json_object_get(body, "error");
	const char *code = json_string_value(json_object_get(e, "code"));
	const char *msg = json_string_value(json_object_get(e, "message"));

	if (code && (streq(code, "code_expired") || streq(code, "session_expired")))
		kind = EIMZA_FAIL_EXPIRED;
	eimza_error_set(err, kind, EACCES, "%s",
			msg ? msg : "Sunucu isteği kabul etmedi. Lütfen tarayıcınızdan yeni bir kod alınız.");
	if (err) {
		snprintf(err->code, sizeof(err->code), "%s", code ? code : "");
		err->status = status;
	}
	return -EACCES;
}

static int unreachable(const char *server, const char *why, struct eimza_error *err)
{
	eimza_error_set(err, EIMZA_FAIL_NETWORK, EIO,
			"Sunucuya ulaşılamadı (%s). İnternet bağlantınızı kontrol edip tekrar deneyiniz.",
			server);
	if (err) {
		snprintf(err->code, sizeof(err->code), "network");
		snprintf(err->detail, sizeof(err->detail), "%s", why ? why : "");
	}
	return -EIO;
}

static char *dup_str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? strdup(v) : NULL;
}

int eimza_claim(const char *server, const char *cafile, const char *digits,
		struct eimza_session *ret, struct eimza_error *err)
{
	_cleanup_json_ json_t *req = NULL, *body = NULL;
	_cleanup_free_ char *why = NULL;
	struct eimza_session s = { 0 };
	const char *masked;
	json_t *ctx;
	long status = 0;
	int r;

	req = json_pack("{s:s}", "code", digits);
	if (!req)
		return eimza_error_set(err, EIMZA_FAIL_INTERNAL, ENOMEM, "Bellek yetersiz.");
	r = client_post_json(server, "/api/v1/app/claim", req, cafile, &status, &body, &why);
	/* The code is a credential until claimed: wipe the request's copy. */
	json_object_set_new(req, "code", json_string("0000000000000000"));
	if (r < 0)
		return unreachable(server, why, err);
	if (status != 200)
		return refusal(status, body, EIMZA_FAIL_CODE, err);
	ctx = json_object_get(body, "context");
	s.server = strdup(server);
	s.cafile = cafile ? strdup(cafile) : NULL;
	s.token = dup_str(body, "token");
	s.purpose = dup_str(body, "purpose");
	s.purpose_text = dup_str(body, "purpose_text");
	s.texts = json_incref(json_object_get(body, "texts"));
	s.created_at = json_integer_value(json_object_get(body, "created_at"));
	s.expires_at = json_integer_value(json_object_get(body, "expires_at"));
	s.deadline_mono = mono_sec() + json_integer_value(json_object_get(body, "remaining"));
	s.client_addr = dup_str(ctx, "client_addr");
	s.app_addr = dup_str(ctx, "app_addr");
	if (!s.app_addr)
		s.app_addr = dup_str(body, "app_addr");
	s.user_agent = dup_str(ctx, "user_agent");
	masked = json_string_value(json_object_get(body, "tckn_masked"));
	snprintf(s.tckn_masked, sizeof(s.tckn_masked), "%s", masked ? masked : "");
	if (!s.server || !s.token || !json_is_array(s.texts) || json_array_size(s.texts) == 0) {
		eimza_session_done(&s);
		return eimza_error_set(err, EIMZA_FAIL_INTERNAL, EBADMSG,
				       "Sunucudan beklenmeyen bir cevap geldi.");
	}
	for (size_t i = 0; i < json_array_size(s.texts); i++)
		if (!json_is_string(json_array_get(s.texts, i))) {
			eimza_session_done(&s);
			return eimza_error_set(err, EIMZA_FAIL_INTERNAL, EBADMSG,
					       "Sunucudan beklenmeyen bir cevap geldi.");
		}
	*ret = s;
	return 0;
}

void eimza_session_done(struct eimza_session *s)
{
	free(s->server);
	free(s->cafile);
	secret_free(s->token);
	free(s->purpose);
	free(s->purpose_text);
	json_decref(s->texts);
	free(s->client_addr);
	free(s->app_addr);
	free(s->user_agent);
	*s = (struct eimza_session){ 0 };
}

int64_t eimza_session_remaining(const struct eimza_session *s)
{
	int64_t left = s->deadline_mono - mono_sec();

	return left > 0 ? left : 0;
}

/* Same network: same IPv4 /24 or same IPv6 /64 (IPv4-mapped IPv6 counts
 * as IPv4). */
static bool same_network(const char *a, const char *b)
{
	unsigned char x[16], y[16];
	int fx = AF_INET6, fy = AF_INET6;

	if (streq(a, b))
		return true;
	if (inet_pton(AF_INET, a, x) == 1)
		fx = AF_INET;
	else if (inet_pton(AF_INET6, a, x) != 1)
		return false;
	if (inet_pton(AF_INET, b, y) == 1)
		fy = AF_INET;
	else if (inet_pton(AF_INET6, b, y) != 1)
		return false;
	if (fx == AF_INET6 && memcmp(x, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		memmove(x, x + 12, 4);
		fx = AF_INET;
	}
	if (fy == AF_INET6 && memcmp(y, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		memmove(y, y + 12, 4);
		fy = AF_INET;
	}
	if (fx != fy)
		return false;
	return memcmp(x, y, fx == AF_INET ? 3 : 8) == 0;
}

bool eimza_session_relayed(const struct eimza_session *s)
{
	if (!s->client_addr || !s->app_addr || !*s->client_addr || !*s->app_addr)
		return false;
	return !same_network(s->client_addr, s->app_addr);
}

int eimza_submit(const struct eimza_session *s, json_t *sigs, char **ret_message,
		 struct eimza_error *err)
{
	_cleanup_json_ json_t *req = NULL, *body = NULL;
	_cleanup_free_ char *why = NULL;
	const char *msg;
	long status = 0;
	int r;

	req = json_pack("{s:s,s:O}", "token", s->token, "signatures", sigs);
	if (!req)
		return eimza_error_set(err, EIMZA_FAIL_INTERNAL, ENOMEM, "Bellek yetersiz.");
	r = client_post_json(s->server, "/api/v1/app/submit", req, s->cafile, &status, &body, &why);
	if (r < 0)
		return unreachable(s->server, why, err);
	if (status != 200)
		return refusal(status, body, EIMZA_FAIL_REFUSED, err);
	msg = json_string_value(json_object_get(body, "message"));
	*ret_message = strdup(msg ? msg : "İşleminiz Başarılıdır.");
	if (!*ret_message)
		return eimza_error_set(err, EIMZA_FAIL_INTERNAL, ENOMEM, "Bellek yetersiz.");
	return 0;
}

int eimza_session_post(const struct eimza_session *s, const char *path, const json_t *body,
		       long *ret_status, json_t **ret_body, struct eimza_error *err)
{
	_cleanup_free_ char *why = NULL;
	int r;

	r = client_post_json(s->server, path, body, s->cafile, ret_status, ret_body, &why);
	if (r < 0)
		return unreachable(s->server, why, err);
	return 0;
}

int eimza_refusal(long status, json_t *body, enum eimza_fail kind, struct eimza_error *err)
{
	return refusal(status, body, kind, err);
}

int eimza_report(const struct eimza_session *s, const char *event)
{
	_cleanup_json_ json_t *req = NULL, *body = NULL;
	_cleanup_free_ char *why = NULL;
	long status = 0;
	int r;

	if (!s || !s->token)
		return -EINVAL;
	req = json_pack("{s:s,s:s}", "token", s->token, "event", event);
	if (!req)
		return -ENOMEM;
	r = client_post_json(s->server, "/api/v1/app/event", req, s->cafile, &status, &body, &why);
	if (r < 0)
		return r;
	return status == 200 ? 0 : -EACCES;
}

int eimza_save_signed(const char *path, json_t *sigs)
{
	_cleanup_free_ char *out = NULL;
	size_t n = 0, i;
	json_t *s;
	FILE *f;

	/* One PEM-style block per signature: "eimza verify" reads it back. */
	f = open_memstream(&out, &n);
	if (!f)
		return -ENOMEM;
	json_array_foreach(sigs, i, s) {
		const char *b = json_string_value(s);
		fprintf(f, "-----BEGIN CMS-----\n");
		for (size_t o = 0; b && o < strlen(b); o += 64)
			fprintf(f, "%.64s\n", b + o);
		fprintf(f, "-----END CMS-----\n");
	}
	fclose(f);
	return write_file_atomic(path, out, n, 0644);
}
