/* test-migrations.c - sql-embed, the build tool that embeds sql/: one file
 * for both backends or a .sqlite.sql + .pg.sql pair per version, versions
 * without gaps or duplicates; and the table the build embedded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "store/migrations.h"

static char dir[] = "/tmp/eonay-migr-XXXXXX";

static void put(const char *name, const char *text)
{
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Runs sql-embed on the named files of dir; returns its exit status and
 * the generated C in *ret_out (malloc'ed, "" when none). */
static int embed(char **ret_out, const char *files)
{
	const char *b = getenv("EONAY_BUILDDIR");
	char cmd[2048], out[300], names[1024] = "";
	char *copy = strdup(files), *save = NULL;
	long n = 0;
	FILE *f;
	int st;

	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		size_t k = strlen(names);
		snprintf(names + k, sizeof(names) - k, " %s/%s", dir, t);
	}
	free(copy);
	snprintf(out, sizeof(out), "%s/out.c", dir);
	remove(out);
	snprintf(cmd, sizeof(cmd), "%s/src/store/sql-embed %s%s 2>/dev/null", b ? b : "build", out,
		 names);
	st = system(cmd);
	*ret_out = NULL;
	f = fopen(out, "r");
	if (f) {
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		rewind(f);
	}
	*ret_out = calloc(1, (size_t)n + 1);
	if (f) {
		assert_int_equal(fread(*ret_out, 1, (size_t)n, f), (size_t)n);
		fclose(f);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_one_file_and_pairs(void **state)
{
	char *out;

	put("001_init.sql", "CREATE TABLE a (x TEXT);\n");
	put("002_ids.sqlite.sql", "CREATE TABLE b (id INTEGER PRIMARY KEY);\n");
	put("002_ids.pg.sql", "CREATE TABLE b (id BIGINT GENERATED ALWAYS AS IDENTITY);\n");
	put("003_more.sql", "CREATE TABLE \"c\" (y TEXT);\n");
	assert_int_equal(embed(&out, "003_more.sql 002_ids.pg.sql 001_init.sql 002_ids.sqlite.sql"), 0);
	/* Sorted by version; a shared file has no PostgreSQL variant (NULL). */
	assert_non_null(strstr(out, "{ 1, \"init\",\n\t  \"CREATE TABLE a (x TEXT);\\n\"\n\t  \"\",\n\t  NULL },"));
	assert_non_null(strstr(out, "{ 2, \"ids\","));
	assert_true(strstr(out, "INTEGER PRIMARY KEY") < strstr(out, "GENERATED ALWAYS"));
	assert_true(strstr(out, "{ 2, \"ids\",") < strstr(out, "{ 3, \"more\","));
	assert_non_null(strstr(out, "CREATE TABLE \\\"c\\\""));
	assert_non_null(strstr(out, "migrations_count = 3;"));
	free(out);
}

static void test_refused(void **state)
{
	char *out;

	put("001_a.sql", "SELECT 1;\n");
	put("003_c.sql", "SELECT 3;\n");
	put("002_b.sqlite.sql", "SELECT 2;\n");
	put("002_b.pg.sql", "SELECT 2;\n");
	put("002_x.pg.sql", "SELECT 2;\n");
	put("002_b.sql", "SELECT 2;\n");
	put("01a.sql", "SELECT 1;\n");
	/* A gap. */
	assert_int_not_equal(embed(&out, "001_a.sql 003_c.sql"), 0);
	assert_string_equal(out, "");
	free(out);
	/* Half a pair, a pair of two names, a pair beside a shared file. */
	assert_int_not_equal(embed(&out, "001_a.sql 002_b.sqlite.sql"), 0);
	free(out);
	assert_int_not_equal(embed(&out, "001_a.sql 002_b.sqlite.sql 002_x.pg.sql"), 0);
	free(out);
	assert_int_not_equal(embed(&out, "001_a.sql 002_b.sql 002_b.pg.sql"), 0);
	free(out);
	/* A version twice, a bad name. */
	assert_int_not_equal(embed(&out, "001_a.sql 001_a.sql"), 0);
	free(out);
	assert_int_not_equal(embed(&out, "01a.sql"), 0);
	free(out);
	/* The good ones still go. */
	assert_int_equal(embed(&out, "001_a.sql 002_b.sqlite.sql 002_b.pg.sql 003_c.sql"), 0);
	free(out);
}

static void test_embedded_table(void **state)
{
	assert_true(migrations_count >= 3);
	for (size_t i = 0; i < migrations_count; i++) {
		assert_int_equal(migrations[i].version, (int)i + 1);
		assert_non_null(migrations[i].name);
		assert_non_null(migrations[i].sql_sqlite);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_file_and_pairs),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_embedded_table),
	};
	char cmd[300];
	int r;

	assert_non_null(mkdtemp(dir));
	r = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
	return r;
}
