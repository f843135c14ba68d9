/* cmd-verify.c - eimza verify: an offline validation report for saved
 * signed content (eimza sign --save, or one DER CMS), in the terms of
 * ETSI EN 319 102-1 (verify-report.c): text for people, --json one
 * object per signature, --xml one ETSI TS 119 102-2 ValidationReport. */
#include <stdio.h>

#include "common/util.h"
#include "eimza/eimza.h"
#include "eimza/core/verify-report.h"
#include "pki/cades.h"
#include "pki/key.h"
#include "pki/ossl.h"

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

enum verify_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_XML };

static void signatures_free(unsigned char **sigs, size_t *lens, size_t n)
{
	for (size_t i = 0; sigs && i < n; i++)
		free(sigs[i]);
	free(sigs);
	free(lens);
}

static void reports_free(struct vr_report **reps, size_t n)
{
	for (size_t i = 0; reps && i < n; i++)
		vr_free(reps[i]);
	free(reps);
}

/* Checks and reports every signature; the exit code. */
static int verify_all(X509_STORE *trust, unsigned char **sigs, size_t *lens, size_t n,
		      enum verify_format format)
{
	struct vr_report **reps = calloc(n, sizeof(*reps));
	int64_t now = now_sec();
	int rc = EIMZA_EXIT_OK, r = 0;

	if (!reps)
		return EIMZA_EXIT_ERROR;
	for (size_t i = 0; i < n; i++) {
		struct cades_verify_opts opts = { .trust = trust, .now = now,
						  .no_revocation_check = true };
		_cleanup_(cades_report_freep) struct cades_report *rep = NULL;

		r = cades_verify(sigs[i], lens[i], &opts, &rep);
		if (r >= 0)
			r = vr_build(sigs[i], lens[i], rep, trust, now, &reps[i]);
		if (r < 0) {
			fprintf(stderr, "eimza verify: %s\n", strerror(-r));
			reports_free(reps, n);
			return EIMZA_EXIT_ERROR;
		}
		if (reps[i]->main != VR_TOTAL_PASSED)
			rc = EIMZA_EXIT_INVALID;
	}
	for (size_t i = 0; i < n && format != FORMAT_XML && r >= 0; i++) {
		_cleanup_free_ char *text = NULL;

		if (format == FORMAT_JSON) {
			json_t *o = vr_to_json(reps[i]);

			text = o ? json_dumps(o, JSON_COMPACT) : NULL;
			json_decref(o);
			r = text ? 0 : -ENOMEM;
			if (text)
				printf("%s\n", text);
		} else {
			r = vr_to_text(reps[i], &text);
			if (r == 0)
				printf("== İmza %zu / %zu ==\n%s\n", i + 1, n, text);
		}
	}
	if (format == FORMAT_XML) {
		_cleanup_free_ char *xml = NULL;
		size_t len = 0;

		r = vr_to_xml(reps, n, &xml, &len);
		if (r == 0)
			fwrite(xml, 1, len, stdout);
	}
	reports_free(reps, n);
	if (r < 0) {
		fprintf(stderr, "eimza verify: %s\n", strerror(-r));
		return EIMZA_EXIT_ERROR;
	}
	return rc;
}

int eimza_verify(struct eimza *app, int argc, char **argv)
{
	_cleanup_(X509_STORE_freep) X509_STORE *trust = NULL;
	unsigned char **sigs = NULL;
	size_t *lens = NULL, n = 0;
	const char *file = NULL, *ca = NULL;
	enum verify_format format = FORMAT_TEXT;
	int rc, r;

	for (int i = 1; i < argc; i++) {
		if (streq(argv[i], "--help") || streq(argv[i], "-h")) {
			printf("Kullanım: eimza verify [--ca KÖK.crt] [--json | --xml] DOSYA\n\n"
			       "Kaydedilmiş imzalı içeriği çevrim dışı denetler (iptal denetimi yapılmaz)\n"
			       "ve ETSI EN 319 102-1 terimleriyle bir doğrulama raporu yazar: sonuç\n"
			       "(TOTAL-PASSED, TOTAL-FAILED, INDETERMINATE), alt sonuç ve ayrıntı.\n"
			       "--ca: güven çapası (merkezin kök sertifikası); verilmezse zincir\n"
			       "bulunamadı olarak raporlanır.  --json: imza başına bir JSON satırı;\n"
			       "--xml: ETSI TS 119 102-2 doğrulama raporu.  Bütün imzalar\n"
			       "TOTAL-PASSED ise 0, değilse 9 ile çıkar.\n");
			return EIMZA_EXIT_OK;
		} else if (streq(argv[i], "--ca") && i + 1 < argc)
			ca = argv[++i];
		else if (streq(argv[i], "--json") && format != FORMAT_XML)
			format = FORMAT_JSON;
		else if (streq(argv[i], "--xml") && format != FORMAT_JSON)
			format = FORMAT_XML;
		else if (!file && argv[i][0] != '-')
			file = argv[i];
		else {
			fprintf(stderr, "eimza verify: beklenmeyen '%s'; 'eimza verify --help' ile kullanımı görebilirsiniz.\n", argv[i]);
			return EIMZA_EXIT_USAGE;
		}
	}
	if (!file) {
		fprintf(stderr, "eimza verify: DOSYA gerekli\n");
		return EIMZA_EXIT_USAGE;
	}
	trust = X509_STORE_new();
	if (!trust)
		return EIMZA_EXIT_ERROR;
	if (ca) {
		_cleanup_(X509_freep) X509 *root = NULL;
		r = pki_cert_load(ca, &root);
		if (r < 0 || !X509_STORE_add_cert(trust, root)) {
			fprintf(stderr, "eimza verify: güven çapası %s okunamadı\n", ca);
			return EIMZA_EXIT_USAGE;
		}
	}
	r = read_signatures(file, &sigs, &lens, &n);
	if (r < 0) {
		fprintf(stderr, "eimza verify: %s: %s\n", file,
			r == -EBADMSG ? "kaydedilmiş bir imza dosyası değil" : strerror(-r));
		return EIMZA_EXIT_USAGE;
	}
	rc = verify_all(trust, sigs, lens, n, format);
	signatures_free(sigs, lens, n);
	return rc;
}
