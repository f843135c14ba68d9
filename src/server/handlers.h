/* handlers.h - every HTTP handler, grouped by the file that implements it.
 * routes.c maps paths to these; nothing else calls them.  A handler runs
 * once its route's requirements hold (session in req->ws, body in
 * req->json, path parameters by http_param(): see struct route). */
#pragma once
#include "server/http.h"

/* api-health.c */
int handle_healthz(struct http_request *req);
int handle_info(struct http_request *req);

/* metrics.c */
int handle_metrics(struct http_request *req);

/* api-session.c */
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

/* api-pin.c */
int handle_app_event(struct http_request *req);
int handle_app_pin(struct http_request *req);

/* api-eonay.c */
int handle_eonay_get(struct http_request *req);

/* api-pki.c */
int handle_ocsp_post(struct http_request *req);
int handle_ocsp_get(struct http_request *req);
int handle_crl(struct http_request *req);
int handle_crl_root(struct http_request *req);
/* The root's CRL eonayd serves (/crl/root.crl): its number and
 * nextUpdate, for /metrics.  -ENOENT when there is none. */
int arl_figures(struct server *srv, int64_t *ret_number, int64_t *ret_next_update);
int handle_ca_issuing(struct http_request *req);
int handle_ca_root(struct http_request *req);

/* api-edevlet.c */
int handle_edevlet_start(struct http_request *req);
int handle_edevlet_callback(struct http_request *req);
int handle_refusal_get(struct http_request *req);

/* downloads.c */
int handle_downloads_list(struct http_request *req);
int handle_download_get(struct http_request *req);
/* api-holder.c */
int handle_login_password(struct http_request *req);
int handle_certificates_list(struct http_request *req);
int handle_certificate_pem(struct http_request *req);
int handle_certificate_der(struct http_request *req);
int handle_certificate_hold(struct http_request *req);
int handle_certificate_release(struct http_request *req);
int handle_certificate_revoke(struct http_request *req);
int handle_applications_list(struct http_request *req);
int handle_contact_get(struct http_request *req);
int handle_contact_set(struct http_request *req);
/* api-apply.c */
int handle_apply_page(struct http_request *req);
int handle_apply_institution(struct http_request *req);
int handle_apply_captcha(struct http_request *req);
int handle_apply_enter(struct http_request *req);
int handle_apply_recover(struct http_request *req);
int handle_apply_get(struct http_request *req);
int handle_apply_form_get(struct http_request *req);
int handle_apply_form_post(struct http_request *req);
int handle_apply_sms_send(struct http_request *req);
int handle_apply_sms_verify(struct http_request *req);
int handle_apply_method(struct http_request *req);
int handle_apply_method_done(struct http_request *req);
int handle_apply_pdf(struct http_request *req);
