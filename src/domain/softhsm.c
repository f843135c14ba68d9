/* softhsm.c - SoftHSM's token directory as files (see softhsm.h): where it
 * is, removing a token directory, the production lock, and the sweep of
 * tokens SoftHSM never finished.  token.object is read the way SoftHSM's
 * ObjectFile writes it: a 64-bit generation, then attributes, each a
 * 64-bit type, a 64-bit kind and a value (bool: 1 byte; unsigned long:
 * 8; byte string: 64-bit length and bytes), all big-endian. */
#include "domain/softhsm.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "pki/p11.h"

#define TOKEN_SERIAL_ATTR 0x8000534aULL	/* SoftHSM's CKA_OS_TOKENSERIAL */

int softhsm_tokendir(char **ret)
{
	_cleanup_free_ char *text = NULL;
	const char *conf = getenv("SOFTHSM2_CONF");
	size_t len = 0;
	int r;

	if (!conf)
		return -ENOENT;
	r = read_file(conf, 65536, &text, &len);
	if (r < 0)
		return r;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char *v;

		line += strspn(line, " \t");
		if (strncmp(line, "directories.tokendir", 20) != 0 || !(v = strchr(line, '=')))
			continue;
		v += 1 + strspn(v + 1, " \t");
		v[strcspn(v, " \t\r")] = '\0';
		*ret = strdup(v);
		return *ret ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

int softhsm_token_remove(const char *parent, const char *name)
{
	_cleanup_free_ char *path = strdup_printf("%s/%s", parent, name);
	int r = 0;

	if (!path)
		return -ENOMEM;
	/* A process loading SoftHSM meanwhile may write the directory's
	 * "generation" file again: empty it once more then. */
	for (int attempt = 0; attempt < 5; attempt++) {
		struct dirent *e;
		DIR *d;
		int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (fd < 0)
			return -errno;
		d = fdopendir(fd);
		if (!d) {
			r = -errno;
			close(fd);
			return r;
		}
		r = 0;
		while ((e = readdir(d)))
			if (!streq(e->d_name, ".") && !streq(e->d_name, "..") &&
			    unlinkat(dirfd(d), e->d_name, 0) < 0 && errno != ENOENT && r == 0)
				r = -errno;
		closedir(d);
		if (r < 0)
			return r;
		if (rmdir(path) == 0)
			return 0;
		if (errno != ENOTEMPTY && errno != EEXIST)
			return -errno;
		r = -ENOTEMPTY;
	}
	return r;
}

int softhsm_lock(int *ret_fd)
{
	_cleanup_free_ char *dir = NULL, *path = NULL;
	struct stat st;
	int fd, r;

	r = softhsm_tokendir(&dir);
	if (r < 0)
		return r;
	path = strdup_printf("%s/.eonay-production.lock", dir);
	if (!path)
		return -ENOMEM;
	/* Read-only is enough for flock.  Made here (O_EXCL) it is given the
	 * token directory's owner, so that root running eonayctl first does
	 * not lock the service user out (as with the store's epoch file);
	 * found, it must be a plain file (not a FIFO, a link or a device). */
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd >= 0) {
		if (geteuid() == 0 && stat(dir, &st) == 0 &&
		    fchown(fd, st.st_uid, st.st_gid) < 0) {
			r = -errno;
			close(fd);
			return r;
		}
	} else if (errno == EEXIST) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
		if (fd < 0)
			return -errno;
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
			close(fd);
			return -EPERM;
		}
	} else
		return -errno;
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			r = -errno;
			close(fd);
			return r;
		}
	*ret_fd = fd;
	return 0;
}

static bool u64_read(const unsigned char **p, const unsigned char *end, uint64_t *ret)
{
	uint64_t v = 0;

	if (end - *p < 8)
		return false;
	for (int i = 0; i < 8; i++)
		v = v << 8 | (*p)[i];
	*p += 8;
	*ret = v;
	return true;
}

/* What token.object (buf, n) says of its token: 1 when it has the serial
 * attribute, 0 when it is whole (the generation, then attributes of the
 * kinds a token object has, ending exactly at the end) without one, and
 * -EBADMSG for anything else: empty (SoftHSM truncates the file before
 * each rewrite, so a live token's can be, for a moment), cut short, or of
 * kinds a token object never has.  SoftHSM writes the file in one write:
 * only a kill between two of its rewrites leaves it whole without a
 * serial (the label alone, or the generation alone). */
static int serial_state(const unsigned char *buf, size_t n)
{
	const unsigned char *p = buf, *end = buf + n;
	uint64_t gen, type, kind, len;
	bool serial = false;

	if (!u64_read(&p, end, &gen))
		return -EBADMSG;
	while (p < end) {
		if (!u64_read(&p, end, &type) || !u64_read(&p, end, &kind))
			return -EBADMSG;
		if (type == TOKEN_SERIAL_ATTR)
			serial = true;
		if (kind == 1)
			len = 1;
		else if (kind == 2)
			len = 8;
		else if (kind != 3 || !u64_read(&p, end, &len))
			return -EBADMSG;
		if ((uint64_t)(end - p) < len)
			return -EBADMSG;
		p += len;
	}
	return serial ? 1 : 0;
}

/* True when name looks like the UUID SoftHSM names a token directory by. */
static bool uuid_like(const char *name)
{
	if (strlen(name) != 36)
		return false;
	for (int i = 0; i < 36; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ? name[i] != '-'
							       : !strchr("0123456789abcdef", name[i]))
			return false;
	return true;
}

/* True when the token directory dir/name (a real directory, not a link)
 * is one SoftHSM never finished. */
static bool unfinished(int dirfd_, const char *dir, const char *name)
{
	_cleanup_free_ char *path = strdup_printf("%s/%s", dir, name);
	_cleanup_free_ char *obj = NULL, *buf = NULL;
	struct dirent *e;
	struct stat st;
	size_t n = 0;
	bool others = false;
	DIR *d;

	if (!uuid_like(name) || fstatat(dirfd_, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISDIR(st.st_mode) || !path || !(d = opendir(path)))
		return false;
	while ((e = readdir(d))) {
		size_t k = strlen(e->d_name);

		if (k > 7 && streq(e->d_name + k - 7, ".object") && !streq(e->d_name, "token.object"))
			others = true;
	}
	closedir(d);
	obj = strdup_printf("%s/token.object", path);
	if (others || !obj || read_file(obj, 1 << 20, &buf, &n) < 0)
		return false;
	return serial_state((const unsigned char *)buf, n) == 0;
}

int softhsm_unfinished(char ***ret, size_t *ret_n)
{
	_cleanup_(p11_strv_freep) char **v = NULL;
	_cleanup_free_ char *dir = NULL;
	struct dirent *e;
	size_t k = 0;
	DIR *d;
	int r;

	r = softhsm_tokendir(&dir);
	if (r < 0)
		return r;
	v = calloc(1, sizeof(char *));
	if (!v)
		return -ENOMEM;
	d = opendir(dir);
	if (!d)
		return -errno;
	r = 0;
	while ((e = readdir(d))) {
		char **nv;

		if (!unfinished(dirfd(d), dir, e->d_name))
			continue;
		nv = realloc(v, (k + 2) * sizeof(char *));
		if (!nv || !(nv[k] = strdup(e->d_name))) {
			if (nv)
				v = nv;
			r = -ENOMEM;
			break;
		}
		v = nv;
		v[++k] = NULL;
	}
	closedir(d);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(v);
	if (ret_n)
		*ret_n = k;
	return 0;
}
