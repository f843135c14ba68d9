/* routes.c - the route table of eonayd, and nothing else.
 *
 * Each entry: method, path ({name} one segment, {name*} the rest), handler,
 * requirements the layer checks first (struct route in http.h), the JSON
 * members its body may have, the rate limit it counts against.  A GET that
 * matches no route is served from web/ by static.c; an unknown /api/ path
 * is a JSON 404.  The API is described in docs/API.md. */
#include "server/handlers.h"

#define BODY(...) ((const char *const[]){ __VA_ARGS__, NULL })

const struct route routes[] = {
	{ "GET", "/healthz", handle_healthz },
	{ "GET", "/metrics", handle_metrics },
	{ "GET", "/api/v1/info", handle_info },
	{ "GET", "/api/v1/session", handle_session_get, ROUTE_SESSION },
	{ "POST", "/api/v1/session", handle_session_create, 0, BODY(NULL), LIMIT_SESSION },
	{ "DELETE", "/api/v1/session", handle_session_delete, ROUTE_CSRF },
	{ "POST", "/api/v1/signing", handle_signing_start, ROUTE_CSRF,
	  BODY("purpose", "tckn", "accepted", "explanation_version"), LIMIT_SIGNING },
	{ "POST", "/api/v1/signing/renew", handle_signing_renew, ROUTE_CSRF, BODY("id"),
	  LIMIT_SIGNING },
	{ "GET", "/api/v1/signing/wait", handle_signing_wait, ROUTE_SESSION },
	{ "POST", "/api/v1/app/claim", handle_app_claim, 0, BODY("code"), LIMIT_CLAIM },
	{ "POST", "/api/v1/app/submit", handle_app_submit, 0, BODY("token", "signatures") },
	{ "POST", "/api/v1/app/event", handle_app_event, 0, BODY("token", "event") },
	{ "POST", "/api/v1/app/pin", handle_app_pin, 0, BODY("token", "step", "card", "so_pin_id") },
	{ "GET", "/api/v1/eonay", handle_eonay_get, ROUTE_LOGIN },
	{ "GET", "/api/v1/edevlet/start", handle_edevlet_start, 0, NULL, LIMIT_SESSION },
	{ "GET", "/OAuth2/edevletsonuc", handle_edevlet_callback, 0, NULL, LIMIT_SESSION },
	{ "GET", "/api/v1/refusals/{code}", handle_refusal_get },
	/* the holder's own acts (api-holder.c) */
	{ "POST", "/api/v1/login/password", handle_login_password, ROUTE_CSRF,
	  BODY("tckn", "word") },
	{ "GET", "/api/v1/certificates", handle_certificates_list, ROUTE_LOGIN },
	{ "GET", "/api/v1/certificates/{serial}/pem", handle_certificate_pem, ROUTE_LOGIN },
	{ "GET", "/api/v1/certificates/{serial}/der", handle_certificate_der, ROUTE_LOGIN },
	{ "POST", "/api/v1/certificates/{serial}/hold", handle_certificate_hold,
	  ROUTE_LOGIN | ROUTE_CSRF, BODY(NULL) },
	{ "POST", "/api/v1/certificates/{serial}/release", handle_certificate_release,
	  ROUTE_LOGIN | ROUTE_CSRF, BODY(NULL) },
	{ "POST", "/api/v1/certificates/{serial}/revoke", handle_certificate_revoke,
	  ROUTE_LOGIN | ROUTE_CSRF, BODY("reason", "confirm") },
	{ "GET", "/api/v1/applications", handle_applications_list, ROUTE_LOGIN },
	{ "GET", "/api/v1/contact", handle_contact_get, ROUTE_LOGIN },
	{ "POST", "/api/v1/contact", handle_contact_set, ROUTE_LOGIN | ROUTE_CSRF,
	  BODY("email", "mobile", "work_phone", "work_ext", "home_phone", "info_channel") },
	/* the application portal (api-apply.c) */
	{ "GET", "/basvuru/{kurum}", handle_apply_page },
	{ "GET", "/api/v1/basvuru/kurum/{kurum}", handle_apply_institution },
	{ "POST", "/api/v1/basvuru/captcha", handle_apply_captcha, ROUTE_CSRF, BODY(NULL),
	  LIMIT_SESSION },
	{ "POST", "/api/v1/basvuru/giris", handle_apply_enter, ROUTE_CSRF,
	  BODY("kurum", "captcha_id", "captcha", "tckn", "ad", "soyad", "dogum_yeri",
	       "dogum_tarihi", "sicil", "parola"), LIMIT_APPLY },
	{ "POST", "/api/v1/basvuru/parola-unuttum", handle_apply_recover, ROUTE_CSRF,
	  BODY("kurum", "captcha_id", "captcha", "tckn", "ad", "soyad", "dogum_yeri",
	       "dogum_tarihi", "cep"), LIMIT_APPLY },
	{ "GET", "/api/v1/basvuru", handle_apply_get, ROUTE_SESSION },
	{ "GET", "/api/v1/basvuru/form", handle_apply_form_get, ROUTE_SESSION },
	{ "POST", "/api/v1/basvuru/form", handle_apply_form_post, ROUTE_CSRF, BODY("form") },
	{ "POST", "/api/v1/basvuru/sms", handle_apply_sms_send, ROUTE_CSRF, BODY(NULL) },
	{ "POST", "/api/v1/basvuru/sms/dogrula", handle_apply_sms_verify, ROUTE_CSRF,
	  BODY("code") },
	{ "POST", "/api/v1/basvuru/yontem", handle_apply_method, ROUTE_CSRF, BODY("method"),
	  LIMIT_SIGNING },
	{ "POST", "/api/v1/basvuru/yontem/tamam", handle_apply_method_done, ROUTE_CSRF,
	  BODY(NULL) },
	{ "GET", "/api/v1/basvuru/pdf", handle_apply_pdf, ROUTE_SESSION, NULL, LIMIT_SESSION },
	{ "POST", "/ocsp", handle_ocsp_post, ROUTE_RAW_BODY | ROUTE_LOG_SAMPLED },
	{ "GET", "/ocsp/{request*}", handle_ocsp_get, ROUTE_LOG_SAMPLED },
	{ "GET", "/crl/issuing.crl", handle_crl },
	{ "GET", "/crl/root.crl", handle_crl_root },
	{ "GET", "/ca/issuing.crt", handle_ca_issuing },
	{ "GET", "/ca/root.crt", handle_ca_root },
	{ "GET", "/api/v1/downloads", handle_downloads_list },
	{ "GET", "/downloads/{name}", handle_download_get },
};

const size_t routes_count = ELEMENTSOF(routes);
