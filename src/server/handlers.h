/* handlers.h - every HTTP handler, grouped by the file that implements it.
 * routes.c maps paths to these; nothing else calls them. */
#pragma once
#include "server/http.h"

/* api-health.c */
int handle_healthz(struct http_request *req);
int handle_info(struct http_request *req);

/* api-session.c */
enum { SESSION_NEED_AUTH = 1, SESSION_NEED_CSRF = 2 };
/* Finds the browser's live session; with SESSION_NEED_AUTH it must be
 * logged in, with SESSION_NEED_CSRF the X-CSRF-Token header must match.
 * On failure the answer (401/403) is already queued and -EPERM returned. */
struct websession;
int session_require(struct http_request *req, unsigned flags, struct websession *ret);

int handle_session_get(struct http_request *req);
int handle_session_create(struct http_request *req);
int handle_session_delete(struct http_request *req);

/* api-signing.c */
int handle_signing_start(struct http_request *req);
int handle_signing_renew(struct http_request *req);
int handle_signing_wait(struct http_request *req);

/* api-app.c */
int handle_app_claim(struct http_request *req);
int handle_app_submit(struct http_request *req);

/* api-eonay.c */
int handle_eonay_get(struct http_request *req);

/* api-pki.c */
int handle_ocsp_post(struct http_request *req);
int handle_ocsp_get(struct http_request *req);
int handle_crl(struct http_request *req);
int handle_ca_issuing(struct http_request *req);
int handle_ca_root(struct http_request *req);
