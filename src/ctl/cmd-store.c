/* cmd-store.c - eonayctl migrate, status, config, audit. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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
	r = ctl_migrate_store(ctl, &applied);
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
	return ctl_audit_seal(ctl);
}

int ctl_status(struct ctl *ctl, int argc, char **argv)
{
	_cleanup_free_ char *report = NULL;
	struct stat st = { 0 };
	int64_t v = 0;
	int r;

	if (ctl_wants_help(argc, argv)) {
		printf("Usage: eonayctl status\n\nShows the store, its schema version and integrity.\n");
		return 0;
	}
	/* A status only looks: a missing data directory (or SQLite file) is
	 * reported, never created (ctl_open_db() would make both). */
	if (stat(ctl->cfg.data_dir, &st) < 0) {
		fprintf(stderr, "eonayctl status: no data directory %s: %s\n", ctl->cfg.data_dir,
			strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "eonayctl status: %s is not a directory\n", ctl->cfg.data_dir);
		return 1;
	}
	if (!ctl->cfg.store_url && stat(ctl->cfg.db_path, &st) < 0) {
		fprintf(stderr, "eonayctl status: no store %s: %s ('eonayctl migrate' makes one)\n",
			ctl->cfg.db_path, strerror(errno));
		return 1;
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

static int audit_verify_cmd(struct ctl *ctl, int argc, char **argv)
{
	struct audit_checkpoint cp, *cpp = NULL;
	struct audit_report rep = { 0 };
	int r;

	for (int i = 2; i < argc; i++) {
		if (streq(argv[i], "--checkpoint") && i + 1 < argc && !cpp) {
			if (audit_checkpoint_parse(argv[++i], &cp) < 0) {
				fprintf(stderr, "eonayctl audit verify: a checkpoint is ID:MAC as "
						"'eonayctl audit head' prints it (MAC: 64 hex digits)\n");
				return 2;
			}
			cpp = &cp;
			continue;
		}
		fprintf(stderr, "eonayctl audit verify: unexpected argument '%s'\n", argv[i]);
		return 2;
	}
	r = audit_check(ctl->db, cpp, &rep);
	if (r == -EUCLEAN) {
		switch (rep.fault) {
		case AUDIT_HEAD_MISSING:
		case AUDIT_HEAD_MAC:
			fprintf(stderr, "audit log BROKEN at its head (event %lld): %s\n",
				(long long)rep.head_id, audit_fault_str(rep.fault));
			break;
		case AUDIT_CHECKPOINT_MISSING:
			fprintf(stderr, "audit log BROKEN: checkpoint %lld: %s; the chain ends at "
					"event %lld\n",
				(long long)rep.bad_id, audit_fault_str(rep.fault),
				(long long)rep.rows);
			break;
		case AUDIT_TAIL_MISSING:
			fprintf(stderr, "audit log BROKEN at event %lld: %s; the head names event "
					"%lld\n",
				(long long)rep.bad_id, audit_fault_str(rep.fault),
				(long long)rep.head_id);
			break;
		default:
			fprintf(stderr, "audit log BROKEN at event %lld: %s\n",
				(long long)rep.bad_id, audit_fault_str(rep.fault));
		}
		return 3;
	}
	if (r == -ENOKEY) {
		fprintf(stderr, "eonayctl audit verify: no audit key (master key not loaded)\n");
		return r;
	}
	if (r < 0) {
		fprintf(stderr, "eonayctl audit verify: %s\n", strerror(-r));
		return r;
	}
	printf("audit log intact: %lld events, hashes and MACs valid, head at event %lld\n",
	       (long long)rep.rows, (long long)rep.head_id);
	if (cpp)
		printf("checkpoint %lld matches\n", (long long)cpp->id);
	return 0;
}

static int audit_head_cmd(struct ctl *ctl)
{
	struct audit_checkpoint head;
	int r;

	r = audit_head_get(ctl->db, &head);
	if (r == -EUCLEAN) {
		fprintf(stderr, "audit log BROKEN at its head: %s\n",
			audit_fault_str(AUDIT_HEAD_MAC));
		return 3;
	}
	if (r < 0) {
		fprintf(stderr, "eonayctl audit head: %s\n", strerror(-r));
		return r;
	}
	printf("audit head id=%lld mac=%s\n"
	       "checkpoint: %lld:%s\n",
	       (long long)head.id, head.mac, (long long)head.id, head.mac);
	return 0;
}

int ctl_audit(struct ctl *ctl, int argc, char **argv)
{
	int64_t n = 20;
	int r;

	if (ctl_wants_help(argc, argv) || argc < 2) {
		printf("Usage: eonayctl audit verify [--checkpoint ID:MAC] | head | list [N]\n\n"
		       "verify  checks the whole audit log: ids, hash chain, each event's MAC\n"
		       "        and the head; with --checkpoint, also that the chain still\n"
		       "        contains that head (detects a rollback of the whole store)\n"
		       "head    prints the current head as a checkpoint ID:MAC to keep\n"
		       "        outside the store (eonayd logs it once a minute)\n"
		       "list    prints the newest N events (default 20)\n");
		return argc < 2 ? 2 : 0;
	}
	r = ctl_open_store(ctl);
	if (r < 0)
		return r;
	if (streq(argv[1], "verify"))
		return audit_verify_cmd(ctl, argc, argv);
	if (streq(argv[1], "head") && argc == 2)
		return audit_head_cmd(ctl);
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
