/* server.h - the eonayd process: configuration, HTTP daemon, store access. */
#pragma once
#include "common/config.h"
#include "common/netaddr.h"
#include "store/db.h"

struct MHD_Daemon;
struct pki_ocsp_cache;

struct server {
	struct config *cfg;
	struct MHD_Daemon *daemon;
	unsigned char session_key[32];	/* HMAC key for CSRF tokens */
	unsigned char code_key[32];	/* HMAC key for codes and app tokens */
	struct cidr_list trusted_proxies;	/* server.trusted_proxies, parsed */
	struct pki_ca *ca;		/* the CA: OCSP, CRLs, trust anchors of signature
					 * checks; NULL before 'eonayctl pki init' */
	bool https;			/* base_url is https: Secure cookies, HSTS */
	struct pki_ocsp_cache *ocsp_cache;	/* pre-signed OCSP answers (pki.ocsp_cache) */
};

/* The calling thread's own connection to the store, opened on first use.
 * Connections are closed by server_db_close_all() after the HTTP threads
 * have stopped. */
int server_db(struct server *srv, struct db **ret);
void server_db_close_all(void);

/* Tells whoever waits on key (a signing session id) that it changed: the
 * waiters of this node at once (waiters_wake) and, on PostgreSQL, those of
 * every other node (db_notify on db, which wake.c's thread on each node
 * hears).  Call it after the change committed; inside a transaction the
 * other nodes hear it at commit.  A failed notify is logged: the waits'
 * timeout covers it. */
void server_wake(struct server *srv, struct db *db, const char *key);

/* Loads DATA/keys/NAME (n random bytes, created 0600 on first use). */
int server_key_load(const char *data_dir, const char *name, unsigned char *ret, size_t n);
