/* cmd-ca.c - eonayctl ca import: adopting a CA kept by `openssl ca`.
 *
 * Parses index.txt first (a bad line stops everything), then writes the
 * CA directory (pki_ca_adopt: certificate, key, a new OCSP responder),
 * then stores the records in one transaction (domain/caimport.c); when
 * that fails, a CA directory written by this run is removed again. */
#include <stdio.h>
#include <time.h>

#include "ctl/ctl.h"
#include "domain/authority.h"
#include "domain/caimport.h"
#include "pki/key.h"
#include "pki/ossl.h"

static void progress(void *userdata, size_t done, size_t total)
{
	fprintf(stderr, "\reonayctl ca import: %zu / %zu records", done, total);
	if (done == total)
		fputc('\n', stderr);
}

static int usage(int rc)
{
	printf("Usage: eonayctl ca import --cert CA.pem --key FILE|pkcs11:URI --index index.txt\n"
	       "                          [--certs DIR]\n\n"
	       "Adopts a CA kept by `openssl ca`, on a fresh data directory:\n"
	       "  --cert   the CA's certificate (PEM), then its self-signed root if it has one;\n"
	       "           it becomes the issuing CA in pki.dir\n"
	       "  --key    its key: a PEM file, saved again encrypted under the CA passphrase\n"
	       "           (an encrypted one is opened with $EONAY_CA_IMPORT_KEY_PASSPHRASE), or\n"
	       "           a pkcs11: URI, which must also be set as pki.issuing_key_ref\n"
	       "  --index  its index.txt: every record (V valid, R revoked with date and reason,\n"
	       "           E expired) is stored; a malformed line stops the import and nothing\n"
	       "           is stored\n"
	       "  --certs  its newcerts/ directory: certificates found there (SERIAL.pem) are\n"
	       "           stored whole, the others as status-only records (CRL and OCSP)\n"
	       "A new OCSP responder certificate is made with the CA's key.  Running it again\n"
	       "with the same files changes nothing; a data directory holding another CA is\n"
	       "refused.\n");
	return rc;
}

static int ca_import(struct ctl *ctl, int argc, char **argv)
{
	_cleanup_(X509_freep) X509 *ca = NULL;
	struct caimport_index idx = { 0 };
	struct caimport_stats s = { 0 };
	struct pki_ca_config pc;
	_cleanup_secret_ char *pass = NULL;
	const char *cert = NULL, *key = NULL, *index = NULL, *certs = NULL, *why = NULL;
	struct timespec t0, t1;
	size_t line = 0;
	bool same = false;
	int r;

	for (int i = 2; i < argc; i += 2) {
		const char **dst = streq(argv[i], "--cert")  ? &cert :
				   streq(argv[i], "--key")   ? &key :
				   streq(argv[i], "--index") ? &index :
				   streq(argv[i], "--certs") ? &certs : NULL;

		if (!dst || i + 1 >= argc) {
			fprintf(stderr, "eonayctl ca import: bad argument '%s'; try --help\n", argv[i]);
			return 2;
		}
		*dst = argv[i + 1];
	}
	if (!cert || !key || !index) {
		fprintf(stderr, "eonayctl ca import: --cert, --key and --index are required\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = caimport_read_index(index, &idx, &line, &why);
	if (r == -EBADMSG) {
		fprintf(stderr, "eonayctl ca import: %s line %zu: %s; nothing imported\n", index, line,
			why);
		return 1;
	}
	if (r < 0) {
		fprintf(stderr, "eonayctl ca import: cannot read %s: %s\n", index, strerror(-r));
		return r;
	}
	r = pki_cert_load(cert, &ca);
	if (r < 0) {
		fprintf(stderr, "eonayctl ca import: cannot read the CA certificate %s: %s\n", cert,
			strerror(-r));
		goto out;
	}
	r = ctl_open_store(ctl);
	if (r < 0)
		goto out;
	authority_config(&ctl->cfg, &pc);
	r = authority_passphrase(&ctl->cfg, true, &pass);
	if (r == 0)
		r = pki_ca_adopt(&pc, ctl->cfg.pki_dir, pass, cert, key,
				 getenv("EONAY_CA_IMPORT_KEY_PASSPHRASE"), &same);
	if (r < 0) {
		fprintf(stderr, "eonayctl ca import: %s\n",
			r == -EEXIST ? "the data directory already has another CA (pki.dir); import "
				       "only into a fresh data directory" :
			r == -EKEYREJECTED ? "the key is not the CA certificate's key" :
			r == -EACCES ? "the key does not open (set EONAY_CA_IMPORT_KEY_PASSPHRASE for "
				       "an encrypted key; a PKCS#11 token takes pki.passphrase as PIN)" :
			r == -EBADMSG ? "--cert is not a CA certificate with a subjectKeyIdentifier "
					"(followed by its self-signed root, if any)" :
			r == -EOPNOTSUPP ? "--cert: only a self-signed CA or a CA and its root are "
					   "supported" :
			r == -EINVAL ? "a pkcs11: key must also be set as pki.issuing_key_ref" :
			strerror(-r));
		goto out;
	}
	r = caimport_store(ctl->db, ca, !same, &idx, certs, progress, NULL, &s, &line, &why);
	if (r < 0) {
		if (!same)
			pki_ca_adopt_undo(&pc, ctl->cfg.pki_dir);
		if (r == -EBADMSG)
			fprintf(stderr, "eonayctl ca import: %s line %zu: %s; nothing imported\n",
				index, line, why);
		else
			fprintf(stderr, "eonayctl ca import: storing the records failed: %s; nothing"
					" imported\n", strerror(-r));
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (same && s.added == 0)
		printf("already imported: the CA and all %zu records are there; nothing changed\n",
		       s.records);
	else
		printf("%s in %s; %zu records (%zu valid, %zu revoked, %zu held, %zu expired), %zu new,"
		       " %zu stored whole, in %.2f s\n",
		       same ? "CA already there" : "CA adopted", ctl->cfg.pki_dir, s.records, s.valid,
		       s.revoked, s.held, s.expired, s.added, s.whole,
		       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
out:
	caimport_index_done(&idx);
	return r < 0 ? 1 : 0;
}

int ctl_ca(struct ctl *ctl, int argc, char **argv)
{
	if (ctl_wants_help(argc, argv) || argc < 2)
		return usage(argc < 2 ? 2 : 0);
	if (streq(argv[1], "import"))
		return ca_import(ctl, argc, argv);
	fprintf(stderr, "eonayctl ca: unknown subcommand '%s'\n", argv[1]);
	return 2;
}
