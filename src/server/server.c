/* server.c - per-thread store connections and server key files.
 *
 * MHD's worker threads each get their own SQLite connection on first use
 * (a connection is single-threaded; WAL lets them read concurrently).  The
 * list of all of them lets main() close them after the daemon stopped. */
#include "server/server.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>

static pthread_mutex_t dbs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct db **dbs;
static size_t n_dbs;
static _Thread_local struct db *thread_db;

int server_db(struct server *srv, struct db **ret)
{
	struct db **nd;
	struct db *db;
	int r;

	if (thread_db) {
		*ret = thread_db;
		return 0;
	}
	r = db_open(srv->cfg->db_path, srv->cfg->busy_timeout_ms, &db);
	if (r < 0)
		return r;
	pthread_mutex_lock(&dbs_lock);
	nd = realloc(dbs, (n_dbs + 1) * sizeof(*dbs));
	if (nd) {
		dbs = nd;
		dbs[n_dbs++] = db;
	}
	pthread_mutex_unlock(&dbs_lock);
	if (!nd) {
		db_close(db);
		return -ENOMEM;
	}
	*ret = thread_db = db;
	return 0;
}

void server_db_close_all(void)
{
	pthread_mutex_lock(&dbs_lock);
	for (size_t i = 0; i < n_dbs; i++)
		db_close(dbs[i]);
	free(dbs);
	dbs = NULL;
	n_dbs = 0;
	pthread_mutex_unlock(&dbs_lock);
	thread_db = NULL;
}

int server_key_load(const char *data_dir, const char *name, unsigned char *ret, size_t n)
{
	_cleanup_free_ char *dir = NULL, *path = NULL, *hex = NULL;
	size_t len = 0;
	int r;

	dir = strdup_printf("%s/keys", data_dir);
	path = strdup_printf("%s/keys/%s", data_dir, name);
	if (!dir || !path)
		return -ENOMEM;
	r = read_file(path, 4096, &hex, &len);
	if (r == -ENOENT) {
		char buf[2 * 64 + 2];

		if (n > 64)
			return -EINVAL;
		r = mkdir_p(dir, 0700);
		if (r < 0)
			return r;
		r = random_bytes(ret, n);
		if (r < 0)
			return r;
		hex_encode(ret, n, buf);
		strcat(buf, "\n");
		r = write_file_atomic(path, buf, strlen(buf), 0600);
		OPENSSL_cleanse(buf, sizeof(buf));
		return r;
	}
	if (r < 0)
		return r;
	while (len > 0 && (hex[len - 1] == '\n' || hex[len - 1] == ' '))
		hex[--len] = '\0';
	r = hex_decode(hex, ret, n);
	OPENSSL_cleanse(hex, len);
	return r;
}
