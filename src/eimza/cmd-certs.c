/* cmd-certs.c - eimza certs and eimza verify: the certificates on the
 * cards, and an offline report for saved signed content. */
#include <stdio.h>
#include <time.h>

#include "common/json.h"
#include "eimza/eimza.h"
#include "pki/cades.h"
#include "pki/key.h"
#include "pki/ossl.h"
#include "pki/p11.h"
#include "pki/profile.h"

int eimza_certs(struct eimza *app, int argc, char **argv)
{
	struct p11_cert_info *certs = NULL;
	struct p11_ctx *p11 = NULL;
	size_t n = 0;
	int r;

	if (argc > 1 && (streq(argv[1], "--help") || streq(argv[1], "-h"))) {
		printf("Usage: eimza [--module PATH] certs\n\n"
		       "Lists the certificates on every card (token) of the PKCS#11 module.\n");
		return EIMZA_EXIT_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "eimza certs: takes no arguments\n");
		return EIMZA_EXIT_USAGE;
	}
	r = p11_open(app->module, &p11);
	if (r < 0) {
		fprintf(stderr, "eimza: kart modülü açılamadı (%s): %s\n", app->module, strerror(-r));
		return EIMZA_EXIT_CARD;
	}
	r = p11_certs_list(p11, &certs, &n);
	if (r < 0) {
		fprintf(stderr, "eimza: kartlar okunamadı: %s\n", strerror(-r));
		p11_close(p11);
		return EIMZA_EXIT_CARD;
	}
	if (n == 0)
		printf("Takılı kartlarda sertifika bulunamadı.\n");
	for (size_t i = 0; i < n; i++) {
		struct pki_holder_info hi;
		char until[21];

		if (X509_check_ca(certs[i].cert) > 0)
			continue;	/* the CA certificate the card carries */
		if (pki_cert_holder_info(certs[i].cert, &hi) < 0) {
			printf("%-12s (bir NES sertifikası değil)\n", certs[i].token_label);
			continue;
		}
		iso8601_utc(hi.not_after, until);
		printf("%-12s %s  T.C. %s  seri %s  son geçerlilik %s%s\n", certs[i].token_label,
		       hi.common_name, hi.tckn, hi.serial_hex, until,
		       hi.not_after < (int64_t)time(NULL) ? "  (SÜRESİ DOLMUŞ)" : "");
	}
	p11_cert_info_free_array(certs, n);
	p11_close(p11);
	return EIMZA_EXIT_OK;
}

/* Reads the signatures of a file written by "eimza sign --save": PEM-style
 * "CMS" blocks, or a single DER signature. */
static int read_signatures(const char *path, unsigned char ***ret, size_t **ret_len, size_t *ret_n)
{
	_cleanup_free_ char *buf = NULL;
	unsigned char **v = NULL;
	size_t *lens = NULL, n = 0, len = 0;
	char *p;
	int r;

	r = read_file(path, 16 * 1024 * 1024, &buf, &len);
	if (r < 0)
		return r;
	if (!strstr(buf, "-----BEGIN CMS-----")) {
		v = calloc(1, sizeof(*v));
		lens = calloc(1, sizeof(*lens));
		if (!v || !lens || !(v[0] = malloc(len ? len : 1))) {
			free(v);
			free(lens);
			return -ENOMEM;
		}
		memcpy(v[0], buf, len);
		lens[0] = len;
		*ret = v;
		*ret_len = lens;
		*ret_n = 1;
		return 0;
	}
	for (p = strstr(buf, "-----BEGIN CMS-----"); p; p = strstr(p, "-----BEGIN CMS-----")) {
		char *end = strstr(p, "-----END CMS-----"), *b64, *o;
		unsigned char **nv;
		size_t *nl;

		if (!end)
			break;
		p += strlen("-----BEGIN CMS-----");
		b64 = strndup(p, (size_t)(end - p));
		if (!b64)
			return -ENOMEM;
		o = b64;
		for (char *q = b64; *q; q++)
			if (*q != '\n' && *q != '\r' && *q != ' ')
				*o++ = *q;
		*o = '\0';
		nv = realloc(v, (n + 1) * sizeof(*v));
		nl = realloc(lens, (n + 1) * sizeof(*lens));
		if (nv)
			v = nv;
		if (nl)
			lens = nl;
		if (!nv || !nl || base64_decode(b64, strlen(b64), &v[n], &lens[n]) < 0) {
			free(b64);
			for (size_t i = 0; i < n; i++)
				free(v[i]);
			free(v);
			free(lens);
			return -EBADMSG;
		}
		free(b64);
		n++;
		p = end;
	}
	*ret = v;
	*ret_len = lens;
	*ret_n = n;
	return n ? 0 : -EBADMSG;
}

int eimza_verify(struct eimza *app, int argc, char **argv)
{
	_cleanup_(X509_STORE_freep) X509_STORE *trust = NULL;
	unsigned char **sigs = NULL;
	size_t *lens = NULL, n = 0;
	const char *file = NULL, *ca = NULL;
	bool json = false;
	int rc = EIMZA_EXIT_OK, r;

	for (int i = 1; i < argc; i++) {
		if (streq(argv[i], "--help") || streq(argv[i], "-h")) {
			printf("Usage: eimza verify [--ca ROOT.crt] [--json] FILE\n\n"
			       "Checks saved signed content offline (no revocation check) and prints a\n"
			       "validation report.  --ca: the trust anchor (the CA's root certificate);\n"
			       "without it the chain is reported as not found.  Exit 0 when every\n"
			       "signature is TOTAL-PASSED, 9 otherwise.\n");
			return EIMZA_EXIT_OK;
		} else if (streq(argv[i], "--ca") && i + 1 < argc)
			ca = argv[++i];
		else if (streq(argv[i], "--json"))
			json = true;
		else if (!file && argv[i][0] != '-')
			file = argv[i];
		else {
			fprintf(stderr, "eimza verify: unexpected '%s'; try 'eimza verify --help'\n", argv[i]);
			return EIMZA_EXIT_USAGE;
		}
	}
	if (!file) {
		fprintf(stderr, "eimza verify: FILE is required\n");
		return EIMZA_EXIT_USAGE;
	}
	trust = X509_STORE_new();
	if (!trust)
		return EIMZA_EXIT_ERROR;
	if (ca) {
		_cleanup_(X509_freep) X509 *root = NULL;
		r = pki_cert_load(ca, &root);
		if (r < 0 || !X509_STORE_add_cert(trust, root)) {
			fprintf(stderr, "eimza verify: cannot read the trust anchor %s\n", ca);
			return EIMZA_EXIT_USAGE;
		}
	}
	r = read_signatures(file, &sigs, &lens, &n);
	if (r < 0) {
		fprintf(stderr, "eimza verify: %s: %s\n", file,
			r == -EBADMSG ? "not a saved signature file" : strerror(-r));
		return EIMZA_EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++) {
		struct cades_verify_opts opts = { .trust = trust, .no_revocation_check = true };
		_cleanup_(cades_report_freep) struct cades_report *rep = NULL;
		_cleanup_free_ char *text = NULL;

		r = cades_verify(sigs[i], lens[i], &opts, &rep);
		if (r < 0) {
			fprintf(stderr, "eimza verify: %s\n", strerror(-r));
			rc = EIMZA_EXIT_ERROR;
			break;
		}
		if (rep->indication != CADES_TOTAL_PASSED)
			rc = EIMZA_EXIT_INVALID;
		if (json) {
			json_t *o = cades_report_to_json(rep);
			char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
			printf("%s\n", s ? s : "{}");
			free(s);
			json_decref(o);
		} else if (cades_report_to_text(rep, &text) == 0)
			printf("== İmza %zu / %zu ==\n%s\n", i + 1, n, text);
	}
	for (size_t i = 0; i < n; i++)
		free(sigs[i]);
	free(sigs);
	free(lens);
	return rc;
}
