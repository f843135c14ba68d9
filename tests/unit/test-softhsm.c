/* test-softhsm.c - the sweep of tokens SoftHSM never finished
 * (domain/softhsm.h), on a real SoftHSM in a scratch token directory.
 *
 * An unfinished token is made the way a production killed between
 * SoftHSM's first two writes of token.object leaves it: the generation and
 * the label, no serial.  Two of them make SoftHSM abort in every process
 * that loads it (checked in a child); the sweep removes them, and one cut
 * short before its serial, and leaves finished tokens, tokens holding
 * objects, and directories that are not tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "domain/softhsm.h"
#include "pki-fixture.h"
#include "pki/p11.h"
#include "softhsm-unfinished.h"

#define MODULE P11_DEFAULT_MODULE

static char dir[64];

static int setup(void **state)
{
	(void)state;
	assert_int_equal(fx_dir_new(dir), 0);
	assert_int_equal(fx_softhsm_setup(dir), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fx_dir_remove(dir);
	return 0;
}

/* An unfinished token (softhsm-unfinished.h) in the scratch directory;
 * extra, when not NULL, names another file made in it. */
static void unfinished_make(const char *uuid, const char *label, const char *extra)
{
	char tokens[128], path[256];
	FILE *f;

	snprintf(tokens, sizeof(tokens), "%s/tokens", dir);
	assert_int_equal(softhsm_unfinished_make(tokens, uuid, label), 0);
	if (extra) {
		snprintf(path, sizeof(path), "%s/%s/%s", tokens, uuid, extra);
		f = fopen(path, "wb");
		assert_non_null(f);
		fputs("not a SoftHSM object", f);
		fclose(f);
	}
}

static bool token_dir_exists(const char *uuid)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/tokens/%s", dir, uuid);
	return access(path, F_OK) == 0;
}

/* Loads SoftHSM in a child and lists its tokens: the exit status, or 128
 * + the signal that ended it. */
static int load_in_child(void)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct p11_ctx *ctx = NULL;
		char **labels = NULL;
		size_t n = 0;

		/* the abort would print SoftHSM's assertion */
		if (!freopen("/dev/null", "w", stderr))
			_exit(3);
		if (p11_open(MODULE, &ctx) < 0 || p11_tokens_list(ctx, &labels, &n) < 0)
			_exit(2);
		p11_strv_free(labels);
		p11_close(ctx);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

static void file_put(const char *uuid, const char *name, const char *text, bool append)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/tokens/%s/%s", dir, uuid, name);
	f = fopen(path, append ? "ab" : "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Lists the unfinished tokens and removes them, as card_issue does. */
static size_t sweep(void)
{
	char **names = NULL, tokens[128];
	size_t n = 0;
	int lock = -1;

	snprintf(tokens, sizeof(tokens), "%s/tokens", dir);
	assert_int_equal(softhsm_lock(&lock), 0);
	assert_int_equal(softhsm_unfinished(&names, &n), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(softhsm_token_remove(tokens, names[i]), 0);
	p11_strv_free(names);
	close(lock);
	return n;
}

#define UUID(n) "0c0ffee0-0000-0000-0000-00000000000" #n

static void test_sweep(void **state)
{
	struct p11_ctx *ctx = NULL;
	char **labels = NULL, path[512], target[256];
	size_t n = 0;

	(void)state;
	/* a finished token, and the two a doubly killed production leaves */
	assert_int_equal(p11_open(MODULE, &ctx), 0);
	assert_int_equal(p11_token_init(ctx, "FINISHED", "1234567890123456", "123456"), 0);
	p11_close(ctx);
	ctx = NULL;
	unfinished_make(UUID(1), "KILLED-1", NULL);
	assert_int_equal(load_in_child(), 0);	/* one: slot 0, still loads */
	unfinished_make(UUID(2), "KILLED-2", NULL);
	assert_int_equal(load_in_child(), 128 + SIGABRT);	/* two: SoftHSM aborts */

	/* removed: one killed after the generation alone was written */
	unfinished_make(UUID(3), "GENERATION-ONLY", NULL);
	snprintf(path, sizeof(path), "%s/tokens/%s/token.object", dir, UUID(3));
	assert_int_equal(truncate(path, 8), 0);
	/* kept: one holding an object; an empty token.object (how a live
	 * token's looks while SoftHSM rewrites it); one cut short; a link to
	 * an unfinished one elsewhere; a directory that is not a token */
	unfinished_make(UUID(4), "HOLDS-ONE", "x.object");
	unfinished_make(UUID(5), "BEING-REWRITTEN", NULL);
	file_put(UUID(5), "token.object", "", false);
	unfinished_make(UUID(6), "CUT-SHORT", NULL);
	file_put(UUID(6), "token.object", "tail", true);
	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	assert_int_equal(softhsm_unfinished_make(dir, "elsewhere", "ELSEWHERE"), 0);
	snprintf(path, sizeof(path), "%s/tokens/%s", dir, UUID(7));
	assert_int_equal(symlink(target, path), 0);
	snprintf(path, sizeof(path), "%s/tokens/not-a-token", dir);
	assert_int_equal(mkdir(path, 0700), 0);

	assert_int_equal(sweep(), 3);
	assert_false(token_dir_exists(UUID(1)));
	assert_false(token_dir_exists(UUID(2)));
	assert_false(token_dir_exists(UUID(3)));
	assert_true(token_dir_exists(UUID(4)));
	assert_true(token_dir_exists(UUID(5)));
	assert_true(token_dir_exists(UUID(6)));
	assert_true(token_dir_exists(UUID(7)));
	assert_true(token_dir_exists("not-a-token"));
	snprintf(path, sizeof(path), "%s/token.object", target);
	assert_int_equal(access(path, F_OK), 0);

	/* SoftHSM loads again, and the finished token is there and works.
	 * (SoftHSM reads the label before a cut as a token of its own, slot 0
	 * like HOLDS-ONE: those two kept are states no kill leaves, dropped
	 * here so as not to be two.) */
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/tokens", dir);
	assert_int_equal(softhsm_token_remove(path, UUID(4)), 0);
	assert_int_equal(softhsm_token_remove(path, UUID(6)), 0);
	assert_int_equal(load_in_child(), 0);
	assert_int_equal(p11_open(MODULE, &ctx), 0);
	assert_int_equal(p11_tokens_list(ctx, &labels, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(labels[0], "FINISHED");
	p11_strv_free(labels);
	p11_close(ctx);

	/* a second sweep finds nothing more */
	assert_int_equal(sweep(), 0);
}

/* The reviewer's race: a finished token without objects, whose
 * token.object SoftHSM truncates and rewrites at every login and PIN
 * change, is never
 * taken for an unfinished one. */
static void test_live_token_never_swept(void **state)
{
	struct p11_ctx *ctx = NULL;
	unsigned sweeps = 0;
	pid_t pid;
	int st;

	(void)state;
	assert_int_equal(p11_open(MODULE, &ctx), 0);
	assert_int_equal(p11_token_init(ctx, "LIVE", "1234567890123456", "123456"), 0);
	p11_close(ctx);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct p11_ctx *c = NULL;

		if (p11_open(MODULE, &c) < 0)
			_exit(2);
		/* each a login and a C_SetPIN: token.object rewritten twice */
		for (int i = 0; i < 1500; i++)
			if (p11_pin_change(c, "LIVE", "123456", "123456") < 0)
				_exit(1);
		p11_close(c);
		_exit(0);
	}
	while (waitpid(pid, &st, WNOHANG) == 0) {
		char **names = NULL;
		size_t n = 1;

		assert_int_equal(softhsm_unfinished(&names, &n), 0);
		p11_strv_free(names);
		if (n != 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			fail_msg("a live token was listed as unfinished after %u looks", sweeps);
		}
		sweeps++;
	}
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_true(sweeps > 10);
}

/* The lock is exclusive across processes, and a killed holder frees it. */
static void test_lock(void **state)
{
	int lock = -1, p[2];
	pid_t pid;
	char c;

	(void)state;
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int l = -1;

		if (softhsm_lock(&l) < 0 || write(p[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	assert_int_equal(read(p[0], &c, 1), 1);	/* the child holds it */
	{
		char path[256];
		int fd;

		snprintf(path, sizeof(path), "%s/tokens/.eonay-production.lock", dir);
		fd = open(path, O_RDWR);
		assert_true(fd >= 0);
		assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), -1);
		assert_int_equal(errno, EWOULDBLOCK);
		close(fd);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_int_equal(softhsm_lock(&lock), 0);
	close(lock);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_token_never_swept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
