/* store-target.c - see store-target.h.  Talks to the PostgreSQL server's
 * "postgres" database with libpq to create and drop test databases. */
#include "store-target.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool test_store_is_pg(void)
{
	const char *u = getenv("EONAY_TEST_STORE_URL");

	return u && *u;
}

static void quiet(void *arg, const char *msg)
{
}

static int admin(const char *sql)
{
	PGconn *c = PQconnectdb(getenv("EONAY_TEST_STORE_URL"));
	PGresult *res;
	int r = 0;

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "test store: cannot connect: %s", PQerrorMessage(c));
		PQfinish(c);
		return -1;
	}
	PQsetNoticeProcessor(c, quiet, NULL);
	res = PQexec(c, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "test store: %s: %s", sql, PQresultErrorMessage(res));
		r = -1;
	}
	PQclear(res);
	PQfinish(c);
	return r;
}

/* The URL of EONAY_TEST_STORE_URL's server with database name. */
static int url_with_db(const char *name, char *buf, size_t n)
{
	const char *u = getenv("EONAY_TEST_STORE_URL");
	const char *host = strstr(u, "://");
	const char *path, *query;

	if (!host)
		return -1;
	path = strchr(host + 3, '/');
	query = strchr(host + 3, '?');
	if (!path || (query && path > query))
		path = query ? query : u + strlen(u);
	if ((size_t)snprintf(buf, n, "%.*s/%s%s", (int)(path - u), u, name, query ? query : "") >= n)
		return -1;
	return 0;
}

int test_store_new_url(const char *name, char *buf, size_t n)
{
	return test_store_is_pg() ? url_with_db(name, buf, n) : -1;
}

static bool name_ok(const char *name)
{
	return *name && strlen(name) < 60 &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") ==
		       strlen(name);
}

int test_store_new(const char *sqlite_path, const char *name, char *buf, size_t n)
{
	static unsigned counter;
	char gen[64], sql[160];

	if (!test_store_is_pg()) {
		char p[600];

		if ((size_t)snprintf(buf, n, "%s", sqlite_path) >= n)
			return -1;
		unlink(sqlite_path);
		snprintf(p, sizeof(p), "%s-wal", sqlite_path);
		unlink(p);
		snprintf(p, sizeof(p), "%s-shm", sqlite_path);
		unlink(p);
		return 0;
	}
	if (!name) {
		snprintf(gen, sizeof(gen), "eonay_t_%d_%u_%u", (int)getpid(), ++counter,
			 (unsigned)random() % 100000u);
		name = gen;
	}
	if (!name_ok(name)) {
		fprintf(stderr, "test store: bad database name '%s'\n", name);
		return -1;
	}
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", name);
	if (admin(sql) < 0)
		return -1;
	snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\"", name);
	if (admin(sql) < 0)
		return -1;
	return url_with_db(name, buf, n);
}

void test_store_drop(const char *target)
{
	const char *name, *q;
	char db[64], sql[160];

	if (!target)
		return;
	if (strncmp(target, "postgres", 8) != 0) {
		char p[600];

		unlink(target);
		snprintf(p, sizeof(p), "%s-wal", target);
		unlink(p);
		snprintf(p, sizeof(p), "%s-shm", target);
		unlink(p);
		return;
	}
	if (!test_store_is_pg())
		return;
	q = strchr(target, '?');
	name = strrchr(target, '/');
	if (!name)
		return;
	name++;
	snprintf(db, sizeof(db), "%.*s", (int)(q ? q - name : (long)strlen(name)), name);
	if (!name_ok(db))
		return;
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", db);
	(void)admin(sql);
}
