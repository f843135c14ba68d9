/* main.c - eonayctl: the back office command line.
 *
 * A command table maps "eonayctl [GLOBAL OPTIONS] COMMAND [ARGS]" to one
 * function per command.  Every command works on the data directory given by
 * --data (or $EONAY_DATA) with the same settings eonayd would use. */
#include <getopt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <sys/stat.h>

#include "common/log.h"
#include "domain/cards.h"
#include "config-build.h"
#include "ctl/ctl.h"
#include "store/audit.h"

static const struct ctl_command commands[] = {
	{ "migrate", "apply the schema migrations to the store", ctl_migrate },
	{ "status", "show the store's schema version and health", ctl_status },
	{ "config", "print the effective settings (secrets masked)", ctl_config },
	{ "pki", "the CA hierarchy: 'pki init', 'pki show', 'pki arl'", ctl_pki },
	{ "holder", "certificate holders: 'holder add', 'holder show', 'holder set-word'", ctl_holder },
	{ "cert", "certificates: list, show, hold, release, revoke", ctl_cert },
	{ "crl", "the CRL: 'crl publish', 'crl show'", ctl_crl },
	{ "ca", "adopt a CA kept by openssl ca: 'ca import --cert --key --index'", ctl_ca },
	{ "card", "card production: 'card issue --tckn T ...'", ctl_card },
	{ "eonay", "a holder's E-Onay: 'eonay status TCKN'", ctl_eonay },
	{ "application", "certificate applications: list, show, approve, reject, produce, ship, "
	  "deliver, ...", ctl_application },
	{ "registry", "the population registry: 'registry import FILE.csv', 'registry show TCKN'",
	  ctl_registry },
	{ "institution", "institutions: 'institution add|list', 'institution staff-import CODE FILE'",
	  ctl_institution },
	{ "demo", "create (idempotently) the demo world and print its summary as JSON", ctl_demo },
	{ "audit", "audit log: 'audit verify' checks the chain, 'audit head', 'audit list [N]'",
	  ctl_audit },
};

static void help(void)
{
	printf("Usage: eonayctl [--data DIR] [--config FILE] [--set S.K=V] COMMAND [ARGS]\n"
	       "\n"
	       "The eonay back office: PKI, registry, applications, production, audit.\n"
	       "\n"
	       "Commands:\n");
	for (size_t i = 0; i < ELEMENTSOF(commands); i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].help);
	printf("\nOptions:\n"
	       "  --data DIR             data directory (default $EONAY_DATA or ./eonay-data)\n"
	       "  --config FILE          settings file (default DATA/eonay.conf when present)\n"
	       "  --set SECTION.KEY=VAL  override one setting (repeatable)\n"
	       "  -h, --help             show this help ('eonayctl COMMAND --help' for a command)\n"
	       "  --version              show the version\n");
}

/* The audit key is derived from the master key, which is not in the store. */
static int load_audit_key(struct ctl *ctl)
{
	unsigned char master[32];
	int r;

	r = master_key_load(&ctl->cfg, master);
	if (r >= 0)
		r = audit_set_key(master);
	OPENSSL_cleanse(master, sizeof(master));
	if (r < 0)
		fprintf(stderr, "eonayctl: cannot load the master key (%s): %s\n",
			ctl->cfg.master_key ? "security.master_key" : ctl->cfg.master_key_file,
			strerror(-r));
	return r;
}

int ctl_audit_seal(struct ctl *ctl)
{
	struct audit_report rep = { 0 };
	int64_t n = 0;
	int r;

	r = audit_seal(ctl->db, ctl->audit_upgrade, &n, &rep);
	if (r == -EUCLEAN) {
		/* Not fatal here: 'audit verify' must still be able to say why. */
		log_warn("audit log does not verify (event %lld: %s): not sealing it",
			 (long long)rep.bad_id, audit_fault_str(rep.fault));
		return 0;
	}
	if (r < 0) {
		fprintf(stderr, "eonayctl: sealing the audit log failed: %s\n", strerror(-r));
		return r;
	}
	if (n > 0)
		log_warn("audit log: sealed %lld events written before the audit key existed "
			 "(one-time upgrade)", (long long)n);
	return 0;
}

int ctl_open_db(struct ctl *ctl)
{
	int r;

	if (ctl->db)
		return 0;
	r = datadir_prepare(ctl->cfg.data_dir);
	if (r < 0) {
		fprintf(stderr, "eonayctl: cannot create %s: %s\n", ctl->cfg.data_dir, strerror(-r));
		return r;
	}
	if (r > 0)
		fprintf(stderr, "eonayctl: %s was open to group or others; now 0700\n",
			ctl->cfg.data_dir);
	r = load_audit_key(ctl);
	if (r < 0)
		return r;
	r = db_open(config_store_target(&ctl->cfg), ctl->cfg.busy_timeout_ms, &ctl->db);
	if (r < 0)
		fprintf(stderr, "eonayctl: cannot open store %s: %s\n", config_store_name(&ctl->cfg),
			strerror(-r));
	return r;
}

int ctl_migrate_store(struct ctl *ctl, int *ret_applied)
{
	int64_t before = 0;
	int r;

	r = db_schema_version(ctl->db, &before);
	if (r < 0)
		return r;
	r = db_migrate(ctl->db, ret_applied);
	if (r >= 0 && before < AUDIT_KEYED_SCHEMA)
		ctl->audit_upgrade = true;
	return r;
}

int ctl_open_store(struct ctl *ctl)
{
	int r;

	if (ctl->db)
		return 0;
	r = ctl_open_db(ctl);
	if (r < 0)
		return r;
	r = ctl_migrate_store(ctl, NULL);
	if (r == -EPROTO)
		fprintf(stderr, "eonayctl: store %s has a newer schema than this eonayctl knows (%d)\n",
			config_store_name(&ctl->cfg), db_schema_version_known());
	else if (r < 0)
		fprintf(stderr, "eonayctl: migrating %s failed: %s\n", config_store_name(&ctl->cfg),
			db_errmsg(ctl->db));
	return r < 0 ? r : ctl_audit_seal(ctl);
}

bool ctl_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (streq(argv[i], "--help") || streq(argv[i], "-h"))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	enum { OPT_DATA = 256, OPT_CONFIG, OPT_SET, OPT_VERSION };
	static const struct option options[] = {
		{ "data", required_argument, NULL, OPT_DATA },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "set", required_argument, NULL, OPT_SET },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{}
	};
	_cleanup_free_ char *err = NULL;
	_cleanup_free_ char **sets = NULL;
	const char *data = NULL, *file = NULL;
	struct ctl ctl = { 0 };
	size_t n_sets = 0;
	int c, r;

	/* What eonayctl or a library in it (SQLite, SoftHSM) creates is the
	 * service's own: files 0600, directories 0700 (docs/SECURITY.md). */
	umask(077);
	sets = calloc((size_t)argc + 1, sizeof(char *));
	if (!sets)
		return 1;
	/* "+": stop at the command; its own options follow it. */
	while ((c = getopt_long(argc, argv, "+h", options, NULL)) >= 0) {
		switch (c) {
		case OPT_DATA:
			data = optarg;
			break;
		case OPT_CONFIG:
			file = optarg;
			break;
		case OPT_SET:
			sets[n_sets++] = optarg;
			break;
		case 'h':
			help();
			return 0;
		case OPT_VERSION:
			printf("eonayctl %s\n", EONAY_VERSION);
			return 0;
		default:
			fprintf(stderr, "eonayctl: try 'eonayctl --help'\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "eonayctl: no command given; try 'eonayctl --help'\n");
		return 2;
	}
	for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
		if (!streq(commands[i].name, argv[optind]))
			continue;
		r = config_load_all(&ctl.cfg, data, file, sets, n_sets, &err);
		if (r < 0) {
			fprintf(stderr, "eonayctl: invalid settings: %s\n", err ? err : strerror(-r));
			config_done(&ctl.cfg);
			return 1;
		}
		log_set_level(LOG_WARN);
		optind++;
		r = commands[i].run(&ctl, argc - optind + 1, argv + optind - 1);
		db_close(ctl.db);
		audit_clear_key();
		config_done(&ctl.cfg);
		return r < 0 ? 1 : r;
	}
	fprintf(stderr, "eonayctl: unknown command '%s'; try 'eonayctl --help'\n", argv[optind]);
	return 2;
}
