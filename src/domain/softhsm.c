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
	struct dirent *e;
	DIR *d;
	int r = 0;

	if (!path)
		return -ENOMEM;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (!streq(e->d_name, ".") && !streq(e->d_name, "..") &&
		    unlinkat(dirfd(d), e->d_name, 0) < 0 && r == 0)
			r = -errno;
	closedir(d);
	if (r == 0 && rmdir(path) < 0)
		r = -errno;
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
	/* read-only is enough for flock; readable by all and given the token
	 * directory's owner, so that root running eonayctl first does not
	 * lock the service user out (as with the store's epoch file) */
	fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	if (geteuid() == 0 && stat(dir, &st) == 0 && fchown(fd, st.st_uid, st.st_gid) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
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

/* True when token.object (buf, n) holds the serial attribute.  SoftHSM
 * writes the attributes in the order of their types, the serial second
 * (after the label): a file cut short before it ends has none. */
static bool has_serial(const unsigned char *buf, size_t n)
{
	const unsigned char *p = buf, *end = buf + n;
	uint64_t gen, type, kind, len;

	if (!u64_read(&p, end, &gen))
		return false;
	while (p < end) {
		if (!u64_read(&p, end, &type) || !u64_read(&p, end, &kind))
			return false;
		if (type == TOKEN_SERIAL_ATTR)
			return true;
		if (kind == 1)
			len = 1;
		else if (kind == 2)
			len = 8;
		else if (kind != 3 || !u64_read(&p, end, &len))
			return false;
		if ((uint64_t)(end - p) < len)
			return false;
		p += len;
	}
	return false;
}

/* True when the token directory dir/name is one SoftHSM never finished. */
static bool unfinished(const char *dir, const char *name)
{
	_cleanup_free_ char *path = strdup_printf("%s/%s", dir, name);
	_cleanup_free_ char *obj = NULL, *buf = NULL;
	struct dirent *e;
	size_t n = 0;
	bool others = false;
	DIR *d;

	if (!path || !(d = opendir(path)))
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
	return !has_serial((const unsigned char *)buf, n);
}

int softhsm_sweep(unsigned *ret_removed)
{
	_cleanup_free_ char *dir = NULL;
	struct dirent *e;
	unsigned removed = 0;
	DIR *d;
	int r;

	r = softhsm_tokendir(&dir);
	if (r < 0)
		return r;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		/* SoftHSM names a token's directory by a UUID */
		if (strlen(e->d_name) != 36 || e->d_name[8] != '-' || !unfinished(dir, e->d_name))
			continue;
		r = softhsm_token_remove(dir, e->d_name);
		if (r < 0)
			break;
		removed++;
	}
	closedir(d);
	if (ret_removed)
		*ret_removed = removed;
	return r < 0 ? r : 0;
}
