/* cmd-certs.c - eimza certs and eimza verify: the certificates on the
 * cards (through libeimza-core), and an offline report for saved signed
 * content. */
#include <stdio.h>
#include <time.h>

#include "common/json.h"
#include "eimza/eimza.h"
#include "pki/cades.h"
#include "pki/key.h"
#include "pki/ossl.h"
#include "eimza/core/cards.h"

int eimza_certs(struct eimza *app, int argc, char **argv)
{
	struct eimza_cards cards = { 0 };
	struct eimza_error err = { 0 };
	size_t shown = 0;

	if (argc > 1 && (streq(argv[1], "--help") || streq(argv[1], "-h"))) {
		printf("Kullanım: eimza [--module YOL] certs\n\n"
		       "Ayarlardaki (ya da --module ile verilen) PKCS#11 modüllerinin bütün\n"
		       "kartlarındaki sertifikaları listeler.  Kart bulunamazsa 6 ile çıkar.\n");
		return EIMZA_EXIT_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "eimza certs: argüman almaz\n");
		return EIMZA_EXIT_USAGE;
	}
	if (eimza_app_config(app, false) < 0)
		return EIMZA_EXIT_USAGE;
	if (eimza_cards_open(&app->cfg, NULL, &cards, &err) < 0) {
		fprintf(stderr, "eimza: %s\n", err.message);
		return EIMZA_EXIT_CARD;
	}
	for (size_t i = 0; i < cards.n_certs; i++) {
		const struct eimza_cert *e = &cards.certs[i];
		char until[32];

		if (!e->holder) {
			printf("%-12s (bir NES sertifikası değil)\n", e->token_label);
			continue;
		}
		eimza_format_time(e->info.not_after, until);
		printf("%-12s %s  T.C. %s  seri %s  son geçerlilik %s%s\n", e->token_label,
		       e->info.common_name, e->info.tckn, e->info.serial_hex, until,
		       e->expired ? "  (SÜRESİ DOLMUŞ)" : "");
		shown++;
	}
	eimza_cards_done(&cards);
	if (shown == 0) {
		fprintf(stderr, "eimza: Takılı kartlarda sertifika bulunamadı.\n");
		return EIMZA_EXIT_CARD;
	}
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
			printf("Kullanım: eimza verify [--ca KÖK.crt] [--json] DOSYA\n\n"
			       "Kaydedilmiş imzalı içeriği çevrim dışı denetler (iptal denetimi yapılmaz)\n"
			       "ve bir doğrulama raporu yazar.  --ca: güven çapası (merkezin kök\n"
			       "sertifikası); verilmezse zincir bulunamadı olarak raporlanır.  Bütün\n"
			       "imzalar TOTAL-PASSED ise 0, değilse 9 ile çıkar.\n");
			return EIMZA_EXIT_OK;
		} else if (streq(argv[i], "--ca") && i + 1 < argc)
			ca = argv[++i];
		else if (streq(argv[i], "--json"))
			json = true;
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
