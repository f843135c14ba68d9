/* test-datadir.c - the data directory keeps to itself, against the real
 * eonayctl, eonayd and eimza:
 *   - with umask 022 and a data directory made 0755, the demo world, a
 *     server run with an E-imzalı Giriş ceremony (store, -wal/-shm,
 *     SoftHSM tokens, keys, certificates, spool), a CRL publication and
 *     `eonayctl status` leave no file or directory open to group or
 *     others (the directory itself is set to 0700, with a warning);
 *   - `eonayctl status` on a missing directory fails with a clear message
 *     and creates nothing; on an empty one it creates no store. */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "store-target.h"

#define AHMET "10000000146"

static int n_open;

static int check_mode(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *base = path + ftw->base;

	(void)type;
	/* Made by the test harness itself, not by eonayd or eonayctl:
	 * eonay.conf naming the PostgreSQL database of a PostgreSQL run. */
	if (ftw->level == 1 && strcmp(base, "eonay.conf") == 0)
		return 0;
	if (S_ISLNK(st->st_mode))
		return 0;
	if (st->st_mode & 077) {
		print_error("open to group or others: %o %s\n", (unsigned)(st->st_mode & 07777), path);
		n_open++;
	}
	return 0;
}

static void login(const struct srv *s, const char *conf)
{
	struct browser b;
	struct resp r;
	char body[128], id[64], code[64], st[32], path[256];
	char *out = NULL;
	int rc;

	assert_int_equal(browser_open(&b, s), 0);
	snprintf(body, sizeof(body), "{\"purpose\":\"login\",\"tckn\":\"%s\"}", AHMET);
	assert_int_equal(browser_call(&b, "POST", "/api/v1/signing", body, &r), 0);
	assert_int_equal(r.status, 201);
	json_field(r.body, "id", id, sizeof(id));
	json_field(r.body, "code", code, sizeof(code));
	resp_done(&r);
	rc = run_cmd(&out, "printf '123456\\n' | SOFTHSM2_CONF=%s %s sign --server %s --code '%s'"
			   " --pin-stdin --yes", conf, bin_path("eimza"), s->url, code);
	if (rc != 0)
		fail_msg("eimza sign: %d %s", rc, out);
	free(out);
	snprintf(path, sizeof(path), "/api/v1/signing/wait?id=%s&state=code_used", id);
	assert_int_equal(browser_call(&b, "GET", path, NULL, &r), 0);
	assert_string_equal(json_field(r.body, "state", st, sizeof(st)), "signed");
	resp_done(&r);
}

static void test_modes_under_umask_022(void **state)
{
	const char *data, *conf;
	struct srv s;
	struct stat st;
	char *out = NULL;
	mode_t old;

	(void)state;
	old = umask(022);
	data = tmpdir_new();
	assert_int_equal(chmod(data, 0755), 0);

	conf = demo_world(data);
	assert_non_null(conf);
	assert_int_equal(stat(data, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	assert_int_equal(chmod(data, 0755), 0);	/* and again for eonayd */
	assert_int_equal(srv_start(&s, data, NULL), 0);
	assert_int_equal(stat(data, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	login(&s, conf);
	assert_int_equal(srv_stop(&s, false), 0);
	assert_int_equal(run_cmd(&out, "%s --data %s crl publish", bin_path("eonayctl"), data), 0);
	free(out);
	assert_int_equal(run_cmd(&out, "%s --data %s status", bin_path("eonayctl"), data), 0);
	free(out);

	n_open = 0;
	assert_int_equal(nftw(data, check_mode, 16, FTW_PHYS), 0);
	assert_int_equal(n_open, 0);
	umask(old);
	tmpdir_remove(data);
}

static void test_status_creates_nothing(void **state)
{
	const char *data = tmpdir_new();
	char missing[300], db[300];
	struct stat st;
	char *out = NULL;
	int rc;

	(void)state;
	snprintf(missing, sizeof(missing), "%s/missing", data);
	rc = run_cmd(&out, "%s --data %s status", bin_path("eonayctl"), missing);
	assert_int_not_equal(rc, 0);
	assert_non_null(strstr(out, "no data directory"));
	free(out);
	assert_int_equal(stat(missing, &st), -1);

	/* An existing directory without a store (SQLite): no store made. */
	if (!test_store_is_pg()) {
		rc = run_cmd(&out, "%s --data %s status", bin_path("eonayctl"), data);
		assert_int_not_equal(rc, 0);
		assert_non_null(strstr(out, "no store"));
		free(out);
		snprintf(db, sizeof(db), "%s/eonay.db", data);
		assert_int_equal(stat(db, &st), -1);
	}
	tmpdir_remove(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_creates_nothing),
		cmocka_unit_test(test_modes_under_umask_022),
	};
	signal(SIGPIPE, SIG_IGN);
	unsetenv("SOFTHSM2_CONF");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
