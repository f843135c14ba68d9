/* caimport.h - adopting the records of a CA kept by `openssl ca`
 * (eonayctl ca import): its index.txt and the certificates of its
 * newcerts/ directory, into the certificates table.
 *
 * Part of src/domain/.  The CA's certificate and key themselves are
 * pki_ca_adopt()'s (pki/ca.h). */
#pragma once
#include <openssl/x509.h>

#include "store/db.h"

/* One line of index.txt: status V (valid), R (revoked) or E (expired),
 * expiry, revocation "date[,reason[,arg]]", serial (hex), file name or
 * "unknown", subject DN. */
struct caimport_record {
	char serial[41];	/* canonical lower-case hex (pki/key.h) */
	char status;		/* 'V', 'R', 'E' */
	bool hold;		/* R with certificateHold / holdInstruction */
	int reason;		/* R: RFC 5280 CRLReason (0 when none given) */
	int64_t not_after, revoked_at;
	char *serial_text;	/* the serial as written (newcerts/ names files by it) */
	char *file;		/* as written, "unknown" when none */
	char *subject;		/* the DN as written ("/C=TR/CN=...") */
	size_t line;		/* 1-based line in the file */
};

struct caimport_index {
	struct caimport_record *rec;
	size_t n;
	char *buf;		/* the file, which rec's strings point into */
};
void caimport_index_done(struct caimport_index *idx);

/* Parses one line (without its newline; changed in place: the fields are
 * cut out of it) strictly.  -EBADMSG with *ret_why (a static English
 * sentence) when it is not a well-formed index.txt line. */
int caimport_parse_line(char *line, struct caimport_record *ret, const char **ret_why);

/* Reads and parses a whole index.txt.  -EBADMSG with the line number and
 * why for the first malformed line (a repeated serial counts as one);
 * -ENOENT, -EIO, -ENOMEM.  The records come out sorted by serial. */
int caimport_read_index(const char *path, struct caimport_index *ret, size_t *ret_line,
			const char **ret_why);

struct caimport_stats {
	size_t records;		/* in the index */
	size_t whole;		/* with their certificate from certs_dir */
	size_t added;		/* new rows (0 on a second run) */
	size_t valid, revoked, held, expired;
};

/* Called every so many records and at the end. */
typedef void (*caimport_progress_fn)(void *userdata, size_t done, size_t total);

/* Stores every record of idx as a certificate of the issuing CA ca (its
 * key identifier is the issuer), in one transaction with the audit event
 * "ca.import" (actor "operator"; written when a record is added or when
 * ca_new says the CA itself was just adopted): all or nothing.  A record whose
 * certificate is in certs_dir (NULL: none) as SERIAL.pem (the serial as
 * index.txt writes it) or under its file name is stored whole, after
 * checking that the CA issued it and that its serial and expiry are the
 * line's; the others as status-only rows (no DER).  Rows already there
 * (same issuer and serial) are left as they are: a second run adds
 * nothing.  -EBADMSG with *ret_line and *ret_why when a certificate does
 * not match its line. */
int caimport_store(struct db *db, X509 *ca, bool ca_new, const struct caimport_index *idx,
		   const char *certs_dir, caimport_progress_fn progress, void *userdata,
		   struct caimport_stats *ret, size_t *ret_line, const char **ret_why);
