/* static.c - serves the pages in web/ (cfg->web_root).
 *
 * Paths are checked segment by segment after MHD has decoded them: no "..",
 * no ".", no hidden files, no backslashes or NULs; the file is then opened
 * relative to the web root with openat(O_NOFOLLOW) at every level, so a
 * symlink cannot lead out either.  "/x/" serves "/x/index.html"; a path
 * without an extension tries "PATH.html" (clean URLs for the pages).
 *
 * Pages share their head, header, navigation and footer through server-side
 * includes: a line <!--#include virtual="/partials/NAME.html" --> is replaced
 * by web/partials/NAME.html (not itself served, not expanded further).  In
 * an included part, the link to the page being served, written
 * href="/page.html" data-nav, becomes href="/page.html" aria-current="page";
 * a page under another's menu entry says so with <body data-nav="/other.html">.
 * So every page renders whole without JavaScript, with no build step. */
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

bool static_path_safe(const char *p)
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

#define PAGE_MAX (256 * 1024)
#define INCLUDE_OPEN "<!--#include virtual=\"/partials/"
#define INCLUDE_CLOSE ".html\" -->"

/* Reads fd (closed here) whole, at most PAGE_MAX bytes. */
static int read_page(int fd, char **ret, size_t *ret_len)
{
	_cleanup_close_ int f = fd;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	ssize_t n;

	if (fstat(f, &st) < 0)
		return -errno;
	if (st.st_size > PAGE_MAX)
		return -EFBIG;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	n = read(f, buf, (size_t)st.st_size);
	if (n != st.st_size)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	*ret = TAKE_PTR(buf);
	*ret_len = (size_t)n;
	return 0;
}

/* Writes an included part: the " data-nav" after the link to the page
 * itself becomes aria-current, the others go. */
static void put_part(FILE *out, const char *part, const char *self)
{
	_cleanup_free_ char *own = strdup_printf("href=\"%s\"", self);
	const char *p = part, *m;

	while ((m = strstr(p, " data-nav"))) {
		size_t n = own ? strlen(own) : 0;

		fwrite(p, 1, (size_t)(m - p), out);
		if (own && (size_t)(m - part) >= n && memcmp(m - n, own, n) == 0)
			fputs(" aria-current=\"page\"", out);
		p = m + strlen(" data-nav");
	}
	fputs(p, out);
}

int static_compose(int root, const char *page, const char *self, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *out = NULL;
	size_t out_len = 0;
	const char *p = page, *d;
	FILE *f;
	int r = 0;

	f = open_memstream(&out, &out_len);
	if (!f)
		return -ENOMEM;
	while (r == 0 && (d = strstr(p, INCLUDE_OPEN))) {
		const char *name = d + strlen(INCLUDE_OPEN), *e = strstr(name, INCLUDE_CLOSE);
		_cleanup_free_ char *rel = NULL, *part = NULL;
		size_t n = e ? (size_t)(e - name) : 0, part_len;
		int fd;

		if (n == 0 || n > 64 || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
			r = -EINVAL;
		else if (!(rel = strdup_printf("partials/%.*s.html", (int)n, name)))
			r = -ENOMEM;
		else if ((fd = open_beneath(root, rel)) < 0)
			r = fd;
		else
			r = read_page(fd, &part, &part_len);
		if (r < 0) {
			/* The site is broken, not the request: a 500. */
			log_error("page %s: include \"%.*s\": %s", self, (int)MIN(n, 64), name,
				  strerror(-r));
			r = -EIO;
			break;
		}
		fwrite(p, 1, (size_t)(d - p), f);
		put_part(f, part, self);
		p = e + strlen(INCLUDE_CLOSE);
		if (*p == '\n')
			p++;	/* the directive's line ending: the part has its own */
	}
	fputs(p, f);
	if (fclose(f) != 0 && r == 0)
		r = -ENOMEM;
	if (r < 0)
		return r;
	*ret = TAKE_PTR(out);
	*ret_len = out_len;
	return 0;
}

/* Serves the file rel, opened as fd, of type t; pages go through compose(). */
static int serve(struct http_request *req, unsigned status, const char *rel, int fd, size_t t,
		 const char *cache)
{
	_cleanup_close_ int root = -1;
	_cleanup_free_ char *page = NULL, *self = NULL;
	const char *nav;
	char *out;
	size_t len, n;
	int r;

	if (!streq(types[t].ext, ".html"))
		return http_reply_file(req, status, fd, types[t].type, cache);
	r = read_page(fd, &page, &len);
	if (r < 0)
		return r;
	root = open(req->srv->cfg->web_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -errno;
	/* How the pages link to this one: "/" for index.html. */
	len = strlen(rel);
	if (len >= 10 && streq(rel + len - 10, "index.html") && (len == 10 || rel[len - 11] == '/'))
		self = strdup_printf("/%.*s", (int)(len - 10), rel);
	else
		self = strdup_printf("/%s", rel);
	if (!self)
		return -ENOMEM;
	nav = strstr(page, "<body data-nav=\"");
	if (nav) {
		nav += strlen("<body data-nav=\"");
		n = strcspn(nav, "\"<> \n");
		free(self);
		self = nav[n] == '"' && n > 0 && n < 128 ? strndup(nav, n) : NULL;
		if (!self)
			return -EINVAL;
	}
	r = static_compose(root, page, self, &out, &len);
	if (r < 0)
		return r;
	return http_reply_data(req, status, out, len, types[t].type, cache);
}

static int serve_not_found(struct http_request *req)
{
	size_t t;
	int fd = try_open(req, "404.html", &t);

	if (fd < 0 || serve(req, 404, "404.html", fd, t, "no-cache") < 0)
		return http_reply_errno(req, -ENOENT, "Sayfa bulunamadı.");
	return 0;
}

int static_serve(struct http_request *req)
{
	_cleanup_free_ char *rel = NULL;
	const char *p = req->path;
	size_t t;
	int fd;

	if (!static_path_safe(p))
		return serve_not_found(req);
	if (p[strlen(p) - 1] == '/')
		rel = strdup_printf("%sindex.html", p + 1);
	else if (type_of(p, &t) < 0)
		rel = strdup_printf("%s.html", p + 1);
	else
		rel = strdup(p + 1);
	if (!rel)
		return -ENOMEM;
	if (strncmp(rel, "partials/", 9) == 0)
		return serve_not_found(req);	/* parts of pages, not pages */
	fd = try_open(req, rel, &t);
	if (fd < 0) {
		if (fd != -ENOENT && fd != -ELOOP && fd != -ENOTDIR)
			log_warn("static %s: %s", rel, strerror(-fd));
		return serve_not_found(req);
	}
	return serve(req, 200, rel, fd, t, types[t].cache);
}

int static_not_found(struct http_request *req)
{
	return serve_not_found(req);
}

int static_serve_page(struct http_request *req, const char *rel)
{
	size_t t;
	int fd;

	if (type_of(rel, &t) < 0)
		return -EINVAL;
	fd = try_open(req, rel, &t);
	if (fd < 0)
		return serve_not_found(req);
	return serve(req, 200, rel, fd, t, types[t].cache);
}
