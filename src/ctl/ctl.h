/* ctl.h - shared state and the commands of eonayctl. */
#pragma once
#include "common/config.h"
#include "store/db.h"

struct ctl {
	struct config cfg;
	struct db *db;	/* opened by ctl_open_store() */
	/* The store was below AUDIT_KEYED_SCHEMA when opened: its migration
	 * here makes the audit chain keyed, and only then may it be sealed. */
	bool audit_upgrade;
};

struct ctl_command {
	const char *name;
	const char *help;
	/* argv[0] is the command name.  Returns 0, a positive exit code, or
	 * -errno (exit 1).  Errors are printed to stderr by the command. */
	int (*run)(struct ctl *ctl, int argc, char **argv);
};

/* Opens the store, creating the data directory, without migrating; gives
 * the audit module its key (from the master key). */
int ctl_open_db(struct ctl *ctl);
/* Opens the store (creating the data directory) and applies migrations;
 * seals (once) an audit chain written before the audit key existed. */
int ctl_open_store(struct ctl *ctl);
/* db_migrate, noting in ctl->audit_upgrade whether it makes the audit
 * chain keyed. */
int ctl_migrate_store(struct ctl *ctl, int *ret_applied);
/* The seal step of ctl_open_store (audit_seal): a chain that does not
 * verify is left alone with a warning, for 'audit verify' to explain. */
int ctl_audit_seal(struct ctl *ctl);
/* True when argv has --help or -h. */
bool ctl_wants_help(int argc, char **argv);

/* cmd-store.c */
int ctl_migrate(struct ctl *ctl, int argc, char **argv);
int ctl_status(struct ctl *ctl, int argc, char **argv);
int ctl_config(struct ctl *ctl, int argc, char **argv);
int ctl_audit(struct ctl *ctl, int argc, char **argv);

/* cmd-pki.c */
#include <openssl/x509.h>
/* A certificate name as one UTF-8 line ("C = TR, O = ..., CN = ..."). */
char *ctl_name_utf8(const X509_NAME *name);
int ctl_pki(struct ctl *ctl, int argc, char **argv);

/* cmd-cert.c */
int ctl_holder(struct ctl *ctl, int argc, char **argv);
int ctl_cert(struct ctl *ctl, int argc, char **argv);
int ctl_crl(struct ctl *ctl, int argc, char **argv);
/* cmd-ca.c */
int ctl_ca(struct ctl *ctl, int argc, char **argv);

/* cmd-card.c */
struct pki_ca;
struct card_request;
struct card_result;
int ctl_card(struct ctl *ctl, int argc, char **argv);
/* Issues one card, printing the reason of a failure to stderr. */
int ctl_card_issue_one(struct ctl *ctl, struct pki_ca *ca, const char *module,
		       const struct card_request *req, struct card_result *ret);

/* cmd-demo.c */
int ctl_demo(struct ctl *ctl, int argc, char **argv);

/* cmd-eonay.c */
int ctl_eonay(struct ctl *ctl, int argc, char **argv);
/* cmd-application.c */
int ctl_application(struct ctl *ctl, int argc, char **argv);
/* cmd-registry.c, cmd-institution.c */
int ctl_registry(struct ctl *ctl, int argc, char **argv);
int ctl_institution(struct ctl *ctl, int argc, char **argv);
