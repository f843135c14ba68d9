/* client.h - eimza's HTTP(S) client for the eonayd application API. */
#pragma once
#include <jansson.h>

/* Checks a server URL as curl reads it (CURLU): https:// to any host,
 * http:// only to this machine (the host localhost, an address of
 * 127.0.0.0/8, [::1]); never a user name or password (@), a query or a
 * fragment.  -EINVAL with *ret_why (Turkish) otherwise; -ENOMEM. */
int client_url_allowed(const char *url, const char **ret_why);

/* POSTs a JSON object to BASE+path.  On any HTTP answer returns 0 with the
 * status and the parsed body (NULL when not JSON); -EIO when the server
 * could not be reached (*ret_why: curl's reason).  cafile may be NULL. */
int client_post_json(const char *base, const char *path, const json_t *body,
		     const char *cafile, long *ret_status, json_t **ret_body,
		     char **ret_why);
