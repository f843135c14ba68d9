/* test-downloads.c - eonayd offering the e-İmza package (downloads.dir):
 * the list with name, size and SHA-256 (the hash sha256sum computes), the
 * file served byte for byte, a replaced file listed with its new hash, and
 * every other name refused: "..", encoded slashes, a symlink out of the
 * directory, a hidden file, a directory, a file of another kind.  Without
 * the setting nothing is offered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define DEB "eimza_0.1.0_amd64.deb"
#define SECRET "top secret: must never be served"

static struct srv S, Bare;
static const char *data, *bare;
static char dir[320], outside[320];
static unsigned char content[300000];

static void write_file(const char *path, const void *buf, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static void sha256sum(const char *path, char ret[65])
{
	char *out;

	assert_int_equal(run_cmd(&out, "sha256sum '%s'", path), 0);
	assert_int_equal(sscanf(out, "%64s", ret), 1);
	free(out);
}

static int group_setup(void **state)
{
	char path[400], set[400];
	const char *extra[] = { "--set", set, NULL };

	data = strdup(tmpdir_new());
	snprintf(dir, sizeof(dir), "%s/downloads", data);
	snprintf(outside, sizeof(outside), "%s/outside.deb", data);
	if (mkdir(dir, 0755) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(content); i++)
		content[i] = (unsigned char)(i * 7919u >> 3);
	snprintf(path, sizeof(path), "%s/" DEB, dir);
	write_file(path, content, sizeof(content));
	write_file(outside, SECRET, strlen(SECRET));
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	write_file(path, SECRET, strlen(SECRET));
	snprintf(path, sizeof(path), "%s/.hidden.deb", dir);
	write_file(path, SECRET, strlen(SECRET));
	snprintf(path, sizeof(path), "%s/link_1.0_amd64.deb", dir);
	if (symlink(outside, path) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/sub.deb", dir);
	if (mkdir(path, 0755) < 0)
		return -1;
	snprintf(set, sizeof(set), "downloads.dir=%s", dir);
	if (srv_start(&S, data, extra) < 0) {
		fprintf(stderr, "eonayd did not start; see %s/eonayd.log\n", data);
		return -1;
	}
	bare = strdup(tmpdir_new());
	if (srv_start(&Bare, bare, NULL) < 0)
		return -1;
	return 0;
}

/* Both servers must exit cleanly (under ASan: without a report). */
static int group_teardown(void **state)
{
	int a = srv_stop(&S, false), b = srv_stop(&Bare, false);

	if (a != 0 || b != 0) {
		fprintf(stderr, "eonayd exit status %d / %d; see %s, %s\n", a, b, S.log, Bare.log);
		return -1;
	}
	tmpdir_remove(data);
	tmpdir_remove(bare);
	return 0;
}

static long get(const struct srv *s, const char *path, struct resp *r)
{
	char url[512];

	snprintf(url, sizeof(url), "%s%s", s->url, path);
	assert_int_equal(http_do("GET", url, NULL, 0, NULL, NULL, r), 0);
	return r->status;
}

static void test_list(void **state)
{
	struct resp r = { 0 };
	char path[400], want[65], buf[80];

	snprintf(path, sizeof(path), "%s/" DEB, dir);
	sha256sum(path, want);
	assert_int_equal(get(&S, "/api/v1/downloads", &r), 200);
	/* exactly one file: the package; none of the others */
	assert_non_null(strstr(r.body, "\"name\":\"" DEB "\""));
	assert_null(strstr(r.body, "notes"));
	assert_null(strstr(r.body, "hidden"));
	assert_null(strstr(r.body, "link_"));
	assert_null(strstr(r.body, "sub.deb"));
	assert_null(strstr(r.body, "outside"));
	assert_string_equal(json_field(r.body, "sha256", buf, sizeof(buf)), want);
	assert_string_equal(json_field(r.body, "size", buf, sizeof(buf)), "300000");
	assert_string_equal(json_field(r.body, "url", buf, sizeof(buf)), "/downloads/" DEB);
	resp_done(&r);
}

static void test_file_identical(void **state)
{
	struct resp r = { 0 };
	char *type;

	assert_int_equal(get(&S, "/downloads/" DEB, &r), 200);
	assert_int_equal(r.len, sizeof(content));
	assert_memory_equal(r.body, content, sizeof(content));
	type = resp_header(&r, "Content-Type");
	assert_non_null(type);
	assert_string_equal(type, "application/vnd.debian.binary-package");
	free(type);
	resp_done(&r);
}

static void test_replaced_file_new_hash(void **state)
{
	struct resp r = { 0 };
	char path[400], tmp[400], want[65], buf[80];

	snprintf(path, sizeof(path), "%s/" DEB, dir);
	snprintf(tmp, sizeof(tmp), "%s/new.tmp", dir);
	content[0] ^= 0xff;
	write_file(tmp, content, sizeof(content) - 1000);
	assert_int_equal(rename(tmp, path), 0);
	sha256sum(path, want);
	assert_int_equal(get(&S, "/api/v1/downloads", &r), 200);
	assert_string_equal(json_field(r.body, "sha256", buf, sizeof(buf)), want);
	assert_string_equal(json_field(r.body, "size", buf, sizeof(buf)), "299000");
	resp_done(&r);
	assert_int_equal(get(&S, "/downloads/" DEB, &r), 200);
	assert_int_equal(r.len, sizeof(content) - 1000);
	assert_memory_equal(r.body, content, sizeof(content) - 1000);
	resp_done(&r);
}

static void test_other_names_refused(void **state)
{
	static const char *const bad[] = {
		"/downloads/..%2Foutside.deb",
		"/downloads/%2e%2e%2Foutside.deb",
		"/downloads/../outside.deb",
		"/downloads/..",
		"/downloads/%2e%2e",
		"/downloads/sub.deb/..%2F..%2Foutside.deb",
		"/downloads/notes.txt",
		"/downloads/.hidden.deb",
		"/downloads/link_1.0_amd64.deb",
		"/downloads/sub.deb",
		"/downloads/x%00.deb",
		"/downloads/" DEB "%00",
		"/downloads/%2Fetc%2Fpasswd",
		"/downloads/",
		"/downloads/nope.deb",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct resp r = { 0 };
		long st = get(&S, bad[i], &r);

		if (st != 404 && st != 400)
			fail_msg("%s: %ld", bad[i], st);
		if (r.body && strstr(r.body, SECRET))
			fail_msg("%s served the file outside", bad[i]);
		resp_done(&r);
	}
}

static void test_nothing_without_setting(void **state)
{
	struct resp r = { 0 };

	assert_int_equal(get(&Bare, "/api/v1/downloads", &r), 200);
	assert_non_null(strstr(r.body, "\"files\":[]"));
	resp_done(&r);
	assert_int_equal(get(&Bare, "/downloads/" DEB, &r), 404);
	resp_done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_file_identical),
		cmocka_unit_test(test_replaced_file_new_hash),
		cmocka_unit_test(test_other_names_refused),
		cmocka_unit_test(test_nothing_without_setting),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
