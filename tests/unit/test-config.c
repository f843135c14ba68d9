/* test-config.c - settings precedence, validation with file:line, masking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>

#include "common/config.h"

static char dir[] = "/tmp/eonay-config-XXXXXX";

static const char *write_conf(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_defaults(void **state)
{
	struct config c;
	char *err = NULL;

	unsetenv("EONAY_SERVER_LISTEN");
	assert_int_equal(config_load_all(&c, dir, NULL, NULL, 0, &err), 0);
	assert_string_equal(c.listen, "127.0.0.1:8080");
	assert_string_equal(c.base_url, "http://127.0.0.1:8080");
	assert_int_equal(c.code_lifetime, 300);
	assert_non_null(strstr(c.db_path, "/eonay.db"));
	config_done(&c);
}

static void test_precedence(void **state)
{
	char *sets[] = { "server.listen=127.0.0.1:9003" };
	struct config c;
	char *err = NULL;

	write_conf("eonay.conf", "[server]\nlisten = 127.0.0.1:9001\nthreads = 3\n"
				 "[codes]\nlifetime = 120\n");
	/* file only */
	assert_int_equal(config_load_all(&c, dir, NULL, NULL, 0, &err), 0);
	assert_string_equal(c.listen, "127.0.0.1:9001");
	assert_int_equal(c.threads, 3);
	assert_int_equal(c.code_lifetime, 120);
	config_done(&c);
	/* environment beats file */
	setenv("EONAY_SERVER_LISTEN", "127.0.0.1:9002", 1);
	assert_int_equal(config_load_all(&c, dir, NULL, NULL, 0, &err), 0);
	assert_string_equal(c.listen, "127.0.0.1:9002");
	config_done(&c);
	/* command line beats environment */
	assert_int_equal(config_load_all(&c, dir, NULL, sets, 1, &err), 0);
	assert_string_equal(c.listen, "127.0.0.1:9003");
	assert_int_equal(c.threads, 3);
	config_done(&c);
	unsetenv("EONAY_SERVER_LISTEN");
	remove(write_conf("eonay.conf", ""));
}

static void test_errors_name_file_and_line(void **state)
{
	struct config c;
	char *err = NULL;
	const char *p;

	p = write_conf("bad1.conf", "[server]\nlisten = 127.0.0.1:1\n\nthreads = lots\n");
	assert_int_equal(config_load_all(&c, dir, p, NULL, 0, &err), -EINVAL);
	assert_non_null(strstr(err, "bad1.conf:4:"));
	assert_non_null(strstr(err, "server.threads"));
	free(err);
	err = NULL;
	config_done(&c);

	p = write_conf("bad2.conf", "[server]\nlsten = 1\n");
	assert_int_equal(config_load_all(&c, dir, p, NULL, 0, &err), -EINVAL);
	assert_non_null(strstr(err, "bad2.conf:2: unknown setting 'lsten'"));
	free(err);
	err = NULL;
	config_done(&c);

	p = write_conf("bad3.conf", "[server\nlisten=1\n");
	assert_int_equal(config_load_all(&c, dir, p, NULL, 0, &err), -EINVAL);
	assert_non_null(strstr(err, "bad3.conf:1:"));
	free(err);
	err = NULL;
	config_done(&c);

	char *sets[] = { "server.listen=nonsense" };
	assert_int_equal(config_load_all(&c, dir, NULL, sets, 1, &err), -EINVAL);
	assert_non_null(strstr(err, "server.listen"));
	free(err);
	err = NULL;
	config_done(&c);

	setenv("EONAY_CODES_LIFETIME", "1", 1);
	assert_int_equal(config_load_all(&c, dir, NULL, NULL, 0, &err), -EINVAL);
	assert_non_null(strstr(err, "EONAY_CODES_LIFETIME"));
	unsetenv("EONAY_CODES_LIFETIME");
	free(err);
	config_done(&c);
}

static void test_trusted_proxies_and_limits(void **state)
{
	char *sets[] = { "server.trusted_proxies=10.0.0.0/8, ::1", "server.base_url=https://x.example" };
	char *bad[] = { "server.trusted_proxies=10.0.0.0/8 nginx" };
	char *gone[] = { "codes.claims_global=200" };
	struct config c;
	char *err = NULL;

	assert_int_equal(config_load_all(&c, dir, NULL, NULL, 0, &err), 0);
	assert_null(c.trusted_proxies);		/* none by default */
	assert_true(c.base_url_derived);
	assert_int_equal(c.claims_per_client, 10);
	assert_int_equal(c.sessions_per_client, 60);
	assert_int_equal(c.starts_per_client, 20);
	assert_int_equal(c.starts_per_holder, 30);
	config_done(&c);
	assert_int_equal(config_load_all(&c, dir, NULL, sets, 2, &err), 0);
	assert_string_equal(c.trusted_proxies, "10.0.0.0/8, ::1");
	assert_false(c.base_url_derived);
	config_done(&c);
	assert_int_equal(config_load_all(&c, dir, NULL, bad, 1, &err), -EINVAL);
	assert_non_null(strstr(err, "server.trusted_proxies: 'nginx' is not an address"));
	free(err);
	err = NULL;
	config_done(&c);
	/* The global budget is gone (docs/SECURITY.md). */
	assert_int_equal(config_load_all(&c, dir, NULL, gone, 1, &err), -EINVAL);
	assert_non_null(strstr(err, "unknown setting"));
	free(err);
	config_done(&c);
}

static void test_print_masks_secrets(void **state)
{
	char *sets[] = { "security.master_key=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff" };
	struct config c;
	char *err = NULL, *out = NULL;
	size_t n = 0;
	FILE *f;

	assert_int_equal(config_load_all(&c, dir, NULL, sets, 1, &err), 0);
	f = open_memstream(&out, &n);
	config_print(&c, f);
	fclose(f);
	assert_null(strstr(out, "00112233"));
	assert_non_null(strstr(out, "master_key = ********"));
	assert_non_null(strstr(out, "listen = 127.0.0.1:8080"));
	free(out);
	config_done(&c);
}

static void test_store_url(void **state)
{
	char *sets[] = { "store.url=postgresql://eonay:s3cret@db.example:5432/eonay" };
	char *bad[] = { "store.url=mysql://db/eonay" };
	struct config c;
	char *err = NULL, *out = NULL;
	size_t n = 0;
	FILE *f;

	/* Unset: SQLite at store.path. */
	assert_int_equal(config_load_all(&c, dir, NULL, NULL, 0, &err), 0);
	assert_null(c.store_url);
	assert_string_equal(config_store_target(&c), c.db_path);
	assert_string_equal(config_store_name(&c), c.db_path);
	config_done(&c);
	/* Set: the URL, masked in print and in messages. */
	assert_int_equal(config_load_all(&c, dir, NULL, sets, 1, &err), 0);
	assert_string_equal(config_store_target(&c), "postgresql://eonay:s3cret@db.example:5432/eonay");
	assert_null(strstr(config_store_name(&c), "s3cret"));
	f = open_memstream(&out, &n);
	config_print(&c, f);
	fclose(f);
	assert_null(strstr(out, "s3cret"));
	assert_non_null(strstr(out, "url = ********"));
	free(out);
	config_done(&c);
	/* Anything but a PostgreSQL URL is refused. */
	assert_int_equal(config_load_all(&c, dir, NULL, bad, 1, &err), -EINVAL);
	assert_non_null(strstr(err, "store.url"));
	free(err);
	config_done(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_errors_name_file_and_line),
		cmocka_unit_test(test_trusted_proxies_and_limits),
		cmocka_unit_test(test_print_masks_secrets),
		cmocka_unit_test(test_store_url),
	};
	int r;

	assert_non_null(mkdtemp(dir));
	r = cmocka_run_group_tests(tests, NULL, NULL);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
	return r;
}
