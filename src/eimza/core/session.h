/* session.h - the holder's side of a signing session, shared by the CLI
 * (eimza sign) and the window: claim the code at the server, read what is
 * to be signed, sign every text on the card, submit, and say in Turkish
 * what went wrong.
 *
 * Every function that can fail fills a struct eimza_error: the kind of
 * failure (what screen to show, which exit code to use), a Turkish
 * sentence for people and, for server refusals, the server's machine code
 * (for --json only, never shown in the window). */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "eimza/core/code.h"

enum eimza_fail {
	EIMZA_FAIL_NONE = 0,
	EIMZA_FAIL_CODE,	/* the code is mistyped, unknown, used or replaced */
	EIMZA_FAIL_EXPIRED,	/* the code or the signing time ran out */
	EIMZA_FAIL_NETWORK,	/* the server could not be reached */
	EIMZA_FAIL_REFUSED,	/* the server refused the signature */
	EIMZA_FAIL_NO_MODULE,	/* no card driver (PKCS#11 module) loads */
	EIMZA_FAIL_NO_CARD,	/* no card inserted */
	EIMZA_FAIL_NO_CERT,	/* cards, but no certificate fits the session */
	EIMZA_FAIL_PIN_WRONG,	/* pin_flags say how many tries are left */
	EIMZA_FAIL_PIN_LOCKED,	/* the card's PIN is blocked */
	EIMZA_FAIL_CARD,	/* the card failed */
	EIMZA_FAIL_INTERNAL,	/* memory, a bug */
};

struct eimza_error {
	enum eimza_fail kind;
	char message[512];	/* Turkish, for people */
	char code[64];		/* server's machine code, "" when none */
	char detail[256];	/* technical detail (curl's reason), "" when none */
	long status;		/* HTTP status of a refusal, 0 when none */
	unsigned pin_flags;	/* P11_PIN_* for EIMZA_FAIL_PIN_* */
};

/* Sets err (kind and printf-style Turkish message); returns -errno_. */
int eimza_error_set(struct eimza_error *err, enum eimza_fail kind, int errno_, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* What a claimed session tells the holder. */
struct eimza_session {
	char *server;		/* base URL it was claimed from */
	char *cafile;
	char *token;		/* the submit credential (secret, wiped) */
	char *purpose;		/* the act: "login", "pin-reset", ... */
	char *purpose_text;	/* "Giriş", "E-Onay", ... */
	json_t *texts;		/* array of strings: İmzalanacak Metin 1..n */
	int64_t created_at;	/* Oluşturma Tarihi (unix) */
	int64_t expires_at;
	int64_t deadline_mono;	/* CLOCK_MONOTONIC second the session dies locally */
	char *client_addr;	/* where the session was started (browser) */
	char *app_addr;		/* where the server saw this claim come from, NULL if not told */
	char *user_agent;	/* the browser that started it, NULL if not told */
	char tckn_masked[12];	/* "100******46" */
};

/* Claims a 16-digit code at server.  0 with *ret filled; <0 with err:
 * EIMZA_FAIL_CODE / _EXPIRED (the server's message), _NETWORK. */
int eimza_claim(const char *server, const char *cafile, const char *digits,
		struct eimza_session *ret, struct eimza_error *err);
void eimza_session_done(struct eimza_session *s);

/* Seconds left to sign (0 when over), from the monotonic clock. */
int64_t eimza_session_remaining(const struct eimza_session *s);

/* True when the browser that started the session and this application
 * are on different networks as the server saw them (IPv4: another /24,
 * IPv6: another /64, or different families): the code may have been
 * relayed by someone else.  False when the server did not say. */
bool eimza_session_relayed(const struct eimza_session *s);

/* Submits the signatures (array of base64 CMS).  0 with *ret_message (the
 * server's "İşleminiz Başarılıdır. ..."; free it); <0 with err. */
int eimza_submit(const struct eimza_session *s, json_t *sigs, char **ret_message,
		 struct eimza_error *err);

/* Tells the server (and so the page) what happened on this side while
 * the session is claimed: "pin_wrong", "pin_locked", "declined",
 * "no_cert".  Best effort: the code stays usable either way (it may be
 * claimed again from this computer).  0 or -errno. */
int eimza_report(const struct eimza_session *s, const char *event);

/* POSTs body to path with the session's server and CA file; 0 with the
 * status and parsed body, or <0 with err (EIMZA_FAIL_NETWORK). */
int eimza_session_post(const struct eimza_session *s, const char *path, const json_t *body,
		       long *ret_status, json_t **ret_body, struct eimza_error *err);
/* The failure of a refusal answer (the server's message), kind unless
 * the code says the session expired.  Returns -EACCES. */
int eimza_refusal(long status, json_t *body, enum eimza_fail kind, struct eimza_error *err);

/* Writes the signatures as PEM-style "CMS" blocks ("eimza verify" reads
 * them back). */
int eimza_save_signed(const char *path, json_t *sigs);

/* "01.03.2022 17:39:54" in local time: the one date format everywhere. */
void eimza_format_time(int64_t t, char ret[32]);
