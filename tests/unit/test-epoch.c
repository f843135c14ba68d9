/* test-epoch.c - the status epoch (store/db.h db_epoch, store/epoch.h):
 * on SQLite the file beside the store, seen across connections and
 * processes (a killed writer healed, a live one never overtaken; through a
 * symlink; made by root; on a full file system); on the run's backend
 * (PostgreSQL when EONAY_TEST_STORE_URL names a server) what a marked
 * transaction does to this process's own epoch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/db.h"
#include "store-target.h"

static char dir[] = "/tmp/eonay-epoch-XXXXXX";
static char path[256];

/* The status epoch of a SQLite store (store/epoch.h), seen from another
 * connection: stable and non-zero at rest, 0 while a marked write is
 * under way, a new number after its commit or rollback; a writer that
 * died in the middle is healed a second later; the file is 0600. */
static void test_sqlite_epoch(void **state)
{
	char p[300], q[310];
	struct db *a, *b;
	uint64_t e0, e1, e2, e;
	struct stat st;
	pid_t pid;
	int status;

	snprintf(p, sizeof(p), "%s/epoch.db", dir);
	assert_int_equal(db_open(p, 1000, &a), 0);
	assert_int_equal(db_open(p, 1000, &b), 0);
	assert_int_equal(db_exec(a, "CREATE TABLE t (x INTEGER)"), 0);
	snprintf(q, sizeof(q), "%s-epoch", p);
	assert_int_equal(stat(q, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	assert_int_equal(db_epoch(a, &e0), 0);
	assert_true(e0 != 0);
	assert_int_equal(db_epoch_mark(b), 0);	/* outside a transaction: moves it at once */
	assert_int_equal(db_epoch(a, &e), 0);
	assert_true(e != 0 && e != e0);
	e0 = e;
	/* A write that marks nothing leaves it alone. */
	assert_int_equal(db_begin(b), 0);
	assert_int_equal(db_run(b, "INSERT INTO t VALUES (1)", ""), 1);
	assert_int_equal(db_commit(b), 0);
	assert_int_equal(db_epoch(a, &e), 0);
	assert_true(e == e0);
	/* A marked one: 0 until its commit, then a new number. */
	assert_int_equal(db_begin(b), 0);
	assert_int_equal(db_epoch_mark(b), 0);
	assert_int_equal(db_epoch_mark(b), 0);	/* once per transaction */
	assert_int_equal(db_epoch(a, &e), 0);
	assert_true(e == 0);
	assert_int_equal(db_run(b, "INSERT INTO t VALUES (2)", ""), 1);
	assert_int_equal(db_commit(b), 0);
	assert_int_equal(db_epoch(a, &e1), 0);
	assert_true(e1 != 0 && e1 != e0);
	/* Rolled back: ended too. */
	assert_int_equal(db_begin(b), 0);
	assert_int_equal(db_epoch_mark(b), 0);
	assert_int_equal(db_rollback(b), 0);
	assert_int_equal(db_epoch(a, &e2), 0);
	assert_true(e2 != 0 && e2 != e1);

	/* A writer killed between its mark and its commit. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct db *c;

		if (db_open(p, 1000, &c) < 0 || db_begin(c) < 0 || db_epoch_mark(c) < 0)
			_exit(1);
		_exit(0);	/* no commit, no close */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(db_epoch(a, &e), 0);
	assert_true(e == 0);
	/* ... healed within about two seconds, while a live writer is not. */
	assert_int_equal(db_begin(b), 0);
	assert_int_equal(db_epoch_mark(b), 0);
	for (int i = 0; i < 25; i++) {
		usleep(100000);
		assert_int_equal(db_epoch(a, &e), 0);
		assert_true(e == 0);
	}
	assert_int_equal(db_commit(b), 0);
	for (int i = 0; i < 30 && e == 0; i++) {
		usleep(100000);
		assert_int_equal(db_epoch(a, &e), 0);
	}
	assert_true(e != 0 && e != e2);
	db_close(b);
	db_close(a);
	(void)state;
}

/* A store reached through a symbolic link (store.path naming a link to
 * the file, or another process naming the file itself) is one store:
 * SQLite resolves the link (its -wal and -shm are beside the file), and a
 * status change marked through either name must move the epoch that the
 * other name reads; otherwise an OCSP answer kept by eonayd is served
 * after an `eonayctl` change until the second ends. */
static void test_sqlite_epoch_symlink(void **state)
{
	char real[300], link_path[300];
	struct db *a, *b;
	uint64_t e0, e;

	snprintf(real, sizeof(real), "%s/epoch-real.db", dir);
	snprintf(link_path, sizeof(link_path), "%s/epoch-link.db", dir);
	assert_int_equal(db_open(real, 1000, &a), 0);
	assert_int_equal(symlink(real, link_path), 0);
	assert_int_equal(db_open(link_path, 1000, &b), 0);
	assert_int_equal(db_epoch(a, &e0), 0);
	assert_true(e0 != 0);
	assert_int_equal(db_begin(b), 0);
	assert_int_equal(db_epoch_mark(b), 0);
	assert_int_equal(db_epoch(a, &e), 0);
	assert_true(e == 0);	/* a change under way through the other name */
	assert_int_equal(db_commit(b), 0);
	assert_int_equal(db_epoch(a, &e), 0);
	assert_true(e != 0 && e != e0);
	db_close(b);
	db_close(a);
	(void)state;
}

/* The epoch file made by root (`sudo eonayctl ...` on a store that has
 * none yet, e.g. the first command after an upgrade) must stay usable by
 * the store's owner (the service user): SQLite gives its -wal and -shm
 * files the owner of the store when it runs as root. */
static void test_sqlite_epoch_made_by_root(void **state)
{
	char sub[300], p[320], q[330];
	const uid_t uid = 65534;
	const gid_t gid = 65534;
	struct db *db;
	pid_t pid;
	int status;

	if (geteuid() != 0)
		skip();
	snprintf(sub, sizeof(sub), "%s/owned", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(chown(dir, 0, 0), 0);
	assert_int_equal(chmod(dir, 0711), 0);
	assert_int_equal(chown(sub, uid, gid), 0);
	snprintf(p, sizeof(p), "%s/eonay.db", sub);
	snprintf(q, sizeof(q), "%s-epoch", p);

	/* The store, made by its owner. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgid(gid) < 0 || setuid(uid) < 0)
			_exit(2);
		if (db_open(p, 1000, &db) < 0 || db_exec(db, "CREATE TABLE t (x)") < 0)
			_exit(1);
		db_close(db);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(unlink(q), 0);	/* as a store made before the epoch */

	/* Root uses it first. */
	assert_int_equal(db_open(p, 1000, &db), 0);
	db_close(db);

	/* Its owner can still open it. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgid(gid) < 0 || setuid(uid) < 0)
			_exit(2);
		if (db_open(p, 1000, &db) < 0)
			_exit(1);
		db_close(db);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(chmod(dir, 0700), 0);
	(void)state;
}

/* A full file system (the data directory's disk full) makes a write fail
 * (SQLITE_FULL, -ENOSPC); it must not kill the process.  The epoch file is
 * mapped shared: grown by ftruncate it has no blocks, and the first store
 * into the mapping needs one (SIGBUS when there is none).  Runs in a
 * child, in its own mount namespace with a small tmpfs; skipped where
 * that is not allowed. */
static void test_sqlite_epoch_disk_full(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char mnt[300], p[320], fill[320];
		struct db *db;
		int fd, r;

		signal(SIGBUS, SIG_DFL);	/* not cmocka's: the child's own death */
		snprintf(mnt, sizeof(mnt), "%s/full", dir);
		if (mkdir(mnt, 0700) < 0 || unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("tmpfs", mnt, "tmpfs", 0, "size=1m") < 0)
			_exit(77);
		snprintf(p, sizeof(p), "%s/eonay.db", mnt);
		if (db_open(p, 1000, &db) < 0 || db_exec(db, "CREATE TABLE t (x)") < 0)
			_exit(1);
		/* Fill what is left. */
		snprintf(fill, sizeof(fill), "%s/fill", mnt);
		fd = open(fill, O_WRONLY | O_CREAT, 0600);
		if (fd < 0)
			_exit(1);
		{
			static char buf[4096];

			while (write(fd, buf, sizeof(buf)) > 0)
				;
		}
		close(fd);
		r = db_begin(db);
		if (r == 0)
			r = db_epoch_mark(db);	/* SIGBUS here is the bug */
		if (r == 0)
			r = db_run(db, "INSERT INTO t VALUES (zeroblob(100000))", "");
		if (r >= 0)
			r = db_commit(db);
		db_rollback(db);
		db_close(db);
		_exit(r < 0 ? 0 : 3);	/* a clean error (or none) */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		skip();
	if (WIFSIGNALED(status))
		fail_msg("killed by signal %d", WTERMSIG(status));
	assert_true(WIFEXITED(status));
	assert_int_not_equal(WEXITSTATUS(status), 1);
}

/* On the run's backend: a marked transaction moves this process's epoch
 * (PostgreSQL: db_epoch_local, right after the commit; SQLite: the epoch
 * file, db_epoch). */
static void test_epoch_this_process(void **state)
{
	char target[512];
	struct db *db;
	uint64_t l0 = db_epoch_local(), e0 = 0, e1 = 0;
	int r0;

	assert_int_equal(test_store_new(path, NULL, target, sizeof(target)), 0);
	assert_int_equal(db_open(target, 1000, &db), 0);
	r0 = db_epoch(db, &e0);

	assert_int_equal(db_exec(db, "CREATE TABLE ep (x INTEGER)"), 0);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_epoch_mark(db), 0);
	assert_int_equal(db_run(db, "INSERT INTO ep VALUES (1)", ""), 1);
	if (test_store_is_pg())
		assert_true(db_epoch_local() == l0);	/* not before the commit */
	assert_int_equal(db_commit(db), 0);
	if (test_store_is_pg()) {
		assert_int_equal(r0, -EOPNOTSUPP);
		assert_true(db_epoch_local() == l0 + 1);
		/* rolled back: nothing to look at again */
		assert_int_equal(db_begin(db), 0);
		assert_int_equal(db_epoch_mark(db), 0);
		assert_int_equal(db_rollback(db), 0);
		assert_true(db_epoch_local() == l0 + 1);
	} else {
		assert_int_equal(r0, 0);
		assert_int_equal(db_epoch(db, &e1), 0);
		assert_true(e0 != 0 && e1 != 0 && e1 != e0);
		assert_true(db_epoch_local() == l0);
	}
	db_close(db);
	test_store_drop(target);
	(void)state;
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqlite_epoch),
		cmocka_unit_test(test_epoch_this_process),
		cmocka_unit_test(test_sqlite_epoch_symlink),
		cmocka_unit_test(test_sqlite_epoch_made_by_root),
		cmocka_unit_test(test_sqlite_epoch_disk_full),
	};
	char cmd[300];
	int r;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
	return r;
}
