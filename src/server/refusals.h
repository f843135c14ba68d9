/* refusals.h - the one table from a domain refusal (domain/refusal.h) to
 * an HTTP status and a Turkish message for people. */
#pragma once
#include "domain/refusal.h"
#include "server/http.h"

struct refusal_reply {
	unsigned status;
	const char *message;	/* Turkish */
};

/* The entry of a refusal (out of range: 500 "internal"). */
const struct refusal_reply *refusal_reply(enum refusal r);

/* Answers {"error":{"code": refusal_code(r), "message": ...}} with the
 * refusal's status. */
int http_reply_refusal(struct http_request *req, enum refusal r);
/* The same with another message (e.g. why a T.C. Kimlik No is wrong). */
int http_reply_refusal_msg(struct http_request *req, enum refusal r, const char *message);
