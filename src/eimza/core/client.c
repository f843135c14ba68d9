/* client.c - libcurl + jansson for talking to eonayd.
 *
 * TLS certificates are verified (peer and host name); a plain http URL is
 * refused unless it points at this machine, so codes and signatures never
 * cross a network unprotected.  Part of libeimza-core. */
#include "eimza/core/client.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <strings.h>

#include "common/util.h"
#include "config-build.h"

int client_url_allowed(const char *url, const char **ret_why)
{
	static const char *const local[] = { "http://localhost", "http://127.", "http://[::1]" };

	if (strncasecmp(url, "https://", 8) == 0)
		return 0;
	if (strncasecmp(url, "http://", 7) != 0) {
		*ret_why = "Sunucu adresi https:// ile başlamalıdır.";
		return -EINVAL;
	}
	for (size_t i = 0; i < ELEMENTSOF(local); i++) {
		size_t n = strlen(local[i]);
		if (strncasecmp(url, local[i], n) == 0) {
			char next = url[n];
			/* "http://localhost.evil.com" is not local. */
			if (i == 1 || next == '\0' || next == ':' || next == '/')
				return 0;
		}
	}
	*ret_why = "Şifresiz http yalnızca bu bilgisayardaki sunucu için kullanılabilir; https:// kullanınız.";
	return -EINVAL;
}

struct buf {
	char *p;
	size_t n;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct buf *b = userdata;
	size_t k = size * nmemb;
	char *np;

	if (b->n + k > 4 * 1024 * 1024)
		return 0;	/* no answer of ours is that big */
	np = realloc(b->p, b->n + k + 1);
	if (!np)
		return 0;
	memcpy(np + b->n, ptr, k);
	b->p = np;
	b->n += k;
	b->p[b->n] = '\0';
	return k;
}

int client_post_json(const char *base, const char *path, const json_t *body,
		     const char *cafile, long *ret_status, json_t **ret_body,
		     char **ret_why)
{
	_cleanup_free_ char *url = NULL, *payload = NULL;
	struct curl_slist *hdr = NULL;
	struct buf b = { 0 };
	CURLcode rc;
	CURL *c;

	url = strdup_printf("%s%s", base, path);
	payload = json_dumps(body, JSON_COMPACT);
	if (!url || !payload)
		return -ENOMEM;
	c = curl_easy_init();
	if (!c)
		return -ENOMEM;
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	hdr = curl_slist_append(hdr, "Accept: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "eimza/" EONAY_VERSION);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (cafile)
		curl_easy_setopt(c, CURLOPT_CAINFO, cafile);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, ret_status);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	/* The payload may hold a token or signatures: wipe before freeing. */
	OPENSSL_cleanse(payload, strlen(payload));
	if (rc != CURLE_OK) {
		free(b.p);
		if (ret_why)
			*ret_why = strdup(curl_easy_strerror(rc));
		return -EIO;
	}
	*ret_body = b.p ? json_loadb(b.p, b.n, 0, NULL) : NULL;
	free(b.p);
	return 0;
}
