/* edevlet-client.c - discovery, JWKS and token endpoint of the E-Devlet
 * provider over libcurl (see edevlet-client.h).  Used by api-edevlet.c;
 * the token checks are domain/oidc.c's. */
#include "server/edevlet-client.h"

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"

#define MAX_ANSWER (1024 * 1024)
#define CACHE_SECONDS 3600
#define JWKS_MIN_REFETCH 10

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char *issuer;		/* the setting the cache is for */
	struct edc_endpoints ep;
	int64_t ep_at;
	char *jwks;
	int64_t jwks_at;
} cache;

void edc_endpoints_done(struct edc_endpoints *e)
{
	free(e->authorization);
	free(e->token);
	free(e->jwks);
	*e = (struct edc_endpoints){ 0 };
}

void edc_reset(void)
{
	pthread_mutex_lock(&lock);
	free(cache.issuer);
	edc_endpoints_done(&cache.ep);
	free(cache.jwks);
	cache.issuer = cache.jwks = NULL;
	cache.ep_at = cache.jwks_at = 0;
	pthread_mutex_unlock(&lock);
}

bool edc_url_allowed(const char *url)
{
	const char *host;
	size_t n;

	if (!url)
		return false;
	if (strncasecmp(url, "https://", 8) == 0)
		return url[8] != '\0';
	if (strncasecmp(url, "http://", 7) != 0)
		return false;
	host = url + 7;
	if (strchr(host, '@'))
		return false;	/* no userinfo games */
	if (host[0] == '[')
		return strncmp(host, "[::1]", 5) == 0 && strchr(":/", host[5]) && host[5];
	n = strcspn(host, ":/?#");
	if (n == 9 && strncasecmp(host, "localhost", 9) == 0)
		return true;
	if (n >= 9 && n <= 15 && strncmp(host, "127.", 4) == 0) {
		for (size_t i = 4; i < n; i++)
			if (!(host[i] == '.' || (host[i] >= '0' && host[i] <= '9')))
				return false;
		return true;
	}
	return false;
}

struct buf {
	char *data;
	size_t len;
	bool too_big;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct buf *b = userdata;
	size_t n = size * nmemb;
	char *p;

	if (b->len + n > MAX_ANSWER) {
		b->too_big = true;
		return 0;
	}
	p = realloc(b->data, b->len + n + 1);
	if (!p)
		return 0;
	memcpy(p + b->len, ptr, n);
	b->len += n;
	p[b->len] = '\0';
	b->data = p;
	return n;
}

/* GET (post == NULL) or POST form, with basic auth when user is set;
 * *ret_body is the answer (NUL-terminated), *ret_status its HTTP status. */
static int fetch(const char *url, const char *post, const char *user, const char *pass,
		 long *ret_status, char **ret_body)
{
	struct buf b = { 0 };
	struct curl_slist *hdr = NULL;
	CURLcode c;
	CURL *h;
	int r = 0;

	if (!edc_url_allowed(url))
		return -EPERM;
	h = curl_easy_init();
	if (!h)
		return -ENOMEM;
	hdr = curl_slist_append(hdr, "Accept: application/json");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	if (post) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, post);
	}
	if (user) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, pass);
	}
	c = curl_easy_perform(h);
	if (c == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, ret_status);
	} else if (b.too_big || c == CURLE_WRITE_ERROR) {
		r = b.too_big ? -EPROTO : -ENOMEM;
	} else {
		log_warn("edevlet: %s: %s", url, curl_easy_strerror(c));
		r = -EHOSTUNREACH;
	}
	curl_easy_cleanup(h);
	curl_slist_free_all(hdr);
	if (r < 0 || !b.data) {
		free(b.data);
		return r < 0 ? r : -EPROTO;
	}
	*ret_body = b.data;
	return 0;
}

static int dup_member(json_t *o, const char *name, char **ret)
{
	const char *v = json_string_value(json_object_get(o, name));

	if (!v || !edc_url_allowed(v))
		return -EPROTO;
	*ret = strdup(v);
	return *ret ? 0 : -ENOMEM;
}

/* Fetches the discovery document (no lock held) into *ret. */
static int discover_fetch(const struct config *cfg, struct edc_endpoints *ret)
{
	_cleanup_free_ char *url = NULL, *body = NULL;
	struct edc_endpoints ep = { 0 };
	json_t *doc;
	long status = 0;
	int r;

	url = strdup_printf("%s%s.well-known/openid-configuration", cfg->edevlet_issuer,
			    cfg->edevlet_issuer[strlen(cfg->edevlet_issuer) - 1] == '/' ? "" : "/");
	if (!url)
		return -ENOMEM;
	r = fetch(url, NULL, NULL, NULL, &status, &body);
	if (r < 0)
		return r;
	if (status != 200)
		return -EPROTO;
	doc = json_loads(body, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(doc) ||
	    !streq(json_string_value(json_object_get(doc, "issuer")) ?: "", cfg->edevlet_issuer)) {
		json_decref(doc);
		log_warn("edevlet: discovery document of %s is not for that issuer",
			 cfg->edevlet_issuer);
		return -EPROTO;
	}
	r = dup_member(doc, "authorization_endpoint", &ep.authorization);
	if (r >= 0)
		r = dup_member(doc, "token_endpoint", &ep.token);
	if (r >= 0)
		r = dup_member(doc, "jwks_uri", &ep.jwks);
	json_decref(doc);
	if (r < 0) {
		edc_endpoints_done(&ep);
		return r;
	}
	*ret = ep;
	return 0;
}

static bool endpoints_fresh_locked(const struct config *cfg)
{
	return cache.ep_at && now_sec() - cache.ep_at < CACHE_SECONDS && cache.issuer &&
	       streq(cache.issuer, cfg->edevlet_issuer);
}

/* Takes ep over into the cache (the issuer changed: the JWKS goes too). */
static int endpoints_store_locked(const struct config *cfg, struct edc_endpoints *ep)
{
	if (!cache.issuer || !streq(cache.issuer, cfg->edevlet_issuer)) {
		free(cache.issuer);
		free(cache.jwks);
		cache.jwks = NULL;
		cache.jwks_at = 0;
		cache.issuer = strdup(cfg->edevlet_issuer);
		if (!cache.issuer) {
			edc_endpoints_done(ep);
			return -ENOMEM;
		}
	}
	edc_endpoints_done(&cache.ep);
	cache.ep = *ep;
	*ep = (struct edc_endpoints){ 0 };
	cache.ep_at = now_sec();
	return 0;
}

static char *strdup0(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* The network is never used under the lock: a slow provider delays only
 * the requests that need it. */
int edc_discover(const struct config *cfg, struct edc_endpoints *ret)
{
	struct edc_endpoints ep = { 0 };
	int r = 0;

	if (!cfg->edevlet_issuer)
		return -ENOENT;
	pthread_mutex_lock(&lock);
	if (!endpoints_fresh_locked(cfg)) {
		pthread_mutex_unlock(&lock);
		r = discover_fetch(cfg, &ep);
		if (r < 0)
			return r;
		pthread_mutex_lock(&lock);
		r = endpoints_store_locked(cfg, &ep);
	}
	if (r >= 0) {
		ret->authorization = strdup0(cache.ep.authorization);
		ret->token = strdup0(cache.ep.token);
		ret->jwks = strdup0(cache.ep.jwks);
		if (!ret->authorization || !ret->token || !ret->jwks) {
			edc_endpoints_done(ret);
			r = -ENOMEM;
		}
	}
	pthread_mutex_unlock(&lock);
	return r;
}

int edc_jwks(const struct config *cfg, bool refresh, char **ret)
{
	_cleanup_free_ char *body = NULL;
	struct edc_endpoints ep = { 0 };
	int64_t now = now_sec();
	long status = 0;
	json_t *doc;
	int r;

	r = edc_discover(cfg, &ep);
	if (r < 0)
		return r;
	pthread_mutex_lock(&lock);
	if (cache.jwks && now - cache.jwks_at < CACHE_SECONDS &&
	    (!refresh || now - cache.jwks_at < JWKS_MIN_REFETCH)) {
		*ret = strdup(cache.jwks);
		pthread_mutex_unlock(&lock);
		edc_endpoints_done(&ep);
		return *ret ? 0 : -ENOMEM;
	}
	pthread_mutex_unlock(&lock);
	r = fetch(ep.jwks, NULL, NULL, NULL, &status, &body);
	edc_endpoints_done(&ep);
	if (r < 0)
		return r;
	doc = json_loads(body, JSON_REJECT_DUPLICATES, NULL);
	r = json_is_array(json_object_get(doc, "keys")) && status == 200 ? 0 : -EPROTO;
	json_decref(doc);
	if (r < 0)
		return r;
	*ret = strdup(body);
	if (!*ret)
		return -ENOMEM;
	pthread_mutex_lock(&lock);
	free(cache.jwks);
	cache.jwks = TAKE_PTR(body);
	cache.jwks_at = now;
	pthread_mutex_unlock(&lock);
	return 0;
}

static char *form_escape(CURL *h, const char *s)
{
	char *e = curl_easy_escape(h, s, 0);
	char *copy = e ? strdup(e) : NULL;

	curl_free(e);
	return copy;
}

int edc_exchange(const struct config *cfg, const char *code, const char *verifier,
		 const char *redirect_uri, char **ret_id_token)
{
	_cleanup_free_ char *ec = NULL, *ev = NULL, *er = NULL, *body = NULL;
	_cleanup_secret_ char *form = NULL;
	struct edc_endpoints ep = { 0 };
	const char *tok;
	long status = 0;
	json_t *doc;
	CURL *h;
	int r;

	r = edc_discover(cfg, &ep);
	if (r < 0)
		return r;
	h = curl_easy_init();
	if (!h) {
		edc_endpoints_done(&ep);
		return -ENOMEM;
	}
	ec = form_escape(h, code);
	ev = form_escape(h, verifier);
	er = form_escape(h, redirect_uri);
	curl_easy_cleanup(h);
	if (ec && ev && er)
		form = strdup_printf("grant_type=authorization_code&code=%s&code_verifier=%s"
				     "&redirect_uri=%s", ec, ev, er);
	if (!form) {
		edc_endpoints_done(&ep);
		return -ENOMEM;
	}
	r = fetch(ep.token, form, cfg->edevlet_client_id, cfg->edevlet_client_secret, &status,
		  &body);
	edc_endpoints_done(&ep);
	if (r < 0)
		return r;
	doc = json_loads(body, JSON_REJECT_DUPLICATES, NULL);
	if (status == 400 || status == 401) {
		log_info("edevlet: token endpoint refused the code: %.60s",
			 json_string_value(json_object_get(doc, "error")) ?: "-");
		json_decref(doc);
		return -EACCES;
	}
	tok = json_string_value(json_object_get(doc, "id_token"));
	if (status != 200 || !tok) {
		json_decref(doc);
		return -EPROTO;
	}
	*ret_id_token = strdup(tok);
	json_decref(doc);
	if (body)
		OPENSSL_cleanse(body, strlen(body));	/* access and refresh tokens */
	return *ret_id_token ? 0 : -ENOMEM;
}
