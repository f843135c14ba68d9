/* handlers.h - every HTTP handler, grouped by the file that implements it.
 * routes.c maps paths to these; nothing else calls them. */
#pragma once
#include "server/http.h"

/* api-health.c */
int handle_healthz(struct http_request *req);
int handle_info(struct http_request *req);

/* api-session.c */
int handle_session_get(struct http_request *req);
int handle_session_create(struct http_request *req);
int handle_session_delete(struct http_request *req);
