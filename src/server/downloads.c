/* downloads.c - the files eonayd offers for download: the e-İmza
 * application's packages in downloads.dir, which the e-İmza page links
 * ("İndirmek için tıklayınız") with their SHA-256.
 *
 *   GET /api/v1/downloads   {"files":[{"name","size","sha256","url"}]}
 *   GET /downloads/{name}   the file itself
 *
 * Only a regular file directly in the directory whose name is a plain
 * package file name (letters, digits and . _ + ~ -, not starting with '.',
 * at most 128 bytes, with a known extension) is listed or served.  {name}
 * is checked the same way and then opened relative to the directory with
 * openat(O_NOFOLLOW), so neither "..", a slash (one path segment only, see
 * router.c) nor a symlink leads out of it.  A file's SHA-256 is computed
 * once per (device, inode, size, mtime) and kept in a small cache. */
#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <sys/stat.h>

#include "common/log.h"
#include "server/handlers.h"

#define NAME_MAX_LEN 128
#define FILES_MAX 64
#define CACHE_SIZE 16

static const struct {
	const char *ext, *type;
} kinds[] = {
	{ ".deb", "application/vnd.debian.binary-package" },
};

static int kind_of(const char *name, size_t *ret)
{
	size_t n = strlen(name);

	if (n == 0 || n > NAME_MAX_LEN || name[0] == '.')
		return -ENOENT;
	if (strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+~-") != n)
		return -ENOENT;
	for (size_t i = 0; i < ELEMENTSOF(kinds); i++) {
		size_t e = strlen(kinds[i].ext);

		if (n > e && streq(name + n - e, kinds[i].ext)) {
			*ret = i;
			return 0;
		}
	}
	return -ENOENT;
}

static struct {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	char hex[65];
} cache[CACHE_SIZE];
static unsigned cache_next;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static bool same_file(size_t i, const struct stat *st)
{
	return cache[i].dev == st->st_dev && cache[i].ino == st->st_ino &&
	       cache[i].size == st->st_size && cache[i].mtime.tv_sec == st->st_mtim.tv_sec &&
	       cache[i].mtime.tv_nsec == st->st_mtim.tv_nsec && cache[i].hex[0];
}

/* SHA-256 of the open file fd (read from its start), in hex. */
static int file_sha256(int fd, const struct stat *st, char ret[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char buf[65536], md[32];
	EVP_MD_CTX *ctx;
	unsigned len = 0;
	off_t off = 0;
	int r = 0;

	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < CACHE_SIZE; i++)
		if (same_file(i, st)) {
			memcpy(ret, cache[i].hex, 65);
			pthread_mutex_unlock(&cache_lock);
			return 0;
		}
	pthread_mutex_unlock(&cache_lock);

	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		r = -ENOMEM;
	while (r == 0) {
		ssize_t n = pread(fd, buf, sizeof(buf), off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = -errno;
		else if (n == 0)
			break;
		else if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1)
			r = -EIO;
		off += n;
	}
	if (r == 0 && (EVP_DigestFinal_ex(ctx, md, &len) != 1 || len != 32))
		r = -EIO;
	EVP_MD_CTX_free(ctx);
	if (r < 0)
		return r;
	if (off != st->st_size)
		return -EAGAIN;	/* changed while we read it */
	for (size_t i = 0; i < 32; i++) {
		ret[2 * i] = digits[md[i] >> 4];
		ret[2 * i + 1] = digits[md[i] & 15];
	}
	ret[64] = '\0';

	pthread_mutex_lock(&cache_lock);
	cache[cache_next].dev = st->st_dev;
	cache[cache_next].ino = st->st_ino;
	cache[cache_next].size = st->st_size;
	cache[cache_next].mtime = st->st_mtim;
	memcpy(cache[cache_next].hex, ret, 65);
	cache_next = (cache_next + 1) % CACHE_SIZE;
	pthread_mutex_unlock(&cache_lock);
	return 0;
}

static int dir_open(struct http_request *req)
{
	const char *d = req->srv->cfg->downloads_dir;

	if (!d || !*d)
		return -ENOENT;
	return open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Opens name in the directory dirfd: a regular file, not a symlink. */
static int file_open(int dirfd, const char *name, struct stat *ret_st)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, ret_st) < 0 || !S_ISREG(ret_st->st_mode)) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int handle_downloads_list(struct http_request *req)
{
	_cleanup_close_ int dirfd = -1;
	char *names[FILES_MAX];
	size_t n = 0, k;
	json_t *files;
	DIR *d = NULL;
	int r = 0;

	files = json_array();
	if (!files)
		return -ENOMEM;
	dirfd = dir_open(req);
	if (dirfd < 0) {
		if (dirfd != -ENOENT)
			log_warn("downloads.dir %s: %s", req->srv->cfg->downloads_dir,
				 strerror(-dirfd));
		goto reply;	/* nothing offered */
	}
	d = fdopendir(dup(dirfd));
	if (!d) {
		json_decref(files);
		return -errno;
	}
	for (struct dirent *e; r == 0 && n < FILES_MAX && (e = readdir(d));) {
		if (kind_of(e->d_name, &k) < 0)
			continue;
		names[n] = strdup(e->d_name);
		if (names[n])
			n++;
		else
			r = -ENOMEM;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);
	for (size_t i = 0; i < n && r == 0; i++) {
		_cleanup_close_ int fd = -1;
		_cleanup_free_ char *url = NULL;
		struct stat st;
		char hex[65];

		fd = file_open(dirfd, names[i], &st);
		if (fd < 0)
			continue;	/* not a regular file, or gone */
		r = file_sha256(fd, &st, hex);
		if (r == -EAGAIN) {
			r = 0;	/* being replaced: left out this time */
			continue;
		}
		url = strdup_printf("/downloads/%s", names[i]);
		if (r == 0 && (!url || json_array_append_new(files,
				json_pack("{s:s,s:I,s:s,s:s}", "name", names[i],
					  "size", (json_int_t)st.st_size, "sha256", hex,
					  "url", url)) < 0))
			r = -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	if (r < 0) {
		json_decref(files);
		return r;
	}
reply:
	return http_reply_json(req, 200, json_pack("{s:o}", "files", files));
}

int handle_download_get(struct http_request *req)
{
	_cleanup_close_ int dirfd = -1;
	const char *name = http_param(req, "name");
	struct stat st;
	size_t k;
	int fd;

	if (!name || kind_of(name, &k) < 0)
		return http_reply_error(req, 404, "not_found", "Dosya bulunamadı.");
	dirfd = dir_open(req);
	if (dirfd < 0)
		return http_reply_error(req, 404, "not_found", "Dosya bulunamadı.");
	fd = file_open(dirfd, name, &st);
	if (fd < 0)
		return http_reply_error(req, 404, "not_found", "Dosya bulunamadı.");
	return http_reply_file(req, 200, fd, kinds[k].type, "no-cache");
}
