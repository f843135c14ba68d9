/* cmd-store.c - eonayctl migrate, status, config, audit. */
#include <stdio.h>

#include "ctl/ctl.h"
#include "store/audit.h"

int ctl_migrate(struct ctl *ctl, int argc, char **argv)
{
	int applied = 0, r;

	if (ctl_wants_help(argc, argv)) {
		printf("Usage: eonayctl migrate\n\nApplies the schema migrations the store lacks.\n");
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "eonayctl migrate: takes no arguments\n");
		return 2;
	}
	r = ctl_open_db(ctl);
	if (r < 0)
		return r;
	r = db_migrate(ctl->db, &applied);
	if (r == -EPROTO) {
		fprintf(stderr, "eonayctl migrate: store has a newer schema than this eonayctl knows (%d)\n",
			db_schema_version_known());
		return r;
	}
	if (r < 0) {
		fprintf(stderr, "eonayctl migrate: failed: %s\n", db_errmsg(ctl->db));
		return r;
	}
	printf("applied %d migration(s); schema version %d\n", applied, db_schema_version_known());
	return 0;
}

int ctl_status(struct ctl *ctl, int argc, char **argv)
{
	_cleanup_free_ char *report = NULL;
	int64_t v = 0;
	int r;

	if (ctl_wants_help(argc, argv)) {
		printf("Usage: eonayctl status\n\nShows the store, its schema version and integrity.\n");
		return 0;
	}
	r = ctl_open_store(ctl);
	if (r < 0)
		return r;
	r = db_schema_version(ctl->db, &v);
	if (r < 0)
		return r;
	printf("data directory: %s\nstore: %s\nschema version: %lld (binary knows %d)\n",
	       ctl->cfg.data_dir, config_store_name(&ctl->cfg), (long long)v, db_schema_version_known());
	r = db_integrity_check(ctl->db, &report);
	printf("integrity: %s\n", r == 0 ? "ok" : report ? report : strerror(-r));
	return r < 0 ? 1 : 0;
}

int ctl_config(struct ctl *ctl, int argc, char **argv)
{
	if (ctl_wants_help(argc, argv)) {
		printf("Usage: eonayctl config\n\nPrints the effective settings, secrets masked.\n");
		return 0;
	}
	config_print(&ctl->cfg, stdout);
	return 0;
}

static int audit_list(struct ctl *ctl, int64_t n)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	int r;

	r = db_select(ctl->db, &st, "SELECT id, at, actor, action, subject, outcome, details"
				       " FROM audit_log ORDER BY id DESC LIMIT $1", "i", n);
	if (r < 0)
		return r;
	while ((r = db_step(st)) == 1) {
		char ts[21];
		iso8601_utc(db_col_int64(st, 1), ts);
		printf("%lld %s %s %s %s %s %s\n", (long long)db_col_int64(st, 0), ts,
		       db_col_text(st, 2), db_col_text(st, 3),
		       db_col_text(st, 4) ? db_col_text(st, 4) : "-", db_col_text(st, 5),
		       db_col_text(st, 6) ? db_col_text(st, 6) : "");
	}
	return r;
}

int ctl_audit(struct ctl *ctl, int argc, char **argv)
{
	int64_t rows = 0, bad = 0, n = 20;
	int r;

	if (ctl_wants_help(argc, argv) || argc < 2) {
		printf("Usage: eonayctl audit verify | list [N]\n\n"
		       "verify  checks the hash chain of the whole audit log\n"
		       "list    prints the newest N events (default 20)\n");
		return argc < 2 ? 2 : 0;
	}
	r = ctl_open_store(ctl);
	if (r < 0)
		return r;
	if (streq(argv[1], "verify")) {
		r = audit_verify(ctl->db, &rows, &bad);
		if (r == -EUCLEAN) {
			fprintf(stderr, "audit log BROKEN at event %lld: it was altered or removed\n",
				(long long)bad);
			return 3;
		}
		if (r < 0) {
			fprintf(stderr, "eonayctl audit verify: %s\n", strerror(-r));
			return r;
		}
		printf("audit log intact: %lld events\n", (long long)rows);
		return 0;
	}
	if (streq(argv[1], "list")) {
		if (argc > 2 && parse_int64(argv[2], 1, 1000000, &n) < 0) {
			fprintf(stderr, "eonayctl audit list: N must be a number from 1 to 1000000\n");
			return 2;
		}
		return audit_list(ctl, n);
	}
	fprintf(stderr, "eonayctl audit: unknown subcommand '%s'\n", argv[1]);
	return 2;
}
