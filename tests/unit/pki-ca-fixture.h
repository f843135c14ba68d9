/* pki-ca-fixture.h - shared setup for the pki unit tests.
 *
 * Include after <cmocka.h>.  Gives each test program a scratch directory
 * (mkdtemp, removed at the end), a CA made in it with pki_ca_init(), valid
 * T.C. Kimlik Nos, holder certificates, and a way to run the openssl
 * command line there and look at what it printed.  Everything is static
 * inline because meson builds each test from its one .c file. */
#pragma once

#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <openssl/pem.h>

#include "common/util.h"
#include "pki/ca.h"
#include "pki/key.h"
#include "pki/ossl.h"
#include "pki/profile.h"

#define FX_PASS "test passphrase 1234"

struct pki_fixture {
	char dir[64];		/* scratch directory */
	char ca_dir[96];	/* DIR/ca */
	struct pki_ca *ca;
};

/* Runs a shell command (stdout and stderr captured) in the fixture's
 * directory.  Returns its exit status; *ret_out gets the output. */
_printf_(3, 4) static inline int fx_run(struct pki_fixture *fx, char **ret_out, const char *fmt, ...)
{
	_cleanup_free_ char *cmd = NULL, *full = NULL;
	char *out = NULL;
	size_t n = 0, cap = 0;
	va_list ap;
	FILE *f;
	int st;

	va_start(ap, fmt);
	assert_true(vasprintf(&cmd, fmt, ap) >= 0);
	va_end(ap);
	full = strdup_printf("cd '%s' && ( %s ) 2>&1", fx->dir, cmd);
	assert_non_null(full);
	f = popen(full, "r");
	assert_non_null(f);
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? 2 * cap : 8192;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		size_t k = fread(out + n, 1, cap - n - 1, f);
		if (k == 0)
			break;
		n += k;
	}
	if (!out) {
		out = malloc(1);
		assert_non_null(out);
	}
	out[n] = '\0';
	st = pclose(f);
	if (ret_out)
		*ret_out = out;
	else
		free(out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Like fx_run() but the command must succeed; returns the output. */
_printf_(2, 3) static inline char *fx_ok(struct pki_fixture *fx, const char *fmt, ...)
{
	_cleanup_free_ char *cmd = NULL;
	char *out = NULL;
	va_list ap;
	int st;

	va_start(ap, fmt);
	assert_true(vasprintf(&cmd, fmt, ap) >= 0);
	va_end(ap);
	st = fx_run(fx, &out, "%s", cmd);
	if (st != 0)
		print_error("command failed (%d): %s\n%s\n", st, cmd, out);
	assert_int_equal(st, 0);
	return out;
}

static inline char *fx_path(struct pki_fixture *fx, const char *name)
{
	char *p = strdup_printf("%s/%s", fx->dir, name);

	assert_non_null(p);
	return p;
}

static inline void fx_write(struct pki_fixture *fx, const char *name, const void *buf, size_t n)
{
	_cleanup_free_ char *p = fx_path(fx, name);

	assert_int_equal(write_file_atomic(p, buf, n, 0644), 0);
}

static inline void fx_write_cert(struct pki_fixture *fx, const char *name, X509 *x)
{
	_cleanup_free_ char *p = fx_path(fx, name);

	assert_int_equal(pki_cert_save(x, p), 0);
}

/* A new fixture directory without a CA. */
static inline struct pki_fixture *fx_new(void)
{
	struct pki_fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	strcpy(fx->dir, "/tmp/eonay-pki-test-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->ca_dir, sizeof(fx->ca_dir), "%s/ca", fx->dir);
	return fx;
}

/* A fixture with a CA (cfg NULL: defaults) created and loaded. */
static inline struct pki_fixture *fx_new_ca(const struct pki_ca_config *cfg)
{
	struct pki_fixture *fx = fx_new();
	struct pki_ca_config def;

	if (!cfg) {
		pki_ca_config_init_defaults(&def);
		cfg = &def;
	}
	assert_int_equal(pki_ca_init(cfg, fx->ca_dir, FX_PASS), 0);
	assert_int_equal(pki_ca_load_config(cfg, fx->ca_dir, FX_PASS, &fx->ca), 0);
	/* chain.pem: what a relying party trusts, for openssl -CAfile. */
	free(fx_ok(fx, "cat ca/root.crt ca/issuing.crt > chain.pem"));
	return fx;
}

static inline void fx_free(struct pki_fixture *fx)
{
	if (!fx)
		return;
	pki_ca_free(fx->ca);
	if (!getenv("EONAY_KEEP_TMP")) {
		_cleanup_free_ char *cmd = strdup_printf("rm -rf '%s'", fx->dir);
		if (cmd && system(cmd) != 0)
			print_error("could not remove %s\n", fx->dir);
	}
	free(fx);
}

/* A valid T.C. Kimlik No from nine digits (first non-zero). */
static inline void fx_tckn(unsigned long nine, char ret[12])
{
	int d[11], odd = 0, even = 0, sum = 0;

	assert_true(nine >= 100000000ul && nine <= 999999999ul);
	for (int i = 8; i >= 0; i--) {
		d[i] = (int)(nine % 10);
		nine /= 10;
	}
	for (int i = 0; i < 9; i += 2)
		odd += d[i];
	for (int i = 1; i < 8; i += 2)
		even += d[i];
	d[9] = ((odd * 7 - even) % 10 + 10) % 10;
	for (int i = 0; i < 10; i++)
		sum += d[i];
	d[10] = sum % 10;
	for (int i = 0; i < 11; i++)
		ret[i] = (char)('0' + d[i]);
	ret[11] = '\0';
}

/* Issues a holder certificate (new P-256 key, valid from now for a year);
 * the key comes back through ret_key when not NULL. */
static inline X509 *fx_issue(struct pki_fixture *fx, const char *tckn, const char *given,
			     const char *surname, EVP_PKEY **ret_key)
{
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	_cleanup_free_ char *reason = NULL;
	struct pki_holder_req req = {
		.tckn = tckn, .given_name = given, .surname = surname,
		.not_before = now_sec() - 60, .not_after = now_sec() + 365 * 86400,
	};
	X509 *x = NULL;
	int r;

	assert_int_equal(pki_key_generate("ec:P-256", &key), 0);
	r = pki_cert_issue_holder(fx->ca, key, &req, &x, &reason);
	if (r < 0)
		print_error("issuance refused: %s\n", reason ? reason : "?");
	assert_int_equal(r, 0);
	assert_non_null(x);
	if (ret_key)
		*ret_key = TAKE_PTR(key);
	return x;
}

/* True when haystack contains needle. */
static inline bool fx_has(const char *haystack, const char *needle)
{
	return haystack && strstr(haystack, needle) != NULL;
}

static inline void fx_assert_contains(const char *h, const char *n, bool want,
				      const char *file, int line)
{
	if (fx_has(h, n) == want)
		return;
	print_error("%s:%d: %s \"%s\" in:\n%s\n", file, line,
		    want ? "expected" : "did not expect", n, h ? h : "(null)");
	_fail(file, line);
}
#define assert_contains(h, n) fx_assert_contains((h), (n), true, __FILE__, __LINE__)
#define assert_not_contains(h, n) fx_assert_contains((h), (n), false, __FILE__, __LINE__)
