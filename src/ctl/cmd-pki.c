/* cmd-pki.c - eonayctl pki: create and show the CA hierarchy, and sign
 * the root's CRL (the ARL, pki/ca.h) with the root key. */
#include <stdio.h>
#include <stdlib.h>

#include "domain/authority.h"
#include "ctl/ctl.h"
#include "pki/crl.h"
#include "pki/key.h"
#include "store/audit.h"

static void show_cert(const char *what, X509 *x)
{
	char serial[PKI_SERIAL_HEX_MAX], sha[PKI_SHA256_HEX_MAX], nb[21], na[21];
	int64_t a = 0, b = 0;
	char *subj;

	pki_cert_serial_hex(x, serial);
	pki_cert_sha256_hex(x, sha);
	pki_asn1_time_to_unix(X509_get0_notBefore(x), &b);
	pki_asn1_time_to_unix(X509_get0_notAfter(x), &a);
	iso8601_utc(b, nb);
	iso8601_utc(a, na);
	subj = ctl_name_utf8(X509_get_subject_name(x));
	printf("%-8s %s\n         serial %s\n         valid %s .. %s\n         sha256 %s\n", what,
	       subj ? subj : "?", serial, nb, na, sha);
	free(subj);
}

static void show_arl(struct ctl *ctl, struct pki_ca *ca)
{
	_cleanup_free_ unsigned char *der = NULL;
	int64_t next = 0;
	size_t n = 0;
	char at[21];
	int r;

	r = pki_arl_load(ctl->cfg.pki_dir, pki_ca_root_cert(ca), &der, &n, &next, NULL);
	if (r < 0) {
		printf("root crl %s\n", r == -ENOENT ? "none (eonayctl pki arl signs one)" :
					 "NOT a good ARL of the root: copy the newest"
					 " root.crl back (pki arl continues only from it)");
		return;
	}
	iso8601_utc(next, at);
	printf("root crl next update %s%s\n", at,
	       next < now_sec() ? " (RUN OUT: eonayctl pki arl)" :
	       next < now_sec() + 30 * 86400 ? " (runs out within 30 days: eonayctl pki arl)" : "");
}

char *ctl_name_utf8(const X509_NAME *name)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s = NULL;

	if (!b)
		return NULL;
	/* C = .., O = .., CN = .., with UTF-8 kept as it is. */
	if (X509_NAME_print_ex(b, name, 0, (XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) |
						   ASN1_STRFLGS_UTF8_CONVERT) >= 0)
		pki_bio_to_string(b, &s);
	BIO_free(b);
	return s;
}

/* eonayctl pki arl [--days N] [--revoke-issuing REASON] */
static int pki_arl(struct ctl *ctl, int argc, char **argv)
{
	const char *why = NULL;
	char next[21];
	int64_t number = 0, next_update = 0;
	int days = PKI_ARL_DAYS, reason = 0, r;
	bool revoke = false;

	for (int i = 2; i < argc; i += 2) {
		char *end = NULL;

		if (i + 1 >= argc) {
			fprintf(stderr, "eonayctl pki arl: '%s' needs a value; try --help\n", argv[i]);
			return 2;
		}
		if (streq(argv[i], "--days")) {
			long v = strtol(argv[i + 1], &end, 10);

			/* a CA's CRL: at most a year and a day between two */
			if (!*argv[i + 1] || *end || v < 1 || v > 366) {
				fprintf(stderr, "eonayctl pki arl: --days takes 1 to 366\n");
				return 2;
			}
			days = (int)v;
		} else if (streq(argv[i], "--revoke-issuing")) {
			if (pki_reason_from_string(argv[i + 1], &reason) < 0 || reason == 6 ||
			    reason == 8) {
				fprintf(stderr, "eonayctl pki arl: '%s' is not a reason for a CA (e.g."
						" cACompromise, keyCompromise, superseded,"
						" cessationOfOperation)\n", argv[i + 1]);
				return 2;
			}
			revoke = true;
		} else {
			fprintf(stderr, "eonayctl pki arl: bad argument '%s'; try --help\n", argv[i]);
			return 2;
		}
	}
	r = ctl_open_store(ctl);
	if (r < 0)
		return r;
	r = authority_arl_sign(&ctl->cfg, ctl->db, days, revoke, reason, &number, &next_update);
	if (r == -ESTALE) {
		fprintf(stderr, "eonayctl pki arl: root CRL %lld was signed (audit log), but %s/"
				PKI_ARL_FILE " is missing or older: copy the newest root.crl there"
				" first; nothing signed\n", (long long)number, ctl->cfg.pki_dir);
		return 1;
	}
	if (r < 0 && number > 0) {
		fprintf(stderr, "eonayctl pki arl: root CRL %lld is signed, but the audit log refused"
				" the event: %s\n", (long long)number, strerror(-r));
		return 1;
	}
	if (r < 0) {
		why = r == -ENOENT ? "no root key in pki.dir (the root key is kept offline: bring"
				     " root.key back for this)" :
		      r == -EACCES ? "the root key does not open with the CA passphrase" :
		      r == -EALREADY ? "the issuing CA is listed in root.crl already, with its"
				       " first date and reason (final); renew without"
				       " --revoke-issuing" :
		      r == -EOPNOTSUPP ? "this CA was adopted with ca import: its root's CRL is"
					 " signed where that root is kept" :
		      r == -EBADMSG ? "root.crl or issuing.crt is not the root's, or the audit"
				      " log's last ARL event does not read" :
		      strerror(-r);
		fprintf(stderr, "eonayctl pki arl: %s; nothing signed\n", why);
		return 1;
	}
	iso8601_utc(next_update, next);
	printf("root CRL %lld signed in %s/" PKI_ARL_FILE "%s; next update %s: sign it again"
	       " before then, and copy it to every node's pki.dir\n", (long long)number,
	       ctl->cfg.pki_dir, revoke ? ", the issuing CA revoked" : "", next);
	return 0;
}

int ctl_pki(struct ctl *ctl, int argc, char **argv)
{
	_cleanup_(pki_ca_freep) struct pki_ca *ca = NULL;
	int r;

	if (ctl_wants_help(argc, argv) || argc < 2) {
		printf("Usage: eonayctl pki init | show | arl [--days N] [--revoke-issuing REASON]\n\n"
		       "init  creates the root CA, the issuing CA for qualified certificates and\n"
		       "      the delegated OCSP responder in pki.dir (keys encrypted under the\n"
		       "      passphrase in pki.passphrase_file, created if absent)\n"
		       "show  prints the CA certificates and the URLs they point at\n"
		       "arl   signs the root's CRL (pki.dir/root.crl, served at /crl/root.crl)\n"
		       "      with the root key, valid N days (default %d): the issuing CA's\n"
		       "      status for relying parties that check the whole chain.  Sign it\n"
		       "      again before it runs out.  --revoke-issuing lists the issuing CA\n"
		       "      as revoked (REASON e.g. cACompromise); that is final\n",
		       PKI_ARL_DAYS);
		return argc < 2 ? 2 : 0;
	}
	if (streq(argv[1], "arl"))
		return pki_arl(ctl, argc, argv);
	if (streq(argv[1], "init")) {
		r = ctl_open_store(ctl);
		if (r < 0)
			return r;
		r = authority_init(&ctl->cfg);
		if (r == -EEXIST) {
			fprintf(stderr, "eonayctl pki init: a CA already exists in %s\n", ctl->cfg.pki_dir);
			return 1;
		}
		if (r == -EINVAL) {
			fprintf(stderr, "eonayctl pki init: the pki.* settings are not valid (names, key "
					"specs such as ec:P-384 or rsa:3072, validity days)\n");
			return r;
		}
		if (r < 0) {
			fprintf(stderr, "eonayctl pki init: failed: %s\n", strerror(-r));
			return r;
		}
		r = audit_append(ctl->db, false, "operator", "pki.init", ctl->cfg.pki_dir, "ok", NULL);
		if (r < 0) {
			fprintf(stderr, "eonayctl pki init: CA created, but the audit log refused the"
					" event: %s\n", strerror(-r));
			return r;
		}
		printf("CA created in %s\n", ctl->cfg.pki_dir);
		argv[1] = "show";
	}
	if (streq(argv[1], "show")) {
		r = authority_open(&ctl->cfg, &ca);
		if (r < 0) {
			fprintf(stderr, "eonayctl pki: cannot open the CA in %s: %s\n", ctl->cfg.pki_dir,
				r == -ENOENT ? "none created yet (eonayctl pki init)" : strerror(-r));
			return r;
		}
		show_cert("root", pki_ca_root_cert(ca));
		show_cert("issuing", pki_ca_issuing_cert(ca));
		show_cert("ocsp", pki_ca_ocsp_cert(ca));
		printf("crl      %s\nocsp url %s\n", pki_ca_crl_url(ca), pki_ca_ocsp_url(ca));
		show_arl(ctl, ca);
		return 0;
	}
	fprintf(stderr, "eonayctl pki: unknown subcommand '%s'\n", argv[1]);
	return 2;
}
