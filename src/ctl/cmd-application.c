/* cmd-application.c - eonayctl application: the back office of the
 * certificate applications (SPEC F7): the queue, and the operator's moves
 * of the state machine in domain/applications.c (paper-received, approve,
 * reject, produce, ship, deliver, cancel), the scheduler's release-due,
 * and `add` for tests.  The operator is the Unix user unless --operator
 * names one; every move is in the application's history and the audit. */
#include <getopt.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

#include "common/tckn.h"
#include "config-build.h"
#include "ctl/ctl.h"
#include "domain/appform.h"
#include "domain/applications.h"
#include "domain/authority.h"
#include "domain/institutions.h"
#include "domain/publish.h"

static json_t *app_json(const struct application *a)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:I,s:I,s:o?}",
			 "id", a->id, "tckn", a->tckn, "state", application_state_str(a->state),
			 "state_label", application_state_label(a->state), "kind",
			 application_kind_str(a->kind), "institution", a->institution, "method",
			 application_method_str(a->method), "card",
			 a->card_serial[0] ? a->card_serial : NULL, "certificate",
			 a->cert_serial[0] ? a->cert_serial : NULL, "courier", a->courier,
			 "tracking", a->tracking, "reject_reason", a->reject_reason, "info_channel",
			 a->info_channel[0] ? a->info_channel : NULL, "created_at",
			 (json_int_t)a->created_at, "updated_at", (json_int_t)a->updated_at,
			 "release_at", a->release_at ? json_integer(a->release_at) : NULL);
}

static int print_json(json_t *o)
{
	char *s = o ? json_dumps(o, JSON_INDENT(2)) : NULL;

	json_decref(o);
	if (!s)
		return -ENOMEM;
	printf("%s\n", s);
	free(s);
	return 0;
}

static int list(struct ctl *ctl, const struct application_filter *f, bool as_json)
{
	struct application *a = NULL;
	json_t *arr = NULL;
	size_t n = 0;
	int r;

	r = application_list(ctl->db, f, &a, &n);
	if (r < 0) {
		fprintf(stderr, "eonayctl application list: %s\n", strerror(-r));
		return r;
	}
	if (as_json)
		arr = json_array();
	for (size_t i = 0; i < n; i++) {
		char at[21];

		if (arr) {
			json_array_append_new(arr, app_json(&a[i]));
			continue;
		}
		iso8601_utc(a[i].created_at, at);
		printf("%s %s %-8s %-8s %-14s %-6s %s\n", a[i].id, a[i].tckn,
		       a[i].institution[0] ? a[i].institution : "-", application_kind_str(a[i].kind),
		       application_state_str(a[i].state),
		       a[i].method ? application_method_str(a[i].method) : "-", at);
	}
	application_free_array(a, n);
	return arr ? print_json(arr) : 0;
}

/* A full id, or a unique prefix of at least 8 hex digits (the Başvuru No
 * the applicant sees). */
static int resolve_id(struct ctl *ctl, const char *cmd, const char *arg, char ret[33])
{
	struct application *a = NULL;
	size_t n = 0, hits = 0, len = strlen(arg);
	int r;

	if (len < 8 || len > 32) {
		fprintf(stderr, "eonayctl application %s: '%s' is not an application id\n", cmd, arg);
		return 2;
	}
	r = application_list(ctl->db, NULL, &a, &n);
	if (r < 0) {
		fprintf(stderr, "eonayctl application %s: %s\n", cmd, strerror(-r));
		return r;
	}
	for (size_t i = 0; i < n; i++)
		if (strncasecmp(a[i].id, arg, len) == 0) {
			snprintf(ret, 33, "%s", a[i].id);
			hits++;
		}
	application_free_array(a, n);
	if (hits == 1)
		return 0;
	fprintf(stderr, "eonayctl application %s: %s application %s\n", cmd,
		hits ? "more than one" : "no", arg);
	return hits ? 2 : 3;
}

/* "received" or "received or awaiting_paper": where event may start. */
static void sources(enum application_event e, char *buf, size_t size)
{
	unsigned m = application_event_sources(e);
	size_t k = 0;

	buf[0] = '\0';
	for (int s = 0; s < _APP_STATE_MAX; s++)
		if (m & (1u << s))
			k += (size_t)snprintf(buf + k, k < size ? size - k : 0, "%s%s",
					      k ? " or " : "", application_state_str(s));
}

static const char *operator_default(void)
{
	struct passwd *pw = getpwuid(geteuid());

	return pw && pw->pw_name ? pw->pw_name : "operator";
}

static int explain(const char *cmd, const char *id, enum application_event ev,
		   const struct application_outcome *out, enum refusal why)
{
	char want[160];

	switch (why) {
	case REFUSAL_NOT_FOUND:
		fprintf(stderr, "eonayctl application %s: no application %s\n", cmd, id);
		return 3;
	case REFUSAL_APPLICATION_STATE:
		sources(ev == APP_EV_APPROVE ? APP_EV_APPROVE : ev, want, sizeof(want));
		fprintf(stderr, "eonayctl application %s: application %s is %s; %s needs %s\n", cmd, id,
			application_state_str(out->from), cmd, want);
		return 4;
	case REFUSAL_APPLICATION_ACTOR:
		fprintf(stderr, "eonayctl application %s: an operator may not do this (it is the "
			"applicant's or the scheduler's step)\n", cmd);
		return 4;
	default:
		fprintf(stderr, "eonayctl application %s: refused: %s\n", cmd, refusal_code(why));
		return 4;
	}
}

static const struct {
	const char *cmd;
	enum application_event event;
} moves[] = {
	{ "paper-received", APP_EV_PAPER_RECEIVED },
	{ "approve", APP_EV_APPROVE },
	{ "reject", APP_EV_REJECT },
	{ "produce", APP_EV_PRODUCE },
	{ "ship", APP_EV_SHIP },
	{ "deliver", APP_EV_DELIVER },
	{ "cancel", APP_EV_CANCEL },
};

static int publish_crl(struct ctl *ctl)
{
	_cleanup_(pki_ca_freep) struct pki_ca *ca = NULL;
	int r = authority_open(&ctl->cfg, &ca);

	if (r == 0)
		r = crl_publish(ctl->db, ca, ctl->cfg.crl_validity, NULL);
	if (r < 0)
		fprintf(stderr, "eonayctl application: the certificates were revoked but the CRL "
			"was not published: %s (eonayctl crl publish)\n", strerror(-r));
	return r;
}

static int move(struct ctl *ctl, const char *cmd, enum application_event ev, int argc, char **argv)
{
	enum { OPT_OPERATOR = 256, OPT_REASON, OPT_COURIER, OPT_TRACKING, OPT_JSON, OPT_MODULE };
	static const struct option options[] = {
		{ "operator", required_argument, NULL, OPT_OPERATOR },
		{ "reason", required_argument, NULL, OPT_REASON },
		{ "courier", required_argument, NULL, OPT_COURIER },
		{ "tracking", required_argument, NULL, OPT_TRACKING },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "module", required_argument, NULL, OPT_MODULE },
		{}
	};
	struct application_step step = { .operator = operator_default() };
	struct application_outcome out = { 0 };
	struct card_result card = { 0 };
	struct application a;
	enum refusal why = REFUSAL_NONE;
	const char *module = EONAY_SOFTHSM_MODULE;
	bool as_json = false;
	char id[33];
	int c, r;

	/* argv[1] (the subcommand) as getopt's program name; optind 0 also
	 * resets GNU getopt's state from the command line's first parse. */
	optind = 0;
	while ((c = getopt_long(argc - 1, argv + 1, "", options, NULL)) >= 0) {
		switch (c) {
		case OPT_OPERATOR: step.operator = optarg; break;
		case OPT_REASON: step.reason = optarg; break;
		case OPT_COURIER: step.courier = optarg; break;
		case OPT_TRACKING: step.tracking = optarg; break;
		case OPT_JSON: as_json = true; break;
		case OPT_MODULE: module = optarg; break;
		default: return 2;
		}
	}
	if (optind != argc - 2) {
		fprintf(stderr, "eonayctl application %s: one application id expected\n", cmd);
		return 2;
	}
	if (ev == APP_EV_REJECT && !(step.reason && *step.reason)) {
		fprintf(stderr, "eonayctl application reject: --reason TEXT is required\n");
		return 2;
	}
	if (ev == APP_EV_SHIP && !(step.courier && *step.courier && step.tracking && *step.tracking)) {
		fprintf(stderr, "eonayctl application ship: --courier NAME and --tracking NO are required\n");
		return 2;
	}
	r = ctl_open_store(ctl);
	if (r < 0)
		return r;
	r = resolve_id(ctl, cmd, argv[1 + optind], id);
	if (r != 0)
		return r;
	step.now = application_now(&ctl->cfg);
	if (ev == APP_EV_PRODUCE) {
		_cleanup_(pki_ca_freep) struct pki_ca *ca = NULL;
		_cleanup_free_ char *detail = NULL;

		r = authority_open(&ctl->cfg, &ca);
		if (r < 0) {
			fprintf(stderr, "eonayctl application produce: cannot open the CA: %s\n",
				r == -ENOENT ? "none yet (eonayctl pki init)" : strerror(-r));
			return r;
		}
		r = application_get(ctl->db, id, &a);
		if (r == 0) {
			out.from = a.state;
			application_done(&a);
		}
		r = application_produce(ctl->db, ca, &ctl->cfg, module, id, &step, &card, &detail, &why);
		if (r == -EACCES && why == REFUSAL_CERT_PROFILE) {
			fprintf(stderr, "eonayctl application produce: the certificate was refused: %s\n",
				detail ? detail : "profile check failed");
			return 4;
		}
		if (r < 0 && r != -EACCES && r != -EINVAL && detail) {
			fprintf(stderr, "eonayctl application produce: failed: %s (%s)\n",
				strerror(-r), detail);
			return r;
		}
		out.to = APP_PRODUCED;
	} else
		r = application_fire(ctl->db, id, ev, APP_BY_OPERATOR, &step, &out, &why);
	if (r == -EACCES)
		return explain(cmd, id, ev, &out, why);
	if (r == -EINVAL) {
		fprintf(stderr, "eonayctl application %s: bad --operator (1..64 printable characters, "
			"no quotes), --reason / --courier / --tracking with control characters or "
			"too long, or missing option\n", cmd);
		return 2;
	}
	if (r < 0) {
		fprintf(stderr, "eonayctl application %s: failed: %s\n", cmd, strerror(-r));
		return r;
	}
	if (out.revoked)
		publish_crl(ctl);
	r = application_get(ctl->db, id, &a);
	if (r < 0)
		return r;
	if (as_json) {
		json_t *o = app_json(&a);

		if (o && ev == APP_EV_PRODUCE)
			json_object_set_new(o, "user_pin", json_string(card.user_pin));
		if (o && out.revoked)
			json_object_set_new(o, "revoked", json_integer((json_int_t)out.revoked));
		r = print_json(o);
	} else {
		printf("%s: %s -> %s", a.id, application_state_str(out.from),
		       application_state_str(a.state));
		if (a.state == APP_WAITING_WINDOW) {
			char at[21];

			iso8601_utc(a.release_at, at);
			printf(" (renewal window opens %s)", at);
		}
		if (out.revoked)
			printf(" (%zu certificate(s) revoked, keyCompromise)", out.revoked);
		if (ev == APP_EV_PRODUCE)
			printf(" (card %s, certificate %s on hold, initial PIN %s)", a.card_serial,
			       a.cert_serial, card.user_pin);
		printf("\n");
	}
	OPENSSL_cleanse(&card, sizeof(card));
	application_done(&a);
	return r;
}

/* One line "  Label: value" of the form, for the operator's terminal: a
 * control character (C0, DEL, C1) is written '?', further lines indented. */
static void form_line(const char *name, const char *label, const char *section, void *ud)
{
	const char *v = json_string_value(json_object_get(ud, name));

	if (!v)
		return;
	printf("    %s: ", label);
	for (const unsigned char *p = (const unsigned char *)appform_value_label(name, v); *p; p++)
		if (*p == '\n')
			fputs("\n      ", stdout);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			putchar('?');
			p++;
		} else
			putchar(*p < 0x20 || *p == 0x7f ? '?' : *p);
	putchar('\n');
}

static int show(struct ctl *ctl, int argc, char **argv)
{
	struct application_history_row *h = NULL;
	struct application a;
	bool as_json = argc > 3 && streq(argv[3], "--json");
	json_t *o, *arr, *form = NULL;
	size_t n = 0;
	char id[33];
	int r;

	if (argc < 3) {
		fprintf(stderr, "eonayctl application show: an application id expected\n");
		return 2;
	}
	r = ctl_open_store(ctl);
	if (r == 0)
		r = resolve_id(ctl, "show", argv[2], id);
	if (r != 0)
		return r;
	r = application_get(ctl->db, id, &a);
	if (r == 0)
		r = application_history(ctl->db, id, &h, &n);
	if (r < 0) {
		fprintf(stderr, "eonayctl application show: %s\n", strerror(-r));
		return r;
	}
	o = app_json(&a);
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:I,s:s?,s:s,s:s,s:s,s:s?,s:I}", "seq",
						     (json_int_t)h[i].seq, "from",
						     h[i].from[0] ? h[i].from : NULL, "to", h[i].to,
						     "event", h[i].event, "operator", h[i].operator,
						     "reason", h[i].reason, "at", (json_int_t)h[i].at));
	json_object_set_new(o, "history", arr);
	/* what the operator decides on: the form as confirmed (never the
	 * güvenlik sözcüğü, which is not in it), its contact */
	form = a.form_json ? json_loads(a.form_json, 0, NULL) : NULL;
	if (json_is_object(form))
		json_object_set(o, "form", form);
	json_object_set_new(o, "email", a.email ? json_string(a.email) : json_null());
	json_object_set_new(o, "mobile", a.mobile ? json_string(a.mobile) : json_null());
	if (!as_json) {
		printf("%s %s %s %s %s %s\n", a.id, a.tckn, application_kind_str(a.kind),
		       application_state_str(a.state), a.institution,
		       a.method ? application_method_str(a.method) : "-");
		if (json_is_object(form)) {
			printf("  form:\n");
			appform_foreach(form_line, form);
		}
		for (size_t i = 0; i < n; i++) {
			char at[21];

			iso8601_utc(h[i].at, at);
			printf("  %s %-14s -> %-14s %-15s by %s%s%s\n", at,
			       h[i].from[0] ? h[i].from : "-", h[i].to, h[i].event, h[i].operator,
			       h[i].reason ? ": " : "", h[i].reason ? h[i].reason : "");
		}
		json_decref(o);
	} else
		r = print_json(o);
	json_decref(form);
	application_history_free_array(h, n);
	application_done(&a);
	return r;
}

static int states(void)
{
	size_t n;
	const struct application_transition *t = application_transitions(&n);

	for (size_t i = 0; i < n; i++)
		printf("%-14s --%-15s--> %-14s %s%s%s%s\n", application_state_str(t[i].from),
		       application_event_str(t[i].event), application_state_str(t[i].to),
		       t[i].who & APP_BY_PORTAL ? "portal " : "",
		       t[i].who & APP_BY_OPERATOR ? "operator " : "",
		       t[i].who & APP_BY_SCHEDULER ? "scheduler " : "",
		       t[i].notify ? "(notified)" : "");
	return 0;
}

static int release_due(struct ctl *ctl, int argc, char **argv)
{
	int64_t now;
	size_t n = 0, m = 0;
	int r;

	r = ctl_open_store(ctl);
	if (r < 0)
		return r;
	now = application_now(&ctl->cfg);
	if (argc == 4 && streq(argv[2], "--now")) {
		if (parse_int64(argv[3], 0, INT64_MAX / 2, &now) < 0) {
			fprintf(stderr, "eonayctl application release-due: --now takes unix seconds\n");
			return 2;
		}
	} else if (argc != 2) {
		fprintf(stderr, "eonayctl application release-due: bad arguments\n");
		return 2;
	}
	r = application_release_due(ctl->db, now, &n);
	if (r == 0)
		r = application_expire_unfinished(ctl->db, now, &m);
	if (r < 0) {
		fprintf(stderr, "eonayctl application release-due: %s\n", strerror(-r));
		return r;
	}
	printf("%zu application(s) released\n", n);
	if (m)
		printf("%zu unfinished application(s) cancelled\n", m);
	return 0;
}

static int usage(int ret)
{
	printf("Usage: eonayctl application list [--json] [--state S] [--institution C] [TCKN]\n"
	       "       eonayctl application show ID [--json]\n"
	       "       eonayctl application paper-received|approve|deliver|cancel ID\n"
	       "       eonayctl application reject ID --reason TEXT\n"
	       "       eonayctl application produce ID [--module PATH]\n"
	       "       eonayctl application ship ID --courier NAME --tracking NO\n"
	       "       eonayctl application release-due [--now UNIXTIME]\n"
	       "       eonayctl application states\n"
	       "       eonayctl application add TCKN KIND [STATE]\n\n"
	       "Each move takes --operator NAME (default: the Unix user) and --json.\n"
	       "ID: the id or a unique prefix of 8+ hex digits (the Başvuru No).\n"
	       "KIND: new, renewal, lost, other (Yeni, Yenileme, Kayıp Çalıntı, Diğer).\n"
	       "A refused move exits 4 and says why; an unknown application exits 3.\n");
	return ret;
}

static int list_cmd(struct ctl *ctl, int argc, char **argv)
{
	struct application_filter f = { .state = -1 };
	bool as_json = false;
	int r;

	for (int i = 2; i < argc; i++) {
		if (streq(argv[i], "--json"))
			as_json = true;
		else if (streq(argv[i], "--state") && i + 1 < argc) {
			enum application_state s;

			if (application_state_parse(argv[++i], &s) < 0) {
				fprintf(stderr, "eonayctl application list: unknown state '%s'\n", argv[i]);
				return 2;
			}
			f.state = (int)s;
		} else if (streq(argv[i], "--institution") && i + 1 < argc)
			f.institution = argv[++i];
		else if (!f.tckn && tckn_check(argv[i]) == TCKN_OK)
			f.tckn = argv[i];
		else {
			fprintf(stderr, "eonayctl application list: bad argument '%s'\n", argv[i]);
			return 2;
		}
	}
	r = ctl_open_store(ctl);
	return r < 0 ? r : list(ctl, &f, as_json);
}

int ctl_application(struct ctl *ctl, int argc, char **argv)
{
	char id[33];
	int r;

	if (argc < 2 || streq(argv[1], "--help") || streq(argv[1], "-h"))
		return usage(argc < 2 ? 2 : 0);
	if (ctl_wants_help(argc, argv))
		return usage(0);
	if (streq(argv[1], "list"))
		return list_cmd(ctl, argc, argv);
	if (streq(argv[1], "show"))
		return show(ctl, argc, argv);
	if (streq(argv[1], "states"))
		return states();
	if (streq(argv[1], "release-due"))
		return release_due(ctl, argc, argv);
	for (size_t i = 0; i < ELEMENTSOF(moves); i++)
		if (streq(argv[1], moves[i].cmd))
			return move(ctl, moves[i].cmd, moves[i].event, argc, argv);
	if (streq(argv[1], "add") && (argc == 4 || argc == 5)) {
		if (tckn_check(argv[2]) != TCKN_OK) {
			fprintf(stderr, "eonayctl application add: %s: %s\n", argv[2],
				tckn_error_str(tckn_check(argv[2])));
			return 2;
		}
		r = ctl_open_store(ctl);
		if (r < 0)
			return r;
		r = application_add(ctl->db, argv[2], argv[3], argc == 5 ? argv[4] : "received", id);
		if (r == -EINVAL) {
			fprintf(stderr, "eonayctl application add: unknown kind or state\n");
			return 2;
		}
		if (r < 0) {
			fprintf(stderr, "eonayctl application add: %s\n", strerror(-r));
			return r;
		}
		printf("%s\n", id);
		return 0;
	}
	fprintf(stderr, "eonayctl application: bad arguments; try 'eonayctl application --help'\n");
	return 2;
}
