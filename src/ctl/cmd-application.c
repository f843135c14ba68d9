/* cmd-application.c - eonayctl application: certificate applications as
 * the holder sees them in Başvuru Durum Sorgulama.  Until the application
 * portal (SPEC F6) records them, the back office adds them here; the
 * queue's own commands (approve, produce, ship, ...) come with it. */
#include <jansson.h>
#include <stdio.h>

#include "common/tckn.h"
#include "ctl/ctl.h"
#include "domain/applications.h"

static int list(struct ctl *ctl, const char *tckn, bool as_json)
{
	struct application *a = NULL;
	json_t *arr = NULL;
	size_t n = 0;
	int r;

	struct application_filter f = { .tckn = tckn, .state = -1 };

	r = application_list(ctl->db, &f, &a, &n);
	if (r < 0) {
		fprintf(stderr, "eonayctl application list: %s\n", strerror(-r));
		return r;
	}
	if (as_json)
		arr = json_array();
	for (size_t i = 0; i < n; i++) {
		char at[21];

		if (arr) {
			json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:I,s:I}", "id", a[i].id,
							     "tckn", a[i].tckn, "kind", application_kind_str(a[i].kind),
							     "state", application_state_str(a[i].state), "created_at",
							     (json_int_t)a[i].created_at, "updated_at",
							     (json_int_t)a[i].updated_at));
			continue;
		}
		iso8601_utc(a[i].created_at, at);
		printf("%s %s %-8s %-9s %s\n", a[i].id, a[i].tckn, application_kind_str(a[i].kind),
		       application_state_str(a[i].state), at);
	}
	application_free_array(a, n);
	if (arr) {
		char *s = json_dumps(arr, JSON_INDENT(2));

		json_decref(arr);
		if (!s)
			return -ENOMEM;
		printf("%s\n", s);
		free(s);
	}
	return 0;
}

int ctl_application(struct ctl *ctl, int argc, char **argv)
{
	bool as_json = false;
	const char *tckn = NULL;
	char id[33];
	int r;

	if (ctl_wants_help(argc, argv) || argc < 2) {
		printf("Usage: eonayctl application list [--json] [TCKN]\n"
		       "       eonayctl application add TCKN KIND [STATE]\n\n"
		       "KIND: new, renewal, lost, other (Yeni, Yenileme, Kayıp Çalıntı, Diğer).\n"
		       "STATE: received (default), waiting, approved, rejected, produced, shipped,\n"
		       "delivered.  The holder sees them in Başvuru Durum Sorgulama.\n");
		return argc < 2 ? 2 : 0;
	}
	if (streq(argv[1], "list")) {
		for (int i = 2; i < argc; i++) {
			if (streq(argv[i], "--json"))
				as_json = true;
			else if (!tckn && tckn_check(argv[i]) == TCKN_OK)
				tckn = argv[i];
			else {
				fprintf(stderr, "eonayctl application list: bad argument '%s'\n", argv[i]);
				return 2;
			}
		}
		r = ctl_open_store(ctl);
		return r < 0 ? r : list(ctl, tckn, as_json);
	}
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
