/* static.c - serves the pages in web/ (cfg->web_root).
 *
 * Paths are checked segment by segment after MHD has decoded them: no "..",
 * no ".", no hidden files, no backslashes or NULs; the file is then opened
 * relative to the web root with openat(O_NOFOLLOW) at every level, so a
 * symlink cannot lead out either.  "/x/" serves "/x/index.html"; a path
 * without an extension tries "PATH.html" (clean URLs for the pages). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "common/log.h"
#include "server/http.h"

static const struct {
	const char *ext, *type, *cache;
} types[] = {
	{ ".html", "text/html; charset=utf-8", "no-cache" },
	{ ".css", "text/css; charset=utf-8", "public, max-age=3600" },
	{ ".js", "text/javascript; charset=utf-8", "public, max-age=3600" },
	{ ".svg", "image/svg+xml", "public, max-age=86400" },
	{ ".png", "image/png", "public, max-age=86400" },
	{ ".ico", "image/x-icon", "public, max-age=86400" },
	{ ".woff2", "font/woff2", "public, max-age=604800" },
	{ ".txt", "text/plain; charset=utf-8", "no-cache" },
	{ ".json", "application/json; charset=utf-8", "no-cache" },
	{ ".pdf", "application/pdf", "no-cache" },
};

static int type_of(const char *path, size_t *ret)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');

	if (!dot || (slash && dot < slash))
		return -ENOENT;
	for (size_t i = 0; i < ELEMENTSOF(types); i++)
		if (streq(dot, types[i].ext)) {
			*ret = i;
			return 0;
		}
	return -ENOENT;
}

/* Checks every segment of a decoded URL path. */
static bool path_safe(const char *p)
{
	if (p[0] != '/' || strlen(p) > 512)
		return false;
	for (const char *s = p + 1; *s;) {
		const char *e = strchrnul(s, '/');
		size_t n = (size_t)(e - s);

		if (n == 0 && *e)	/* "//" */
			return false;
		if (n > 0 && s[0] == '.')	/* ".", "..", hidden files */
			return false;
		for (const char *c = s; c < e; c++)
			if (*c == '\\' || (unsigned char)*c < 0x20)
				return false;
		s = *e ? e + 1 : e;
	}
	return true;
}

/* Opens rel (no leading slash) under dirfd, refusing symlinks at every level. */
static int open_beneath(int dirfd, const char *rel)
{
	_cleanup_free_ char *copy = strdup(rel);
	int fd = dup(dirfd);
	char *save = NULL;

	if (!copy || fd < 0) {
		if (fd >= 0)
			close(fd);
		return -ENOMEM;
	}
	for (char *seg = strtok_r(copy, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
		int nfd = openat(fd, seg, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (nfd < 0)
			return -errno;
		fd = nfd;
	}
	return fd;
}

static int try_open(struct http_request *req, const char *rel, size_t *ret_type)
{
	_cleanup_close_ int root = -1;
	struct stat st;
	int fd;

	if (type_of(rel, ret_type) < 0)
		return -ENOENT;
	root = open(req->srv->cfg->web_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -errno;
	fd = open_beneath(root, rel);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

static int serve_not_found(struct http_request *req)
{
	size_t t;
	int fd = try_open(req, "404.html", &t);

	if (fd < 0)
		return http_reply_errno(req, -ENOENT, "Sayfa bulunamadı.");
	return http_reply_file(req, 404, fd, types[t].type, "no-cache");
}

int static_serve(struct http_request *req)
{
	_cleanup_free_ char *rel = NULL;
	const char *p = req->path;
	size_t t;
	int fd;

	if (!path_safe(p))
		return serve_not_found(req);
	if (p[strlen(p) - 1] == '/')
		rel = strdup_printf("%sindex.html", p + 1);
	else if (type_of(p, &t) < 0)
		rel = strdup_printf("%s.html", p + 1);
	else
		rel = strdup(p + 1);
	if (!rel)
		return -ENOMEM;
	fd = try_open(req, rel, &t);
	if (fd < 0) {
		if (fd != -ENOENT && fd != -ELOOP && fd != -ENOTDIR)
			log_warn("static %s: %s", rel, strerror(-fd));
		return serve_not_found(req);
	}
	return http_reply_file(req, 200, fd, types[t].type, types[t].cache);
}
