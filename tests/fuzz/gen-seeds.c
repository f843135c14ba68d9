/* gen-seeds.c - makes tests/fuzz/data once (it is committed; run again
 * only to renew it): gen-seeds DIR writes DIR/ca (a CA, pki_ca_init, with
 * fuzz-pki.h's configuration and passphrase) and seed inputs made with it,
 * DIR/seeds/cades (CAdES signatures by a holder it issues) and
 * DIR/seeds/ocsp, DIR/seeds/ocsp-get (requests for that holder, DER and
 * base64).  Built in the fuzz build directory only. */
#include <stdio.h>
#include <sys/stat.h>

#include <openssl/ocsp.h>

#include "pki/cades.h"
#include "pki/key.h"
#include "pki/ossl.h"
#include "pki/profile.h"

#include "fuzz-pki.h"

static void die(const char *what, int r)
{
	fprintf(stderr, "gen-seeds: %s: %s\n", what, strerror(r < 0 ? -r : EIO));
	exit(1);
}

static void put(const char *dir, const char *name, const void *buf, size_t n)
{
	_cleanup_free_ char *path = strdup_printf("%s/%s", dir, name);
	FILE *f = path ? fopen(path, "wb") : NULL;

	if (!f || fwrite(buf, 1, n, f) != n || fclose(f) != 0)
		die(name, -errno);
}

static void put_ocsp(const char *dir, const char *name, X509 *holder, X509 *issuer,
		     const EVP_MD *md, int n_ids, bool nonce)
{
	OCSP_REQUEST *req = OCSP_REQUEST_new();
	unsigned char *der = NULL;
	char *b64 = NULL, get[64];
	int len;

	for (int i = 0; i < n_ids; i++)
		if (!OCSP_request_add0_id(req, OCSP_cert_to_id(md, holder, issuer)))
			die("OCSP request", -EIO);
	if (nonce && !OCSP_request_add1_nonce(req, NULL, 16))
		die("OCSP nonce", -EIO);
	len = i2d_OCSP_REQUEST(req, &der);
	if (len <= 0)
		die("OCSP DER", -EIO);
	put(dir, name, der, (size_t)len);
	if (base64_encode(der, (size_t)len, &b64) < 0)
		die("base64", -ENOMEM);
	snprintf(get, sizeof(get), "../ocsp-get/%s", name);
	put(dir, get, b64, strlen(b64));
	free(b64);
	OPENSSL_free(der);
	OCSP_REQUEST_free(req);
}

int main(int argc, char **argv)
{
	_cleanup_free_ char *ca_dir = NULL, *cades = NULL, *ocsp = NULL, *get = NULL,
			    *seeds = NULL;
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	struct pki_ca_config cfg;
	struct pki_holder_req hr = {
		.tckn = "10000000146", .given_name = "Ayşe", .surname = "Yılmaz",
		.not_before = now_sec() - 60, .not_after = FUZZ_NOW + 3650LL * 86400,
	};
	char *reason = NULL;
	struct pki_ca *ca;
	unsigned char *der;
	X509 *holder = NULL;
	size_t n;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: gen-seeds DIR\n");
		return 2;
	}
	ca_dir = strdup_printf("%s/ca", argv[1]);
	seeds = strdup_printf("%s/seeds", argv[1]);
	cades = strdup_printf("%s/seeds/cades", argv[1]);
	ocsp = strdup_printf("%s/seeds/ocsp", argv[1]);
	get = strdup_printf("%s/seeds/ocsp-get", argv[1]);
	mkdir(argv[1], 0755);
	mkdir(seeds, 0755);
	mkdir(cades, 0755);
	mkdir(ocsp, 0755);
	mkdir(get, 0755);
	fuzz_ca_config(&cfg);
	r = pki_ca_init(&cfg, ca_dir, FUZZ_CA_PASS);
	if (r < 0)
		die("CA", r);
	r = pki_ca_load_config(&cfg, ca_dir, FUZZ_CA_PASS, &ca);
	if (r < 0)
		die("CA load", r);
	r = pki_key_generate("ec:P-256", &key);
	if (r < 0)
		die("key", r);
	r = pki_cert_issue_holder(ca, key, &hr, &holder, &reason);
	if (r < 0) {
		fprintf(stderr, "gen-seeds: holder: %s\n", reason ? reason : "?");
		return 1;
	}
	free(ca_dir);
	ca_dir = strdup_printf("%s/holder.crt", argv[1]);
	if (!ca_dir || pki_cert_save(holder, ca_dir) < 0)
		die("holder.crt", -EIO);

	/* CAdES: with the chain, without it, empty content, a longer text. */
	if (cades_sign(key, holder, pki_ca_chain(ca), "E-Onay", 6, &der, &n) < 0)
		die("cades", -EIO);
	put(cades, "chain", der, n);
	free(der);
	if (cades_sign(key, holder, NULL, "Onaylıyorum.", strlen("Onaylıyorum."), &der, &n) < 0)
		die("cades", -EIO);
	put(cades, "nochain", der, n);
	free(der);
	if (cades_sign(key, holder, NULL, "", 0, &der, &n) < 0)
		die("cades", -EIO);
	put(cades, "empty", der, n);
	free(der);

	/* OCSP: SHA-1 and SHA-256 CertIDs, a nonce, two requests, and one
	 * for a certificate of another issuer (the root as issuer). */
	put_ocsp(ocsp, "sha1", holder, pki_ca_issuing_cert(ca), EVP_sha1(), 1, false);
	put_ocsp(ocsp, "sha256-nonce", holder, pki_ca_issuing_cert(ca), EVP_sha256(), 1, true);
	put_ocsp(ocsp, "two", holder, pki_ca_issuing_cert(ca), EVP_sha1(), 2, true);
	put_ocsp(ocsp, "other-issuer", pki_ca_issuing_cert(ca), pki_ca_root_cert(ca), EVP_sha1(),
		 1, false);
	X509_free(holder);
	pki_ca_free(ca);
	return 0;
}
