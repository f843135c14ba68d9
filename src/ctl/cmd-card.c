/* cmd-card.c - eonayctl card issue: produce a holder's card (back office,
 * SPEC F7): a token, a key generated on it, a certificate issued on hold;
 * card pending / card check: productions that stopped, and whether a
 * card's kept SO PIN opens its token. */
#include <getopt.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdio.h>

#include "domain/authority.h"
#include "domain/cards.h"
#include "common/tckn.h"
#include "config-build.h"
#include "ctl/ctl.h"

int ctl_card_issue_one(struct ctl *ctl, struct pki_ca *ca, const char *module,
		       const struct card_request *req, struct card_result *ret)
{
	_cleanup_free_ char *reason = NULL;
	enum refusal why = REFUSAL_NONE;
	int r;

	r = card_issue(ctl->db, ca, &ctl->cfg, module, req, ret, &reason, &why);
	if (r == -EACCES && why == REFUSAL_HOLDER_UNKNOWN)
		fprintf(stderr, "eonayctl card issue: no holder %s (eonayctl holder add)\n", req->tckn);
	else if (r == -EEXIST || (r == -EACCES && why == REFUSAL_CARD_EXISTS))
		fprintf(stderr, "eonayctl card issue: a card labelled %s exists already\n",
			req->label ? req->label : "(generated)");
	else if (r == -EACCES && why == REFUSAL_CERT_PROFILE)
		fprintf(stderr, "eonayctl card issue: the certificate was refused: %s\n",
			reason ? reason : "profile check failed");
	else if (r == -ENOTRECOVERABLE)
		fprintf(stderr, "eonayctl card issue: the token labelled %s was left half-initialised"
				" and does not take the SO PIN kept for it: use another card (label)\n",
			req->label ? req->label : "(generated)");
	else if (r == -EACCES)
		fprintf(stderr, "eonayctl card issue: the token refused the PIN\n");
	else if (r < 0)
		fprintf(stderr, "eonayctl card issue: failed: %s%s%s%s\n", strerror(-r),
			reason ? " (" : "", reason ? reason : "", reason ? ")" : "");
	return r;
}

static int print_intent(const char *label, const char *tckn, int64_t created_at, void *userdata)
{
	char ts[21];

	iso8601_utc(created_at, ts);
	printf("%s\t%s\t%s\n", label, tckn, ts);
	(*(unsigned *)userdata)++;
	return 0;
}

/* card pending: productions that stopped half-way; card check LABEL: the
 * sealed SO PIN opens the token. */
static int card_other(struct ctl *ctl, int argc, char **argv)
{
	const char *module = EONAY_SOFTHSM_MODULE;
	unsigned n = 0;
	int r;

	if (argc >= 4 && streq(argv[2], "--module")) {
		module = argv[3];
		argv += 2;
		argc -= 2;
	}
	r = ctl_open_store(ctl);
	if (r < 0)
		return r;
	if (streq(argv[1], "pending")) {
		r = card_intents_list(ctl->db, print_intent, &n);
		if (r < 0)
			fprintf(stderr, "eonayctl card pending: %s\n", strerror(-r));
		else if (n > 0)
			fprintf(stderr, "%u card(s) whose production stopped: run 'eonayctl card issue"
					" --tckn TCKN --label LABEL' again for each\n", n);
		return r;
	}
	if (argc != 3) {
		fprintf(stderr, "eonayctl card check: LABEL expected\n");
		return 2;
	}
	r = card_check_so_pin(ctl->db, &ctl->cfg, module, argv[2]);
	if (r == 0)
		printf("%s: the SO PIN kept for it opens the token\n", argv[2]);
	else
		fprintf(stderr, "eonayctl card check: %s: %s\n", argv[2],
			r == -EACCES ? "the SO PIN kept for it does NOT open the token" :
			r == -ENOENT ? "no such card or token" : strerror(-r));
	return r == -EACCES ? 3 : r;
}

int ctl_card(struct ctl *ctl, int argc, char **argv)
{
	enum { OPT_TCKN = 256, OPT_LABEL, OPT_PIN, OPT_KEY, OPT_DAYS, OPT_ACTIVE, OPT_MODULE };
	static const struct option options[] = {
		{ "tckn", required_argument, NULL, OPT_TCKN },
		{ "label", required_argument, NULL, OPT_LABEL },
		{ "pin", required_argument, NULL, OPT_PIN },
		{ "key", required_argument, NULL, OPT_KEY },
		{ "days", required_argument, NULL, OPT_DAYS },
		{ "active", no_argument, NULL, OPT_ACTIVE },
		{ "module", required_argument, NULL, OPT_MODULE },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	_cleanup_(pki_ca_freep) struct pki_ca *ca = NULL;
	struct card_request req = { 0 };
	struct card_result res;
	const char *module = EONAY_SOFTHSM_MODULE, *conf = NULL;
	int64_t days = 0;
	int c, r;

	if (argc >= 2 && (streq(argv[1], "pending") || streq(argv[1], "check")) &&
	    !ctl_wants_help(argc, argv))
		return card_other(ctl, argc, argv);
	if (argc < 2 || !streq(argv[1], "issue")) {
		printf("Usage: eonayctl card issue --tckn TCKN [--label SERIAL] [--pin PIN]\n"
		       "                         [--key rsa:2048|rsa:3072|ec:P-256] [--days N]\n"
		       "                         [--active] [--module PATH]\n"
		       "       eonayctl card pending\n"
		       "       eonayctl card check [--module PATH] LABEL\n\n"
		       "issue: produces a card: a PKCS#11 token (SoftHSM by default, configured in\n"
		       "DATA/softhsm2.conf unless SOFTHSM2_CONF is set) with random user and SO\n"
		       "PINs (or --pin), a key pair generated on the token, and a qualified\n"
		       "certificate issued ON HOLD (--active releases it at once).  Prints JSON.\n"
		       "A production that stopped half-way (killed, crashed) is listed by\n"
		       "'pending'; 'issue' with the same label and holder wipes that token with\n"
		       "the SO PIN kept for it and produces the card again.\n"
		       "check: whether the SO PIN kept for the card opens its token.\n");
		return argc < 2 ? 2 : (ctl_wants_help(argc, argv) ? 0 : 2);
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
		switch (c) {
		case OPT_TCKN: req.tckn = optarg; break;
		case OPT_LABEL: req.label = optarg; break;
		case OPT_PIN: req.user_pin = optarg; break;
		case OPT_KEY: req.key_spec = optarg; break;
		case OPT_ACTIVE: req.active = true; break;
		case OPT_MODULE: module = optarg; break;
		case OPT_DAYS:
			if (parse_int64(optarg, 1, 3650, &days) < 0) {
				fprintf(stderr, "eonayctl card issue: --days must be 1..3650\n");
				return 2;
			}
			req.days = days;
			break;
		case 'h':
			return ctl_card(ctl, 1, argv);
		default:
			return 2;
		}
	}
	if (!req.tckn || tckn_check(req.tckn) != TCKN_OK) {
		fprintf(stderr, "eonayctl card issue: --tckn: %s\n",
			req.tckn ? tckn_error_str(tckn_check(req.tckn)) : "required");
		return 2;
	}
	if (req.label && (strlen(req.label) == 0 || strlen(req.label) > 32)) {
		fprintf(stderr, "eonayctl card issue: --label must have 1 to 32 characters\n");
		return 2;
	}
	if (req.user_pin && (strlen(req.user_pin) < 4 || strlen(req.user_pin) > 15)) {
		fprintf(stderr, "eonayctl card issue: --pin must have 4 to 15 characters\n");
		return 2;
	}
	r = ctl_open_store(ctl);
	if (r < 0)
		return r;
	r = authority_open(&ctl->cfg, &ca);
	if (r < 0) {
		fprintf(stderr, "eonayctl card issue: cannot open the CA: %s\n",
			r == -ENOENT ? "none yet (eonayctl pki init)" : strerror(-r));
		return r;
	}
	r = ctl_card_issue_one(ctl, ca, module, &req, &res);
	if (r < 0)
		return r;
	softhsm_env(&ctl->cfg, &conf);
	{
		json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "card", res.label, "tckn", req.tckn,
				      "user_pin", res.user_pin, "certificate", res.cert_serial,
				      "status", res.status, "softhsm2_conf", conf ? conf : "");
		char *s = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(o);
	}
	OPENSSL_cleanse(&res, sizeof(res));
	return 0;
}
