/* api-eonay.c - E-Onay status, explanation and history for the holder.
 *
 *   GET /api/v1/eonay  -> {"active", "since", "text_version",
 *                          "explanation": {"version", "paragraphs"},
 *                          "history": [...]}
 * Giving and cancelling are signing sessions (api-signing.c). */
#include "common/json.h"
#include "domain/eonay.h"
#include "server/handlers.h"
#include "domain/websession.h"

int handle_eonay_get(struct http_request *req)
{
	_cleanup_json_ json_t *hist = NULL, *para = NULL;
	struct eonay_status es;
	struct websession ws = req->ws;
	int64_t ev;
	struct db *db;
	int r;

	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = eonay_status_get(db, ws.tckn, &es);
	if (r >= 0)
		r = eonay_history(db, ws.tckn, &hist);
	if (r >= 0)
		r = eonay_explanation(db, req->srv->cfg->ca_short_name, &ev, &para);
	if (r < 0)
		return r;
	return http_reply_json(req, 200,
			       json_pack("{s:b,s:I,s:I,s:{s:I,s:O},s:O}", "active", es.active,
					 "since", (json_int_t)es.since, "text_version",
					 (json_int_t)es.text_version, "explanation", "version",
					 (json_int_t)ev, "paragraphs", para, "history", hist));
}
