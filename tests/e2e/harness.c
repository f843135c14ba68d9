/* harness.c - see harness.h.  Shared by every end-to-end test program. */
#include "harness.h"
#include "store-target.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *bin_path(const char *name)
{
	static char buf[4][512];
	static int k;
	const char *b = getenv("EONAY_BUILDDIR");
	const char *sub = strcmp(name, "eonayd") == 0 ? "server" :
			  strcmp(name, "eimza") == 0  ? "eimza" : "ctl";
	char *p = buf[k++ % 4];

	snprintf(p, 512, "%s/src/%s/%s", b ? b : "build", sub, name);
	return p;
}

/* The PostgreSQL database of data directory dir: its base name. */
static const char *pg_name(const char *dir)
{
	const char *b = strrchr(dir, '/');

	return b ? b + 1 : dir;
}

const char *store_target(const char *data)
{
	static char buf[4][512];
	static int k;
	char *p = buf[k++ % 4], path[300];

	snprintf(path, sizeof(path), "%s/eonay.db", data);
	if (!test_store_is_pg()) {
		snprintf(p, 512, "%s", path);
		return p;
	}
	/* The database tmpdir_new made; its URL is in DATA/eonay.conf. */
	{
		char conf[300], line[600];
		FILE *f;

		snprintf(conf, sizeof(conf), "%s/eonay.conf", data);
		f = fopen(conf, "r");
		p[0] = '\0';
		while (f && fgets(line, sizeof(line), f))
			if (strncmp(line, "url = ", 6) == 0) {
				line[strcspn(line, "\n")] = '\0';
				snprintf(p, 512, "%.500s", line + 6);
			}
		if (f)
			fclose(f);
	}
	return p;
}

const char *tmpdir_new(void)
{
	static char dirs[8][64];
	static int k;
	char *d = dirs[k++ % 8];

	snprintf(d, 64, "/tmp/eonay-e2e-XXXXXX");
	if (!mkdtemp(d))
		abort();
	if (test_store_is_pg()) {
		/* A database of its own, named after the directory, which
		 * every eonayd and eonayctl on it finds in DATA/eonay.conf. */
		char url[512], conf[300];
		FILE *f;

		if (test_store_new(NULL, pg_name(d), url, sizeof(url)) < 0)
			abort();
		snprintf(conf, sizeof(conf), "%s/eonay.conf", d);
		f = fopen(conf, "w");
		if (!f)
			abort();
		fprintf(f, "# written by the e2e harness: this run is on PostgreSQL\n"
			   "[store]\nurl = %s\n", url);
		fclose(f);
	}
	return d;
}

void tmpdir_remove(const char *dir)
{
	char cmd[300];

	if (getenv("EONAY_KEEP_TMP"))
		return;
	if (test_store_is_pg()) {
		char url[512];

		if (test_store_new_url(pg_name(dir), url, sizeof(url)) == 0)
			test_store_drop(url);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)!system(cmd);
}

int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd, port;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		abort();
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

int srv_start(struct srv *s, const char *data, const char *const *extra)
{
	char listen[32];
	const char *argv[32];
	int n = 0;

	memset(s, 0, sizeof(*s));
	s->port = free_port();
	snprintf(s->data, sizeof(s->data), "%s", data);
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", s->port);
	snprintf(s->log, sizeof(s->log), "%s/eonayd.log", data);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", s->port);
	argv[n++] = bin_path("eonayd");
	argv[n++] = "--data";
	argv[n++] = data;
	argv[n++] = "--listen";
	argv[n++] = listen;
	for (int i = 0; extra && extra[i] && n < 30; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;

	s->pid = fork();
	if (s->pid < 0)
		return -1;
	if (s->pid == 0) {
		int fd = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0) {
			dup2(fd, STDERR_FILENO);
			dup2(fd, STDOUT_FILENO);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		struct resp r;
		char url[128];
		int st;

		if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
			s->pid = 0;
			return -1;
		}
		snprintf(url, sizeof(url), "%s/healthz", s->url);
		if (http_do("GET", url, NULL, 0, NULL, NULL, &r) == 0 && r.status == 200) {
			resp_done(&r);
			return 0;
		}
		resp_done(&r);
		usleep(25000);
	}
	srv_stop(s, true);
	return -1;
}

int nginx_start(struct srv *s, const char *dir, const int *upstreams, size_t n)
{
	char conf[300], err[300];
	FILE *f;

	memset(s, 0, sizeof(*s));
	s->port = free_port();
	snprintf(s->data, sizeof(s->data), "%s", dir);
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", s->port);
	snprintf(s->log, sizeof(s->log), "%s/nginx-%d.log", dir, s->port);
	snprintf(conf, sizeof(conf), "%s/nginx-%d.conf", dir, s->port);
	snprintf(err, sizeof(err), "%s/nginx-%d-early.log", dir, s->port);
	f = fopen(conf, "w");
	if (!f)
		return -1;
	/* As root, workers would switch to nobody, who cannot enter dir. */
	fprintf(f, "%sdaemon off;\nworker_processes 1;\npid %s/nginx-%d.pid;\n"
		   "error_log %s info;\nevents { worker_connections 512; }\nhttp {\n"
		   "    access_log off;\n    client_body_temp_path %s/nginx-body;\n"
		   "    proxy_temp_path %s/nginx-proxy;\n    fastcgi_temp_path %s/nginx-fcgi;\n"
		   "    uwsgi_temp_path %s/nginx-uwsgi;\n    scgi_temp_path %s/nginx-scgi;\n"
		   "    upstream eonayd {\n",
		geteuid() == 0 ? "user root;\n" : "", dir, s->port, s->log, dir, dir, dir, dir, dir);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "        server 127.0.0.1:%d;\n", upstreams[i]);
	fprintf(f, "    }\n    server {\n        listen 127.0.0.1:%d;\n        location / {\n"
		   "            proxy_pass http://eonayd;\n"
		   "            proxy_set_header Host $http_host;\n"
		   "            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
		   "            proxy_set_header Forwarded \"\";\n"
		   "            proxy_buffering off;\n            proxy_read_timeout 330s;\n"
		   "        }\n    }\n}\n", s->port);
	if (fclose(f) != 0)
		return -1;
	s->pid = fork();
	if (s->pid < 0)
		return -1;
	if (s->pid == 0) {
		int fd = open(err, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0) {
			dup2(fd, STDERR_FILENO);
			dup2(fd, STDOUT_FILENO);
		}
		execl("/usr/sbin/nginx", "nginx", "-c", conf, "-e", err, (char *)NULL);
		execlp("nginx", "nginx", "-c", conf, "-e", err, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		struct resp r;
		char url[128];
		int st;

		if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
			fprintf(stderr, "nginx exited (%d); see %s\n", st, err);
			s->pid = 0;
			return -1;
		}
		snprintf(url, sizeof(url), "%s/healthz", s->url);
		if (http_do("GET", url, NULL, 0, NULL, NULL, &r) == 0 && r.status == 200) {
			resp_done(&r);
			return 0;
		}
		resp_done(&r);
		usleep(25000);
	}
	srv_stop(s, true);
	return -1;
}

int srv_stop(struct srv *s, bool kill9)
{
	int st = 0;

	if (s->pid <= 0)
		return -1;
	kill(s->pid, kill9 ? SIGKILL : SIGTERM);
	waitpid(s->pid, &st, 0);
	s->pid = 0;
	return st;
}

struct buf {
	char *p;
	size_t n;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct buf *b = userdata;
	size_t k = size * nmemb;
	char *np = realloc(b->p, b->n + k + 1);

	if (!np)
		return 0;
	memcpy(np + b->n, ptr, k);
	b->p = np;
	b->n += k;
	b->p[b->n] = 0;
	return k;
}

static char source[64];

void http_set_source(const char *addr)
{
	if (addr)
		snprintf(source, sizeof(source), "host!%s", addr);
	else
		source[0] = '\0';
}

int http_do(const char *method, const char *url, const char *body, size_t len,
	    const char *const *headers, const char *cookie_jar, struct resp *ret)
{
	struct buf b = { 0 }, h = { 0 };
	struct curl_slist *hl = NULL;
	CURL *c;
	CURLcode rc;

	memset(ret, 0, sizeof(*ret));
	c = curl_easy_init();
	if (!c)
		return -ENOMEM;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
	if (source[0])
		curl_easy_setopt(c, CURLOPT_INTERFACE, source);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	for (int i = 0; headers && headers[i]; i++)
		hl = curl_slist_append(hl, headers[i]);
	hl = curl_slist_append(hl, "Expect:");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	if (cookie_jar) {
		curl_easy_setopt(c, CURLOPT_COOKIEFILE, cookie_jar);
		curl_easy_setopt(c, CURLOPT_COOKIEJAR, cookie_jar);
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &ret->status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	ret->body = b.p ? b.p : strdup("");
	ret->len = b.n;
	ret->headers = h.p ? h.p : strdup("");
	return rc == CURLE_OK ? 0 : -EIO;
}

void resp_done(struct resp *r)
{
	free(r->body);
	free(r->headers);
	memset(r, 0, sizeof(*r));
}

char *resp_header(const struct resp *r, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = r->headers; p && *p;) {
		const char *e = strstr(p, "\r\n");
		if (!e)
			break;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			while (*v == ' ')
				v++;
			return strndup(v, (size_t)(e - v));
		}
		p = e + 2;
	}
	return NULL;
}

int run_cmd(char **ret_out, const char *fmt, ...)
{
	char cmd[4096], chunk[4096];
	size_t n = 0;
	char *out = NULL;
	va_list ap;
	FILE *f;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd) - 8, fmt, ap);
	va_end(ap);
	strcat(cmd, " 2>&1");
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (!feof(f)) {
		size_t k = fread(chunk, 1, sizeof(chunk), f);
		char *np = realloc(out, n + k + 1);
		if (!np)
			break;
		out = np;
		memcpy(out + n, chunk, k);
		n += k;
		out[n] = 0;
	}
	st = pclose(f);
	if (ret_out)
		*ret_out = out ? out : strdup("");
	else
		free(out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

const char *json_field(const char *json, const char *key, char *buf, size_t n)
{
	char pat[128];
	const char *p;
	size_t k = 0;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = json ? strstr(json, pat) : NULL;
	buf[0] = '\0';
	if (!p)
		return NULL;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	if (*p == '"') {
		for (p++; *p && *p != '"' && k + 1 < n; p++)
			buf[k++] = *p;
	} else {
		for (; *p && *p != ',' && *p != '}' && k + 1 < n; p++)
			buf[k++] = *p;
	}
	buf[k] = '\0';
	return buf;
}

static void take_cookie(struct browser *b, const struct resp *r)
{
	char *sc = resp_header(r, "Set-Cookie");
	char *semi;

	if (!sc)
		return;
	semi = strchr(sc, ';');
	if (semi)
		*semi = '\0';
	snprintf(b->cookie, sizeof(b->cookie), "%s", sc);
	free(sc);
}

int browser_call(struct browser *b, const char *method, const char *path, const char *json,
		 struct resp *ret)
{
	char url[512], cookie[160], csrf[96];
	const char *h[4] = { cookie, csrf, json ? "Content-Type: application/json" : NULL, NULL };
	int r;

	snprintf(url, sizeof(url), "%s%s", b->srv->url, path);
	snprintf(cookie, sizeof(cookie), "Cookie: %s", b->cookie);
	snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", b->csrf);
	r = http_do(method, url, json, json ? strlen(json) : 0, h, NULL, ret);
	if (r == 0)
		take_cookie(b, ret);
	return r;
}

int browser_refresh(struct browser *b)
{
	struct resp r;
	int rc;

	rc = browser_call(b, "GET", "/api/v1/session", NULL, &r);
	if (rc == 0 && r.status == 200)
		json_field(r.body, "csrf_token", b->csrf, sizeof(b->csrf));
	else
		rc = -1;
	resp_done(&r);
	return rc;
}

int browser_open(struct browser *b, const struct srv *s)
{
	struct resp r;
	int rc;

	memset(b, 0, sizeof(*b));
	b->srv = s;
	rc = browser_call(b, "POST", "/api/v1/session", "{}", &r);
	if (rc == 0 && r.status == 201)
		json_field(r.body, "csrf_token", b->csrf, sizeof(b->csrf));
	else
		rc = -1;
	resp_done(&r);
	return rc;
}

const char *demo_world(const char *data)
{
	static char conf[300];
	char *out = NULL;
	int st;

	st = run_cmd(&out, "%s --data %s demo", bin_path("eonayctl"), data);
	if (st != 0) {
		fprintf(stderr, "eonayctl demo failed (%d): %s\n", st, out);
		free(out);
		return NULL;
	}
	free(out);
	snprintf(conf, sizeof(conf), "%s/softhsm2.conf", data);
	return conf;
}
