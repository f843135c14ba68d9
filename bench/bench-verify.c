/* bench-verify.c - verifications per second: cades_verify() (every check,
 * the chain cache warm, a revocation callback answering GOOD) against a
 * plain CMS_verify() of the same signature (signature and chain only),
 * and cades_verify() with the chain cache emptied before every call.
 *
 * A throwaway CA (P-384 root and issuing CA, as the default eonay CA) is
 * built with the unit tests' fixture; one signature per holder key type.
 * Prints "key method per_second" lines; bench/verify puts them in a table
 * next to `openssl speed`. */
#include <stdio.h>

#include <time.h>

#include <openssl/cms.h>
#include <openssl/err.h>

#include "common/util.h"
#include "pki-fixture.h"
#include "pki/cades.h"
#include "pki/ossl.h"

/* The process's CPU time, µs: rates are per CPU second, like `openssl
 * speed` (without -elapsed), so that they do not depend on how much of the
 * machine other processes take. */
static uint64_t cpu_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int status_good(void *userdata, X509 *cert, X509 *issuer, int *ret_state)
{
	*ret_state = CADES_STATUS_GOOD;
	return 0;
}

static double run_cades(const unsigned char *der, size_t n, X509_STORE *trust,
			STACK_OF(X509) *chain, double secs, bool cold)
{
	struct cades_verify_opts o = {
		.trust = trust, .intermediates = chain, .status = status_good,
	};
	uint64_t start = now_usec_mono(), end = start + (uint64_t)(secs * 1e6), c0 = cpu_usec();
	unsigned long count = 0;

	do {
		struct cades_report *rep = NULL;
		if (cold)
			cades_cache_flush();
		if (cades_verify(der, n, &o, &rep) < 0 || rep->indication != CADES_TOTAL_PASSED) {
			fprintf(stderr, "bench-verify: cades_verify failed: %s\n",
				rep ? rep->sub_name : "error");
			exit(1);
		}
		cades_report_free(rep);
		count++;
	} while (now_usec_mono() < end);
	return (double)count * 1e6 / (double)MAX(cpu_usec() - c0, (uint64_t)1);
}

static double run_cms(const unsigned char *der, size_t n, X509_STORE *trust, double secs)
{
	uint64_t start = now_usec_mono(), end = start + (uint64_t)(secs * 1e6), c0 = cpu_usec();
	unsigned long count = 0;

	do {
		const unsigned char *p = der;
		CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)n);
		BIO *out = BIO_new(BIO_s_mem());
		if (!cms || !out || CMS_verify(cms, NULL, trust, NULL, out, CMS_BINARY) != 1) {
			ERR_print_errors_fp(stderr);
			exit(1);
		}
		BIO_free(out);
		CMS_ContentInfo_free(cms);
		count++;
	} while (now_usec_mono() < end);
	return (double)count * 1e6 / (double)MAX(cpu_usec() - c0, (uint64_t)1);
}

int main(int argc, char **argv)
{
	static const char *const specs[] = { "ec:P-256", "rsa:2048" };
	static const char text[] = "Bu metni okudum ve onaylıyorum: benchmark";
	double secs = argc > 1 ? atof(argv[1]) : 3.0;
	struct fx_ca root = {}, issuing = {};
	X509_STORE *trust = X509_STORE_new();
	STACK_OF(X509) *chain = sk_X509_new_null();

	if (secs <= 0)
		secs = 3.0;
	if (!trust || !chain || fx_ca_new("Bench Root", NULL, "ec:P-384", 0, 0, &root) < 0 ||
	    fx_ca_new("Bench Issuing", &root, "ec:P-384", 0, 0, &issuing) < 0 ||
	    !X509_STORE_add_cert(trust, root.cert) || !sk_X509_push(chain, issuing.cert)) {
		fprintf(stderr, "bench-verify: could not make the test CA\n");
		return 1;
	}
	for (size_t i = 0; i < ELEMENTSOF(specs); i++) {
		struct fx_holder_opts ho = { .key_spec = specs[i] };
		_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
		_cleanup_(X509_freep) X509 *cert = NULL;
		_cleanup_free_ unsigned char *der = NULL;
		size_t n = 0;
		double full, cold, plain;

		if (fx_holder_new(&issuing, &ho, &cert, &key) < 0 ||
		    cades_sign(key, cert, chain, text, strlen(text), &der, &n) < 0) {
			fprintf(stderr, "bench-verify: could not sign with %s\n", specs[i]);
			return 1;
		}
		full = run_cades(der, n, trust, chain, secs, false);
		if (getenv("VERIFY_WARM_ONLY")) {	/* for a profiler: the warm check alone */
			printf("%s cades_verify %.0f\n", specs[i], full);
			continue;
		}
		cold = run_cades(der, n, trust, chain, secs, true);
		plain = run_cms(der, n, trust, secs);
		printf("%s cades_verify %.0f\n", specs[i], full);
		printf("%s cades_verify_cold %.0f\n", specs[i], cold);
		printf("%s CMS_verify %.0f\n", specs[i], plain);
		fflush(stdout);
	}
	cades_cache_flush();
	sk_X509_free(chain);
	X509_STORE_free(trust);
	fx_ca_done(&root);
	fx_ca_done(&issuing);
	return 0;
}
