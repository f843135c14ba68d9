/* cmd-cert.c - eonayctl holder / cert / crl: holders, certificate status
 * changes (each publishes a new CRL at once), a certificate's status
 * history, and the CRLs (one per issuing CA). */
#include <openssl/crypto.h>
#include <stdio.h>

#include "domain/authority.h"
#include "domain/password.h"
#include "domain/publish.h"
#include "common/tckn.h"
#include "ctl/ctl.h"
#include "pki/crl.h"
#include "pki/key.h"
#include "pki/ossl.h"
#include "domain/certs.h"

/* holder set-word: the güvenlik sözcüğü for Şifreli Giriş, read from one
 * line of standard input (never an argument: it would be in ps and the
 * shell's history). */
static int holder_set_word(struct ctl *ctl, const char *tckn)
{
	enum refusal why = REFUSAL_NONE;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int r;

	n = getline(&line, &cap, stdin);
	if (n < 0) {
		free(line);
		fprintf(stderr, "eonayctl holder set-word: no word on standard input\n");
		return 2;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	r = password_set(ctl->db, tckn, line, "operator", &why);
	OPENSSL_cleanse(line, cap);
	free(line);
	if (r == -EINVAL) {
		fprintf(stderr, "eonayctl holder set-word: the word must have 8 to 128 bytes\n");
		return 2;
	}
	if (r == -EACCES) {
		fprintf(stderr, "eonayctl holder set-word: %s: %s\n", tckn, refusal_code(why));
		return 1;
	}
	if (r < 0) {
		fprintf(stderr, "eonayctl holder set-word: %s\n", strerror(-r));
		return r;
	}
	printf("security word of %s set\n", tckn);
	return 0;
}

int ctl_holder(struct ctl *ctl, int argc, char **argv)
{
	struct holder h;
	int r;

	if (ctl_wants_help(argc, argv) || argc < 2) {
		printf("Usage: eonayctl holder add TCKN GIVEN_NAME SURNAME [EMAIL [MOBILE]]\n"
		       "       eonayctl holder show TCKN\n"
		       "       eonayctl holder set-word TCKN   (the güvenlik sözcüğü, one line on stdin)\n");
		return argc < 2 ? 2 : 0;
	}
	if (argc >= 3 && tckn_check(argv[2]) != TCKN_OK) {
		fprintf(stderr, "eonayctl holder: %s: %s\n", argv[2], tckn_error_str(tckn_check(argv[2])));
		return 2;
	}
	r = ctl_open_store(ctl);
	if (r < 0)
		return r;
	if (streq(argv[1], "add") && argc >= 5 && argc <= 7) {
		r = holder_put(ctl->db, argv[2], argv[3], argv[4], argc > 5 ? argv[5] : NULL,
			       argc > 6 ? argv[6] : NULL);
		if (r < 0) {
			fprintf(stderr, "eonayctl holder add: %s\n", strerror(-r));
			return r;
		}
		printf("holder %s saved\n", argv[2]);
		return 0;
	}
	if (streq(argv[1], "show") && argc == 3) {
		r = holder_get(ctl->db, argv[2], &h);
		if (r == -ENOENT) {
			fprintf(stderr, "eonayctl holder show: no holder %s\n", argv[2]);
			return 1;
		}
		if (r < 0)
			return r;
		printf("%s %s %s email=%s mobile=%s\n", h.tckn, h.given_name, h.surname,
		       h.email ? h.email : "-", h.mobile ? h.mobile : "-");
		holder_done(&h);
		return 0;
	}
	if (streq(argv[1], "set-word") && argc == 3)
		return holder_set_word(ctl, argv[2]);
	fprintf(stderr, "eonayctl holder: bad arguments; try 'eonayctl holder --help'\n");
	return 2;
}

/* Builds, signs and publishes a new CRL now (eonayctl crl publish). */
static int republish(struct ctl *ctl)
{
	_cleanup_(pki_ca_freep) struct pki_ca *ca = NULL;
	int64_t number = 0;
	int r;

	r = authority_open(&ctl->cfg, &ca);
	if (r < 0) {
		fprintf(stderr, "eonayctl: cannot open the CA to publish the CRL: %s\n", strerror(-r));
		return r;
	}
	r = crl_publish(ctl->db, ca, ctl->cfg.crl_validity, &number);
	if (r < 0) {
		fprintf(stderr, "eonayctl: publishing the CRL failed: %s\n", strerror(-r));
		return r;
	}
	printf("CRL #%lld published\n", (long long)number);
	return 0;
}

static void cert_print(const struct cert_record *c)
{
	char nb[21], na[21];

	iso8601_utc(c->not_before, nb);
	iso8601_utc(c->not_after, na);
	printf("%s %s %-7s %s..%s %s%s%s%s%s issuer=%s\n", c->serial, c->tckn,
	       cert_status_str(c->status), nb, na, c->subject_cn, c->card_serial[0] ? " card=" : "",
	       c->card_serial, c->status == CERT_REVOKED ? " " : "",
	       c->status == CERT_REVOKED ? pki_reason_to_string(c->reason) ?: "" : "", c->issuer);
}

/* Takes "--issuer ID" out of argv (anywhere after the subcommand). */
static const char *take_issuer(int *argc, char **argv)
{
	const char *issuer = NULL;

	for (int i = 2; i + 1 < *argc; i++)
		if (streq(argv[i], "--issuer")) {
			issuer = argv[i + 1];
			memmove(&argv[i], &argv[i + 2], (size_t)(*argc - i - 2) * sizeof(*argv));
			*argc -= 2;
			argv[*argc] = NULL;
			break;
		}
	return issuer;
}

static int cert_history_print(struct ctl *ctl, const char *issuer, const char *serial)
{
	struct cert_event *a = NULL;
	size_t n = 0;
	int r;

	r = cert_history(ctl->db, issuer, serial, &a, &n);
	if (r == -ENOENT) {
		fprintf(stderr, "eonayctl cert history: no certificate %s\n", serial);
		return 1;
	}
	if (r == -ENOTUNIQ) {
		fprintf(stderr, "eonayctl cert history: several issuers issued %s: give --issuer\n",
			serial);
		return 1;
	}
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		char t[21];

		iso8601_utc(a[i].at, t);
		printf("%s %-8s %-7s %s%s%s\n", t, a[i].event, cert_status_str(a[i].status),
		       a[i].actor, a[i].reason >= 0 ? " reason=" : "",
		       a[i].reason >= 0 ? pki_reason_to_string(a[i].reason) ?: "?" : "");
	}
	cert_event_free_array(a, n);
	return 0;
}

int ctl_cert(struct ctl *ctl, int argc, char **argv)
{
	const char *actor = "operator", *issuer;
	enum refusal why = REFUSAL_NONE;
	int reason = 0, r;

	if (ctl_wants_help(argc, argv) || argc < 3) {
		printf("Usage: eonayctl cert list TCKN\n"
		       "       eonayctl cert show SERIAL\n"
		       "       eonayctl cert history SERIAL       (every status change: who, when, why)\n"
		       "       eonayctl cert hold SERIAL          (askıya alma, certificateHold)\n"
		       "       eonayctl cert release SERIAL       (askıdan indirme / kullanıma açma)\n"
		       "       eonayctl cert revoke SERIAL REASON (final; keyCompromise, superseded,\n"
		       "                                           affiliationChanged, cessationOfOperation,\n"
		       "                                           privilegeWithdrawn, unspecified)\n"
		       "A certificate is its issuer and its serial: after a CA rollover two issuers\n"
		       "may have issued the same serial; then add --issuer ID (the issuer= that\n"
		       "'cert list' shows).\n"
		       "OCSP answers change at once; the CRL at its next rebuild (eonayd, within\n"
		       "pki.crl_min_interval seconds; or 'eonayctl crl publish').\n");
		return argc < 3 ? 2 : 0;
	}
	issuer = take_issuer(&argc, argv);
	if (argc < 3) {
		fprintf(stderr, "eonayctl cert: bad arguments; try 'eonayctl cert --help'\n");
		return 2;
	}
	r = ctl_open_store(ctl);
	if (r < 0)
		return r;
	if (streq(argv[1], "list")) {
		struct cert_record *a = NULL;
		size_t n = 0;

		r = cert_list_by_tckn(ctl->db, argv[2], &a, &n);
		if (r < 0)
			return r;
		for (size_t i = 0; i < n; i++)
			cert_print(&a[i]);
		cert_record_free_array(a, n);
		return 0;
	}
	if (streq(argv[1], "show")) {
		struct cert_record c;

		r = cert_get(ctl->db, issuer, argv[2], &c);
		if (r == -ENOENT) {
			fprintf(stderr, "eonayctl cert: no certificate %s\n", argv[2]);
			return 1;
		}
		if (r == -ENOTUNIQ) {
			fprintf(stderr, "eonayctl cert: several issuers issued %s: give --issuer\n",
				argv[2]);
			return 1;
		}
		if (r < 0)
			return r;
		cert_print(&c);
		cert_record_done(&c);
		return 0;
	}
	if (streq(argv[1], "history"))
		return cert_history_print(ctl, issuer, argv[2]);
	if (streq(argv[1], "hold"))
		r = cert_hold(ctl->db, issuer, argv[2], actor, &why);
	else if (streq(argv[1], "release"))
		r = cert_release(ctl->db, issuer, argv[2], actor, &why);
	else if (streq(argv[1], "revoke")) {
		if (argc < 4 || pki_reason_from_string(argv[3], &reason) < 0 ||
		    !cert_revoke_reason_ok(reason)) {
			fprintf(stderr, "eonayctl cert revoke: give a reason: keyCompromise, superseded, "
					"affiliationChanged, cessationOfOperation, privilegeWithdrawn or "
					"unspecified\n");
			return 2;
		}
		r = cert_revoke(ctl->db, issuer, argv[2], reason, actor, &why);
	} else {
		fprintf(stderr, "eonayctl cert: unknown subcommand '%s'\n", argv[1]);
		return 2;
	}
	if (r == -ENOTUNIQ) {
		fprintf(stderr, "eonayctl cert %s: several issuers issued %s: give --issuer\n",
			argv[1], argv[2]);
		return 1;
	}
	if (r == -EACCES && why == REFUSAL_CERT_UNKNOWN) {
		fprintf(stderr, "eonayctl cert %s: no certificate %s\n", argv[1], argv[2]);
		return 1;
	}
	if (r == -EACCES) {
		fprintf(stderr, "eonayctl cert %s: not allowed in the certificate's current status"
				" (%s)\n", argv[1], refusal_code(why));
		return 1;
	}
	if (r < 0) {
		fprintf(stderr, "eonayctl cert %s: %s\n", argv[1], strerror(-r));
		return r;
	}
	/* OCSP shows it now; the CRL is rebuilt outside this command (eonayd,
	 * within pki.crl_min_interval seconds, or 'eonayctl crl publish'). */
	printf("certificate %s: %s done (OCSP now; the CRL at its next rebuild)\n", argv[2],
	       argv[1]);
	return 0;
}

int ctl_crl(struct ctl *ctl, int argc, char **argv)
{
	_cleanup_free_ unsigned char *der = NULL;
	int64_t number = 0, next = 0;
	size_t n = 0;
	int r;

	const char *issuer = NULL, *der_file = NULL, *ca_file = NULL;
	char ca_issuer[PKI_KEY_ID_HEX_MAX];

	if (ctl_wants_help(argc, argv) || argc < 2) {
		printf("Usage: eonayctl crl publish | show [--issuer ID | --ca CA.pem] [--der FILE]\n\n"
		       "publish  builds and signs a new CRL of the issuing CA from the store\n"
		       "show     prints a CRL's number and nextUpdate (the one published last, or\n"
		       "         that of the issuer named by its key identifier or certificate);\n"
		       "         --der FILE writes it\n");
		return argc < 2 ? 2 : 0;
	}
	for (int i = 2; i + 1 < argc; i += 2) {
		if (streq(argv[i], "--issuer"))
			issuer = argv[i + 1];
		else if (streq(argv[i], "--der"))
			der_file = argv[i + 1];
		else if (streq(argv[i], "--ca"))
			ca_file = argv[i + 1];
		else {
			fprintf(stderr, "eonayctl crl: unknown option '%s'\n", argv[i]);
			return 2;
		}
	}
	if (argc % 2) {
		fprintf(stderr, "eonayctl crl: bad arguments; try 'eonayctl crl --help'\n");
		return 2;
	}
	if (ca_file) {
		_cleanup_(X509_freep) X509 *x = NULL;

		r = pki_cert_load(ca_file, &x);
		if (r == 0)
			r = pki_cert_key_id_hex(x, ca_issuer);
		if (r < 0) {
			fprintf(stderr, "eonayctl crl: %s: %s\n", ca_file, strerror(-r));
			return 1;
		}
		issuer = ca_issuer;
	}
	r = ctl_open_store(ctl);
	if (r < 0)
		return r;
	if (streq(argv[1], "publish"))
		return republish(ctl);
	if (streq(argv[1], "show")) {
		char t[21];

		r = crl_current(ctl->db, issuer, &der, &n, &number, &next);
		if (r == -ENOENT) {
			fprintf(stderr, "eonayctl crl: none published yet\n");
			return 1;
		}
		if (r < 0)
			return r;
		iso8601_utc(next, t);
		printf("CRL #%lld, %zu bytes, nextUpdate %s\n", (long long)number, n, t);
		if (der_file)
			return write_file_atomic(der_file, der, n, 0644);
		return 0;
	}
	fprintf(stderr, "eonayctl crl: unknown subcommand '%s'\n", argv[1]);
	return 2;
}
