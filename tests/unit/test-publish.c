/* test-publish.c - the incremental CRL (domain/publish.c): a status change
 * only marks the CRL, the rebuild comes later from a snapshot, coalesced,
 * one builder at a time, numbers strictly increasing, and two nodes
 * changing statuses at the same time lose no change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "store/audit.h"
#include "domain/certs.h"
#include "domain/publish.h"
#include "pki/crl.h"
#include "pki/key.h"
#include "pki/ossl.h"
#include "store-target.h"

static char dir[] = "/tmp/eonay-publish-XXXXXX";
static char target[512];
static struct pki_ca *ca;
static char issuer[CERT_ISSUER_MAX];

static int group_setup(void **state)
{
	struct pki_ca_config cfg;
	unsigned char key[32] = { 1 };
	char d[300];

	if (!mkdtemp(dir))
		return -1;
	snprintf(d, sizeof(d), "%s/ca", dir);
	pki_ca_config_init_defaults(&cfg);
	if (pki_ca_init(&cfg, d, "pass") < 0 || pki_ca_load(d, "pass", &ca) < 0)
		return -1;
	if (crl_issuer_of(ca, issuer) < 0)
		return -1;
	return audit_set_key(key);
}

static int group_teardown(void **state)
{
	char cmd[400];

	pki_ca_free(ca);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int setup(void **state)
{
	static int k;
	char path[300];
	struct db *db;

	snprintf(path, sizeof(path), "%s/t%d.db", dir, k++);
	if (test_store_new(path, NULL, target, sizeof(target)) < 0)
		return -1;
	if (db_open(target, 5000, &db) < 0 || db_migrate(db, NULL) < 0 ||
	    audit_seal(db, true, NULL, NULL) < 0)
		return -1;
	if (holder_put(db, "10000000146", "AHMET", "YILMAZ", NULL, "5551112233") < 0)
		return -1;
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	db_close(*state);
	test_store_drop(target);
	return 0;
}

static void add_active(struct db *db, int i)
{
	static unsigned char der[] = { 0x30, 0x00 };
	struct cert_record c = {
		.tckn = "10000000146", .subject_cn = "AHMET YILMAZ", .der = der,
		.der_len = sizeof(der), .not_before = 1, .not_after = 2, .issued_at = 3,
		.status = CERT_ACTIVE,
	};

	snprintf(c.issuer, sizeof(c.issuer), "%s", issuer);
	snprintf(c.serial, sizeof(c.serial), "%04x", 0x1000 + i);
	snprintf(c.sha256, sizeof(c.sha256), "%064x", i);
	assert_int_equal(cert_add(db, &c), 0);
}

static void serial_of(int i, char ret[8])
{
	snprintf(ret, 8, "%04x", 0x1000 + i);
}

static int64_t current_number(struct db *db)
{
	int64_t num = 0;

	assert_int_equal(crl_current(db, issuer, NULL, NULL, &num, NULL), 0);
	return num;
}

/* Whether the current CRL lists serial i; its entry count in *ret_n. */
static bool crl_lists(struct db *db, int i, int *ret_n)
{
	_cleanup_free_ unsigned char *der = NULL;
	_cleanup_(X509_CRL_freep) X509_CRL *crl = NULL;
	_cleanup_(ASN1_INTEGER_freep) ASN1_INTEGER *want = NULL;
	X509_REVOKED *rev = NULL;
	const unsigned char *p;
	char s[8];
	size_t n = 0;

	assert_int_equal(crl_current(db, issuer, &der, &n, NULL, NULL), 0);
	p = der;
	crl = d2i_X509_CRL(NULL, &p, (long)n);
	assert_non_null(crl);
	assert_int_equal(X509_CRL_verify(crl, X509_get0_pubkey(pki_ca_issuing_cert(ca))), 1);
	if (ret_n)
		*ret_n = sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl));
	serial_of(i, s);
	assert_int_equal(pki_serial_from_hex(s, &want), 0);
	return X509_CRL_get0_by_serial(crl, &rev, want) == 1;
}

/* A hold commits without building a CRL; the CRL lists it after the
 * rebuild; OCSP (the status row) has it at once. */
static void test_hold_only_marks(void **state)
{
	struct db *db = *state;
	enum refusal why = REFUSAL_NONE;
	struct pki_ocsp_status os;
	int64_t num = 0;
	bool pending = true;
	char s[8];
	int n = -1;

	add_active(db, 1);
	add_active(db, 2);
	assert_int_equal(crl_rebuild_if_due(db, ca, 3600, 5, &num), 0);
	assert_int_equal(num, 1);	/* none yet: built at once */
	assert_int_equal(crl_pending(db, issuer, &pending), 0);
	assert_false(pending);

	serial_of(1, s);
	assert_int_equal(cert_hold(db, issuer, s, "operator", &why), 0);
	assert_int_equal(current_number(db), 1);	/* not rebuilt by the hold */
	assert_false(crl_lists(db, 1, NULL));
	assert_int_equal(crl_pending(db, issuer, &pending), 0);
	assert_true(pending);
	assert_int_equal(ocsp_lookup_store(db, issuer, s, &os), 0);
	assert_int_equal(os.status, PKI_OCSP_REVOKED);
	assert_int_equal(os.reason, CERT_REASON_HOLD);

	/* Coalesced: not before min_interval after the previous CRL. */
	assert_int_equal(crl_rebuild_if_due(db, ca, 3600, 3600, &num), 0);
	assert_int_equal(num, 0);
	assert_int_equal(crl_rebuild_if_due(db, ca, 3600, 0, &num), 0);
	assert_int_equal(num, 2);
	assert_true(crl_lists(db, 1, &n));
	assert_int_equal(n, 1);
	assert_int_equal(crl_pending(db, issuer, &pending), 0);
	assert_false(pending);
	/* Nothing changed since: nothing to do. */
	assert_int_equal(crl_rebuild_if_due(db, ca, 3600, 0, &num), 0);
	assert_int_equal(num, 0);

	/* Release and revoke: the next CRL drops one, lists the other. */
	assert_int_equal(cert_release(db, issuer, s, "operator", &why), 0);
	serial_of(2, s);
	assert_int_equal(cert_revoke(db, issuer, s, 1, "operator", &why), 0);
	assert_int_equal(crl_publish(db, ca, 3600, &num), 0);
	assert_int_equal(num, 3);
	assert_false(crl_lists(db, 1, &n));
	assert_true(crl_lists(db, 2, NULL));
	assert_int_equal(n, 1);

	/* Half of the validity gone: rebuilt without a change. */
	assert_int_equal(db_run(db, "UPDATE crl_state SET this_update = this_update - 2000,"
				    " next_update = next_update - 2000", NULL), 1);
	assert_int_equal(crl_rebuild_if_due(db, ca, 3600, 3600, &num), 0);
	assert_int_equal(num, 4);
}

/* Another node holds the lease: this one does not build (and eonayctl's
 * crl_publish waits for it); a lease that ran out is taken over. */
static void test_lease(void **state)
{
	struct db *db = *state;
	enum refusal why = REFUSAL_NONE;
	int64_t num = 0;
	char s[8];

	add_active(db, 1);
	assert_int_equal(crl_publish(db, ca, 3600, &num), 0);
	assert_int_equal(num, 1);
	serial_of(1, s);
	assert_int_equal(cert_hold(db, issuer, s, "operator", &why), 0);
	assert_int_equal(db_run(db, "UPDATE crl_work SET lease_owner = 'other', lease_until = $1",
				"i", now_sec() + 60), 1);
	assert_int_equal(crl_rebuild_if_due(db, ca, 3600, 0, &num), 0);
	assert_int_equal(num, 0);
	assert_int_equal(current_number(db), 1);
	assert_int_equal(db_run(db, "UPDATE crl_work SET lease_until = $1", "i", now_sec() - 1), 1);
	assert_int_equal(crl_rebuild_if_due(db, ca, 3600, 0, &num), 0);
	assert_int_equal(num, 2);
	assert_true(crl_lists(db, 1, NULL));
	/* A holder on this host that died (killed mid-build) is not waited
	 * for: its lease is taken over at once. */
	{
		char owner[128], host[64] = "";
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0)
			_exit(0);
		assert_int_equal(waitpid(pid, NULL, 0), pid);
		assert_int_equal(gethostname(host, sizeof(host) - 1), 0);
		snprintf(owner, sizeof(owner), "%s %ld dead", host, (long)pid);
		assert_int_equal(cert_release(db, issuer, s, "operator", &why), 0);
		assert_int_equal(db_run(db, "UPDATE crl_work SET lease_owner = $1, lease_until = $2",
					"ti", owner, now_sec() + 60), 1);
		assert_int_equal(crl_publish(db, ca, 3600, &num), 0);
		assert_int_equal(num, 3);
		assert_false(crl_lists(db, 1, NULL));
	}
	/* The lease is given back after a build. */
	assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM crl_work WHERE lease_owner IS NULL",
					NULL, &num), 0);
	assert_int_equal(num, 1);
}

/* A CRL over a chunk (1 MiB) is stored in chunks and read back whole; the
 * old CRL's chunks go once the new one is current; a CRL stored before
 * migration 016 (its bytes in crl_state.der) still reads. */
static void test_chunks(void **state)
{
	struct db *db = *state;
	_cleanup_free_ unsigned char *der = NULL;
	int64_t num = 0, k = 0, c1 = 0;
	size_t n = 0;
	int entries = -1;

	/* 40 000 revoked status-only rows: about 1.6 MB of CRL. */
	assert_int_equal(db_run(db, "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c"
				    " WHERE i < 39999) INSERT INTO certificates (issuer, serial,"
				    " subject_cn, not_after, status, reason, revoked_at) SELECT $1,"
				    " 'a' || substr('0000000' || i, -7), 'x', 2, 'revoked', 1, 1000 + i"
				    " FROM c", "t", issuer), 40000);
	assert_int_equal(crl_publish(db, ca, 3600, &num), 0);
	assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM crl_chunks", NULL, &c1), 0);
	assert_true(c1 >= 2);
	assert_true(crl_lists(db, 1, &entries) == false);
	assert_int_equal(entries, 40000);
	assert_int_equal(crl_publish(db, ca, 3600, &num), 0);
	assert_int_equal(num, 2);
	/* only the current build's chunks are left */
	assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM crl_chunks", NULL, &k), 0);
	assert_int_equal(k, c1);
	assert_int_equal(db_query_int64(db, "SELECT COUNT(DISTINCT build) FROM crl_chunks", NULL,
					&k), 0);
	assert_int_equal(k, 1);
	assert_int_equal(crl_current(db, issuer, &der, &n, &num, NULL), 0);
	assert_int_equal(num, 2);
	assert_true(n > 1024 * 1024);

	/* As a store from before 016 has it: the bytes in der, no build. */
	{
		_cleanup_stmt_ struct db_stmt *st = NULL;
		_cleanup_free_ unsigned char *back = NULL;
		size_t m = 0;

		assert_int_equal(db_prepare(db, "UPDATE crl_state SET der = $1, build = NULL", &st), 0);
		assert_int_equal(db_bind_blob(st, 1, der, n), 0);
		assert_int_equal(db_step(st), 0);
		db_stmt_done(TAKE_PTR(st));
		assert_int_equal(crl_current(db, issuer, &back, &m, &num, NULL), 0);
		assert_int_equal(m, n);
		assert_memory_equal(back, der, n);
	}
}

/* Two nodes (two connections, two threads), each changing the statuses of
 * its own certificates and building CRLs as eonayd's thread does, at the
 * same time: every CRL number is published once, each node sees them
 * strictly increase, and the last CRL lists exactly the final statuses. */
#define NODE_CERTS 40
#define ROUNDS 3

struct node {
	int first;
	int64_t numbers[NODE_CERTS * ROUNDS * 2];
	size_t n;
	int failures;
};

static void *node_run(void *arg)
{
	struct node *nd = arg;
	struct db *db = NULL;

	if (db_open(target, 20000, &db) < 0) {
		nd->failures++;
		return NULL;
	}
	for (int round = 0; round < ROUNDS; round++)
		for (int i = 0; i < NODE_CERTS; i++) {
			enum refusal why = REFUSAL_NONE;
			int64_t num = 0;
			char s[8];
			int r;

			serial_of(nd->first + i, s);
			/* hold in even rounds, release in odd ones; the last round
			 * (even) leaves every certificate held */
			r = round % 2 ? cert_release(db, issuer, s, "operator", &why) :
					cert_hold(db, issuer, s, "operator", &why);
			if (r < 0)
				nd->failures++;
			if (i % 4 == 0) {
				r = crl_rebuild_if_due(db, ca, 3600, 0, &num);
				if (r < 0)
					nd->failures++;
				else if (num > 0)
					nd->numbers[nd->n++] = num;
			}
		}
	db_close(db);
	return NULL;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void test_two_nodes_lose_nothing(void **state)
{
	struct db *db = *state;
	static struct node nodes[2] = { { .first = 0 }, { .first = NODE_CERTS } };
	int64_t all[ELEMENTSOF(nodes[0].numbers) * 2], num = 0;
	size_t m = 0;
	bool pending = true;
	pthread_t t[2];
	int n = -1;

	for (int i = 0; i < 2 * NODE_CERTS; i++)
		add_active(db, i);
	assert_int_equal(crl_publish(db, ca, 3600, &num), 0);
	for (int k = 0; k < 2; k++)
		assert_int_equal(pthread_create(&t[k], NULL, node_run, &nodes[k]), 0);
	for (int k = 0; k < 2; k++)
		assert_int_equal(pthread_join(t[k], NULL), 0);
	for (int k = 0; k < 2; k++) {
		assert_int_equal(nodes[k].failures, 0);
		for (size_t i = 0; i < nodes[k].n; i++) {
			if (i > 0)
				assert_true(nodes[k].numbers[i] > nodes[k].numbers[i - 1]);
			all[m++] = nodes[k].numbers[i];
		}
	}
	qsort(all, m, sizeof(*all), cmp64);
	for (size_t i = 1; i < m; i++)
		assert_true(all[i] > all[i - 1]);	/* no number published twice */
	/* The last change of each node may have come after its last build:
	 * one more build, and nothing is pending. */
	assert_int_equal(crl_rebuild_if_due(db, ca, 3600, 0, &num), 0);
	assert_int_equal(crl_pending(db, issuer, &pending), 0);
	assert_false(pending);
	for (int i = 0; i < 2 * NODE_CERTS; i++)
		assert_true(crl_lists(db, i, &n));
	assert_int_equal(n, 2 * NODE_CERTS);
	assert_int_equal(db_query_int64(db, "SELECT changes FROM crl_work", NULL, &num), 0);
	assert_int_equal(num, 2 * NODE_CERTS * ROUNDS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hold_only_marks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lease, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chunks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_nodes_lose_nothing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
