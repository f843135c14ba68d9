/* apply-util.c - what the portal's e2e tests share (see apply-util.h):
 * the browser's portal calls, a valid form, the SMS Onay Kodu read from
 * the spool, eimza signing a code, the signing session's final state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply-util.h"

struct srv S;
const char *data, *conf;

/* POST with the browser; the status, body kept in *ret when given. */
long post(struct browser *b, const char *path, const char *json, struct resp *ret)
{
	struct resp r;
	long st;

	assert_int_equal(browser_call(b, "POST", path, json, &r), 0);
	st = r.status;
	if (ret)
		*ret = r;
	else
		resp_done(&r);
	return st;
}

void captcha(struct browser *b, char id[64])
{
	struct resp r;

	assert_int_equal(post(b, "/api/v1/basvuru/captcha", "{}", &r), 201);
	assert_non_null(json_field(r.body, "id", id, 64));
	assert_non_null(strstr(r.body, "\"image\":\"data:image/png;base64,iVBORw0KGgo"));
	resp_done(&r);
}

/* An entry with fields (JSON members without braces) and a fresh captcha
 * answered answer; the status, the answer in *ret when given. */
long enter_with(struct browser *b, const char *path, const char *fields,
		       const char *answer, struct resp *ret)
{
	char id[64], body[1024];

	captcha(b, id);
	snprintf(body, sizeof(body), "{\"kurum\":\"meb\",\"captcha_id\":\"%s\",\"captcha\":\"%s\",%s}",
		 id, answer, fields);
	return post(b, path, body, ret);
}

long enter(struct browser *b, const char *fields, struct resp *ret)
{
	return enter_with(b, "/api/v1/basvuru/giris", fields, TEST_ANSWER, ret);
}


/* A valid form with one member replaced (name NULL: none). */
char *form_json(const char *mobile, const char *reason, const char *name, const char *value)
{
	static const char *const keys[] = { "reason", "reader", "validity", "word", "word2", "sicil",
					     "unit", "title", "address", "il", "ilce", "postal_code",
					     "email", "work_phone", "work_ext", "mobile", "operator",
					     "home_phone", "info_channel" };
	const char *vals[] = { reason, "mini", "3", "gizli-soz-123", "gizli-soz-123", "4242",
			       "Bilgi İşlem", "Öğretmen", "Atatürk Bulvarı No 98 Bakanlıklar",
			       "ANKARA", "ÇANKAYA", "06648", "basvuran@example.org", "0312 413 10 00",
			       "12", mobile, "turkcell", "", "both" };
	char *s = malloc(4096);
	size_t n = 0;

	assert_non_null(s);
	n += (size_t)snprintf(s + n, 4096 - n, "{\"form\":{");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		n += (size_t)snprintf(s + n, 4096 - n, "%s\"%s\":\"%s\"", i ? "," : "", keys[i],
				      name && strcmp(name, keys[i]) == 0 ? value : vals[i]);
	snprintf(s + n, 4096 - n, "}}");
	return s;
}

int registry_add(const char *line)
{
	char *out = NULL;
	int rc = run_cmd(&out, "printf 'tckn,ad,soyad,dogum_yeri,dogum_tarihi\\n%s\\n' |"
			       " %s --data %s registry import -", line, bin_path("eonayctl"), data);

	free(out);
	return rc;
}

/* The SMS Onay Kodu codes spooled to mobile, in ret (7 bytes each). */
size_t spool_codes(const char *mobile, char ret[][7], size_t max)
{
	char dir[300], to[40];
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/spool", data);
	snprintf(to, sizeof(to), "\nTo: %s\n", mobile);
	d = opendir(dir);
	while (d && (e = readdir(d)) && n < max) {
		char path[600], buf[4096] = "";
		const char *c;
		FILE *f;

		if (!strstr(e->d_name, ".msg"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		buf[fread(buf, 1, sizeof(buf) - 1, f)] = '\0';
		fclose(f);
		if (strstr(buf, to) && (c = strstr(buf, "Onay Kodunuz: ")))
			snprintf(ret[n++], 7, "%.6s", c + strlen("Onay Kodunuz: "));
	}
	if (d)
		closedir(d);
	return n;
}

/* Waits (dispatcher: every second) for a code to mobile not seen before. */
void new_code(const char *mobile, char known_[][7], size_t *n_known_, char ret[7])
{
	for (int i = 0; i < 200; i++) {
		char c[64][7];
		size_t n = spool_codes(mobile, c, 64);

		for (size_t k = 0; k < n; k++) {
			bool seen = false;

			for (size_t j = 0; j < *n_known_; j++)
				seen = seen || strcmp(known_[j], c[k]) == 0;
			if (!seen) {
				strcpy(ret, c[k]);
				strcpy(known_[(*n_known_)++], c[k]);
				return;
			}
		}
		usleep(100 * 1000);
	}
	fail_msg("no new SMS code to %s in %s/spool", mobile, data);
}

char known[64][7];
size_t n_known;

/* Entry + Form Onayla + SMS code: the browser b ends at sms_verified.
 * app_id (33 bytes) the application, parola (may be NULL) its parola. */
void to_method(struct browser *b, const char *fields, const char *mobile,
		      const char *reason, char app_id[64], char parola[64])
{
	char *form = form_json(mobile, reason, NULL, NULL), code[7], body[64];
	struct resp r;

	assert_int_equal(browser_open(b, &S), 0);
	assert_int_equal(enter(b, fields, NULL), 201);
	assert_int_equal(post(b, "/api/v1/basvuru/form", form, &r), 201);
	assert_non_null(strstr(r.body, "\"state\":\"draft\""));
	assert_non_null(json_field(r.body, "id", app_id, 64));
	if (parola)
		assert_non_null(json_field(r.body, "parola", parola, 64));
	resp_done(&r);
	free(form);
	assert_int_equal(post(b, "/api/v1/basvuru/sms", "{}", NULL), 200);
	new_code(mobile, known, &n_known, code);
	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);
	assert_int_equal(post(b, "/api/v1/basvuru/sms/dogrula", body, &r), 200);
	assert_non_null(strstr(r.body, "\"step\":\"sms_verified\""));
	assert_non_null(strstr(r.body, "\"state\":\"sms_verified\""));
	resp_done(&r);
}

/* eonayctl application list --json for tckn: how many, and the state of
 * the newest in state (may be NULL). */
int apps_of(const char *tckn, char *state, size_t n)
{
	char *out, cmd_state[32];
	int count = 0;

	assert_int_equal(run_cmd(&out, "%s --data %s application list --json %s", bin_path("eonayctl"),
				 data, tckn), 0);
	for (const char *p = out; (p = strstr(p, "\"tckn\": \"")); p++)
		if (strncmp(p + 9, tckn, 11) == 0)
			count++;
	if (state)
		snprintf(state, n, "%s", json_field(out, "state", cmd_state, sizeof(cmd_state)) ?: "");
	free(out);
	return count;
}

int eimza_sign(const char *code, const char *token, char **out)
{
	return run_cmd(out, "printf '123456\\n' | SOFTHSM2_CONF=%s %s sign --server %s --code '%s'"
			    " --pin-stdin --yes --token %s", conf, bin_path("eimza"), S.url, code, token);
}

/* Elektronik İmzalı: starts the application-sign session; id and code. */
void esign_start(struct browser *b, char id[64], char code[64])
{
	struct resp r;

	assert_int_equal(post(b, "/api/v1/basvuru/yontem", "{\"method\":\"esign\"}", &r), 201);
	assert_non_null(strstr(r.body, "\"purpose\":\"application-sign\""));
	json_field(r.body, "id", id, 64);
	json_field(r.body, "code", code, 64);
	assert_int_equal(strlen(code), 16);
	resp_done(&r);
}

void wait_final(struct browser *b, const char *id, char st[32], char rc[64])
{
	char path[200];
	struct resp r;

	snprintf(path, sizeof(path), "/api/v1/signing/wait?id=%s&state=code_used", id);
	assert_int_equal(browser_call(b, "GET", path, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	json_field(r.body, "state", st, 32);
	if (rc && !json_field(r.body, "code", rc, 64))
		rc[0] = '\0';
	resp_done(&r);
}
