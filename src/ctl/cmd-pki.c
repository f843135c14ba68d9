/* cmd-pki.c - eonayctl pki: create and show the CA hierarchy. */
#include <stdio.h>

#include "domain/authority.h"
#include "ctl/ctl.h"
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

int ctl_pki(struct ctl *ctl, int argc, char **argv)
{
	_cleanup_(pki_ca_freep) struct pki_ca *ca = NULL;
	int r;

	if (ctl_wants_help(argc, argv) || argc < 2) {
		printf("Usage: eonayctl pki init | show\n\n"
		       "init  creates the root CA, the issuing CA for qualified certificates and\n"
		       "      the delegated OCSP responder in pki.dir (keys encrypted under the\n"
		       "      passphrase in pki.passphrase_file, created if absent)\n"
		       "show  prints the CA certificates and the URLs they point at\n");
		return argc < 2 ? 2 : 0;
	}
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
		return 0;
	}
	fprintf(stderr, "eonayctl pki: unknown subcommand '%s'\n", argv[1]);
	return 2;
}
