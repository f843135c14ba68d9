/* client.c - libcurl + jansson for talking to eonayd.
 *
 * TLS certificates are verified (peer and host name); a plain http URL is
 * refused unless it points at this machine, so codes and signatures never
 * cross a network unprotected.  The URL is read by curl's own URL API
 * (CURLU), so the host checked is the host curl connects to.  Part of libeimza-core. */
#include "eimza/core/client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <strings.h>

#include "common/util.h"
#include "config-build.h"

/* Whether host (as curl's URL API gives it: IPv6 in brackets, IPv4 in
 * dotted-decimal, lower or upper case) is this machine: "localhost", an
 * address of 127.0.0.0/8 or [::1]; "127.evil.example" is a name, not an
 * address. */
static bool host_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char inner[INET6_ADDRSTRLEN + 1];
	size_t n = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (n > 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof(inner)) {
		memcpy(inner, host + 1, n - 2);
		inner[n - 2] = '\0';
		return inet_pton(AF_INET6, inner, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
	}
	return false;
}

int client_url_allowed(const char *url, const char **ret_why)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL, *password = NULL, *query = NULL,
	     *fragment = NULL;
	int r = -EINVAL;

	if (!u)
		return -ENOMEM;
	/* curl parses it as it will connect: the host is what curl reaches. */
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host[0]) {
		*ret_why = strncasecmp(url, "https://", 8) == 0 || strncasecmp(url, "http://", 7) == 0
				   ? "Sunucu adresi geçersiz."
				   : "Sunucu adresi https:// ile başlamalıdır.";
		goto out;
	}
	curl_url_get(u, CURLUPART_USER, &user, 0);
	curl_url_get(u, CURLUPART_PASSWORD, &password, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	curl_url_get(u, CURLUPART_FRAGMENT, &fragment, 0);
	if (strcasecmp(scheme, "https") != 0 && strcasecmp(scheme, "http") != 0)
		*ret_why = "Sunucu adresi https:// ile başlamalıdır.";
	else if (user || password)
		/* "http://127.0.0.1@evil.example" is evil.example. */
		*ret_why = "Sunucu adresinde kullanıcı adı veya parola (@) olamaz.";
	else if (query || fragment)
		*ret_why = "Sunucu adresinde ? veya # olamaz.";
	else if (strcasecmp(scheme, "http") == 0 && !host_is_loopback(host))
		*ret_why = "Şifresiz http yalnızca bu bilgisayardaki sunucu için kullanılabilir; "
			   "https:// kullanınız.";
	else
		r = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	if (password)
		OPENSSL_cleanse(password, strlen(password));
	curl_free(password);
	curl_free(query);
	curl_free(fragment);
	curl_url_cleanup(u);
	return r;
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
