/* cmd-eonay.c - eonayctl eonay: a holder's E-Onay status and history, for
 * the operator who must know whether an application may go without a
 * wet-signed form. */
#include <jansson.h>
#include <stdio.h>

#include "domain/eonay.h"
#include "common/tckn.h"
#include "ctl/ctl.h"

int ctl_eonay(struct ctl *ctl, int argc, char **argv)
{
	struct eonay_status es;
	json_t *hist = NULL, *e;
	char since[21];
	size_t i;
	int r;

	if (ctl_wants_help(argc, argv) || argc != 3 || !streq(argv[1], "status")) {
		printf("Usage: eonayctl eonay status TCKN\n\n"
		       "Shows whether the holder's E-Onay is active, since when, and its history\n"
		       "(give/cancel, text version, the accepted signature's SHA-256).\n");
		return ctl_wants_help(argc, argv) ? 0 : 2;
	}
	if (tckn_check(argv[2]) != TCKN_OK) {
		fprintf(stderr, "eonayctl eonay: %s: %s\n", argv[2], tckn_error_str(tckn_check(argv[2])));
		return 2;
	}
	r = ctl_open_store(ctl);
	if (r < 0)
		return r;
	r = eonay_status_get(ctl->db, argv[2], &es);
	if (r >= 0)
		r = eonay_history(ctl->db, argv[2], &hist);
	if (r < 0) {
		fprintf(stderr, "eonayctl eonay: %s\n", strerror(-r));
		return r;
	}
	iso8601_utc(es.since, since);
	printf("E-Onay %s: %s%s%s\n", argv[2], es.active ? "ACTIVE" : "not active",
	       es.since ? " since " : "", es.since ? since : "");
	json_array_foreach(hist, i, e) {
		char at[21];

		iso8601_utc(json_integer_value(json_object_get(e, "at")), at);
		printf("  %s %-6s text v%lld  signature %s\n", at,
		       json_string_value(json_object_get(e, "action")),
		       (long long)json_integer_value(json_object_get(e, "text_version")),
		       json_string_value(json_object_get(e, "signature_sha256")));
	}
	json_decref(hist);
	return 0;
}
