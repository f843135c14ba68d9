/* certs.h - certificate lifecycle and holders (domain; cards are in cards.h).
 *
 * The revocation state machine lives here, next to its data:
 *   active --hold--> hold --release--> active
 *   active|hold --revoke(reason)--> revoked   (final)
 * Every change is written together with its audit event and its row of
 * the status history (cert_status_history) in one transaction.
 *
 * A certificate is named by its issuer and its serial: serials are unique
 * per issuing CA only, and a CA rollover brings a second issuing CA.  The
 * issuer is the issuing CA's key identifier (pki_cert_key_id_hex(): its
 * subjectKeyIdentifier, the authorityKeyIdentifier of what it issues, the
 * issuerKeyHash of an OCSP SHA-1 CertID), lower-case hex.  Where a
 * function takes issuer NULL, the serial alone names the certificate when
 * exactly one issuer issued it: -ENOTUNIQ when several did (the caller
 * must then say which; nothing is changed). */
#pragma once
#include "domain/refusal.h"
#include "store/db.h"

enum cert_status { CERT_ACTIVE, CERT_HOLD, CERT_REVOKED };

/* Reasons are RFC 5280 CRLReason numbers (names in pki/crl.h): hold is 6
 * (certificateHold); revoke takes 0, 1, 3, 4, 5 or 9. */
#define CERT_REASON_HOLD 6

const char *cert_status_str(enum cert_status s);
/* True for the reasons cert_revoke() takes. */
bool cert_revoke_reason_ok(int reason);

struct holder {
	char tckn[12];
	char *given_name, *surname, *email, *mobile;
};
void holder_done(struct holder *h);

/* Inserts or updates a holder. */
int holder_put(struct db *db, const char *tckn, const char *given_name,
	       const char *surname, const char *email, const char *mobile);
/* -ENOENT when unknown. */
int holder_get(struct db *db, const char *tckn, struct holder *ret);

/* Adds an institution unless one with this id exists. */
int institution_put(struct db *db, const char *id, const char *name);

#define CERT_ISSUER_MAX 65	/* key identifier, hex (PKI_KEY_ID_HEX_MAX) */

struct cert_record {
	char issuer[CERT_ISSUER_MAX];	/* lower-case hex key identifier */
	char serial[65];	/* lower-case hex */
	char tckn[12];
	char card_serial[64];	/* "" when not on a card */
	char sha256[65];
	char *subject_cn;
	unsigned char *der;	/* the certificate, DER; NULL (and tckn, sha256 "",
				 * not_before, issued_at 0) for a status-only
				 * record adopted by eonayctl ca import */
	size_t der_len;
	int64_t not_before, not_after, issued_at, revoked_at;
	enum cert_status status;
	int reason;		/* when hold/revoked */
};
void cert_record_done(struct cert_record *c);
void cert_record_free_array(struct cert_record *a, size_t n);

/* Adds an issued certificate (status as given, usually hold or active) and
 * its first history row ("issued", actor "operator").  Call it inside a
 * transaction to have both or neither.  -EINVAL without an issuer. */
int cert_add(struct db *db, const struct cert_record *c);
/* By issuer (NULL: see the top) and serial (hex, any case).  -ENOENT when
 * unknown. */
int cert_get(struct db *db, const char *issuer, const char *serial, struct cert_record *ret);
/* All certificates of a holder, newest first. */
int cert_list_by_tckn(struct db *db, const char *tckn, struct cert_record **ret,
		      size_t *ret_n);
/* The fast path for OCSP and signature checks: status only, by issuer
 * (required) and serial.  -ENOENT when that issuer never issued it here. */
int cert_status_get(struct db *db, const char *issuer, const char *serial,
		    enum cert_status *ret_status, int *ret_reason, int64_t *ret_revoked_at);

/* Applies a transition with its audit event and history row, under
 * db_lock("cert:ISSUER:SERIAL"); actor is who asked ("operator",
 * "holder:TCKN").  issuer NULL: see the top (-ENOTUNIQ).  Refusals
 * (-EACCES, recorded in the audit log too): cert_unknown (serial never
 * issued here), cert_state (not allowed from the current state, e.g.
 * release of an active or revoked certificate, anything on a revoked
 * one), cert_reason (revoke with a reason cert_revoke_reason_ok()
 * refuses). */
int cert_hold(struct db *db, const char *issuer, const char *serial, const char *actor,
	      enum refusal *ret_refusal);
int cert_release(struct db *db, const char *issuer, const char *serial, const char *actor,
		 enum refusal *ret_refusal);
int cert_revoke(struct db *db, const char *issuer, const char *serial, int reason,
		const char *actor, enum refusal *ret_refusal);

/* Calls fn for every certificate of issuer on hold or revoked (for its
 * CRL). */
typedef int (*cert_revoked_fn)(void *userdata, const char *serial, int64_t revoked_at,
			       int reason);
int cert_foreach_revoked(struct db *db, const char *issuer, cert_revoked_fn fn,
			 void *userdata);

/* One row of a certificate's status history: what happened (event
 * "issued", "hold", "release", "revoke", or "migrated" for the state a
 * certificate had when the history began), the status after it, the
 * reason (hold 6, a revocation's; -1 when none), who and when. */
struct cert_event {
	int64_t seq, at;
	char event[16];
	enum cert_status status;
	int reason;
	char *actor;
};
void cert_event_free_array(struct cert_event *a, size_t n);
/* The history of one certificate, oldest first.  issuer NULL: see the top.
 * -ENOENT when the certificate is unknown. */
int cert_history(struct db *db, const char *issuer, const char *serial, struct cert_event **ret,
		 size_t *ret_n);

/* The holder's own acts on a certificate of his (Askıya Alma, Askıdan
 * İndirme, Sertifikamı İptal Et), by serial and, when the holder has
 * certificates of one serial from two issuers, issuer (else NULL;
 * -ENOTUNIQ then).  In one transaction: the transition with its history
 * row and audit event (actor "holder:TCKN"); on hold and revoke, the end
 * of every web session logged in with this certificate; a notification to
 * the holder's Bilgi Kanalı (notify.h).  The caller publishes the CRL.
 * Refusals: not_found (no such certificate), cert_not_owner (another
 * holder's), cert_expired, cert_state (e.g. anything on a revoked
 * certificate, release of an active one), cert_reason (revoke),
 * confirmation (revoke: confirm must be the serial's last 6 characters,
 * any case). */
enum cert_act { CERT_ACT_HOLD, CERT_ACT_RELEASE, CERT_ACT_REVOKE };
int cert_holder_act(struct db *db, const char *tckn, const char *issuer, const char *serial,
		    enum cert_act act, int reason, const char *confirm, enum refusal *ret_refusal);

/* "active", "hold", "revoked" or, for an active or held certificate past
 * its notAfter, "expired": the status a holder sees. */
const char *cert_status_seen(const struct cert_record *c, int64_t now);

/* The holder's own certificate by serial (issuer as for
 * cert_holder_act): refused not_found or cert_not_owner. */
int cert_get_own(struct db *db, const char *tckn, const char *issuer, const char *serial,
		 struct cert_record *ret, enum refusal *ret_refusal);

/* cert_revoke inside the caller's open transaction, for acts that revoke
 * as a part of something bigger (the approval of a Kayıp Çalıntı
 * application): lock, state check, update, history row and audit event,
 * no commit.  issuer is required.  Refusals as cert_revoke; they are not
 * audited here (the caller rolls back and records its own). */
int cert_revoke_in_tx(struct db *db, const char *issuer, const char *serial, int reason,
		      const char *actor, enum refusal *ret_refusal);
