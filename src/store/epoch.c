/* epoch.c - the status epoch of a SQLite store (see epoch.h).
 *
 * A small file beside the store ("eonay.db-epoch", 0600), mapped shared by
 * every process using the store, holds two counters: begun and ended.  A
 * write transaction that changes what readers keep in memory (certificate
 * statuses: the OCSP answers) takes a shared flock on the file and adds 1
 * to begun before it commits, and adds 1 to ended and lets go of the lock
 * after its commit or rollback.  A reader that finds begun == ended knows
 * no such write is under way; it notes the value before reading the store,
 * and what it read stays true while the value stays the same: a change
 * committed later first moved begun.
 *
 * A writer killed between the two leaves begun ahead of ended, and readers
 * find the store unsure (0) and read it every time.  Any reader that sees
 * that for a second tries an exclusive flock on its own descriptor: it
 * gets it only when no writer holds its shared one (a dead process holds
 * none), and then sets ended to begun. */
#include "store/epoch.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

#define EPOCH_FILE_SIZE 64

struct counters {
	_Atomic uint64_t begun, ended;
};

struct epoch_file {
	int fd;
	struct counters *m;
	bool writing;		/* this handle's transaction moved begun */
	_Atomic int64_t unsure_since;	/* monotonic s; 0: stable when last looked */
};

int epoch_file_open(const char *db_path, struct epoch_file **ret)
{
	_cleanup_free_ char *path = NULL, *real = NULL;
	struct epoch_file *e;
	struct stat st, db_st;
	void *m;
	int fd;

	if (!db_path || !ret)
		return -EINVAL;
	/* Beside the store file itself, as SQLite puts its -wal and -shm:
	 * every process names the same epoch file whatever link it reaches
	 * the store by. */
	real = realpath(db_path, NULL);
	path = strdup_printf("%s-epoch", real ? real : db_path);
	if (!path)
		return -ENOMEM;
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	/* Made by root (an operator's eonayctl), it is the store's owner's,
	 * as SQLite does with its -wal and -shm: the service keeps opening it. */
	if (geteuid() == 0 && stat(real ? real : db_path, &db_st) == 0 && fstat(fd, &st) == 0 &&
	    (st.st_uid != db_st.st_uid || st.st_gid != db_st.st_gid) &&
	    fchown(fd, db_st.st_uid, db_st.st_gid) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	/* Its blocks are allocated now (zero-filled; a file of that size
	 * already is left as it is: two processes may get here at once): a
	 * store into the shared mapping of a hole needs a block, and on a
	 * full file system that is SIGBUS, not an error.  Where fallocate is
	 * not supported, growing it is all there is. */
	if (fallocate(fd, 0, 0, EPOCH_FILE_SIZE) < 0 && errno != EOPNOTSUPP) {
		int r = -errno;
		close(fd);
		return r;
	}
	if (fstat(fd, &st) < 0 || (st.st_size < EPOCH_FILE_SIZE && ftruncate(fd, EPOCH_FILE_SIZE) < 0)) {
		int r = -errno;
		close(fd);
		return r;
	}
	m = mmap(NULL, EPOCH_FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		int r = -errno;
		close(fd);
		return r;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		munmap(m, EPOCH_FILE_SIZE);
		close(fd);
		return -ENOMEM;
	}
	e->fd = fd;
	e->m = m;
	*ret = e;
	return 0;
}

void epoch_file_close(struct epoch_file *e)
{
	if (!e)
		return;
	epoch_file_end(e);
	munmap(e->m, EPOCH_FILE_SIZE);
	close(e->fd);
	free(e);
}

int epoch_file_begin(struct epoch_file *e)
{
	if (!e || e->writing)
		return 0;
	while (flock(e->fd, LOCK_SH) < 0)
		if (errno != EINTR)
			return -errno;
	atomic_fetch_add(&e->m->begun, 1);
	e->writing = true;
	return 0;
}

void epoch_file_end(struct epoch_file *e)
{
	if (!e || !e->writing)
		return;
	atomic_fetch_add(&e->m->ended, 1);
	(void)flock(e->fd, LOCK_UN);
	e->writing = false;
}

/* begun ahead of ended for a second: a writer may have died between its
 * two steps.  The exclusive lock is granted only when no process holds a
 * shared one, so no writer is between them: ended catches up. */
static void heal(struct epoch_file *e)
{
	int64_t since = atomic_load(&e->unsure_since), now = (int64_t)(now_usec_mono() / 1000000);

	if (since == 0) {
		atomic_compare_exchange_strong(&e->unsure_since, &since, now);
		return;
	}
	if (now - since < 1 || e->writing || flock(e->fd, LOCK_EX | LOCK_NB) < 0)
		return;
	atomic_store(&e->m->ended, atomic_load(&e->m->begun));
	(void)flock(e->fd, LOCK_UN);
	atomic_store(&e->unsure_since, 0);
}

uint64_t epoch_file_read(struct epoch_file *e)
{
	uint64_t b, d;

	if (!e)
		return 0;
	d = atomic_load(&e->m->ended);
	b = atomic_load(&e->m->begun);
	if (b == d) {
		if (atomic_load_explicit(&e->unsure_since, memory_order_relaxed))
			atomic_store(&e->unsure_since, 0);
		return b + 1;	/* never 0 */
	}
	heal(e);
	return 0;
}
