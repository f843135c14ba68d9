/* test-caimport.c - the strict index.txt parser of domain/caimport.c:
 * openssl ca's lines as it writes them (valid, revoked with each reason
 * form, held, expired, GeneralizedTime) and the malformed ones it must
 * refuse, with the line number of the first bad line of a file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain/caimport.h"

static int parse(const char *text, struct caimport_record *r, const char **why)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s", text);
	return caimport_parse_line(buf, r, why);
}

static void test_good_lines(void **state)
{
	struct caimport_record r;
	const char *why = NULL;

	assert_int_equal(parse("V\t271201155713Z\t\t1003\tunknown\t/CN=Ki\xc5\x9fi 4/C=TR", &r, &why), 0);
	assert_int_equal(r.status, 'V');
	assert_string_equal(r.serial, "1003");
	assert_int_equal(r.not_after, 1827676633);
	assert_string_equal(r.file, "unknown");
	assert_string_equal(r.subject, "/CN=Ki\xc5\x9fi 4/C=TR");

	assert_int_equal(parse("R\t271201155713Z\t261201155714Z,keyCompromise\t0A1B\t0A1B.pem\t/CN=x",
			       &r, &why), 0);
	assert_int_equal(r.reason, 1);
	assert_false(r.hold);
	assert_int_equal(r.revoked_at, 1796140634);
	assert_string_equal(r.serial, "0a1b");

	assert_int_equal(parse("R\t271201155713Z\t261201155714Z,holdInstruction,holdInstructionNone"
			       "\t00FF\tunknown\t/CN=x", &r, &why), 0);
	assert_true(r.hold);
	assert_int_equal(r.reason, 6);
	assert_string_equal(r.serial, "ff");
	assert_int_equal(parse("R\t271201155713Z\t261201155714Z,certificateHold\t1\tunknown\t/CN=x",
			       &r, &why), 0);
	assert_true(r.hold);
	assert_string_equal(r.serial, "01");
	assert_int_equal(parse("R\t271201155713Z\t261201155714Z,keyTime,20261101000000Z\t2\tunknown"
			       "\t/CN=x", &r, &why), 0);
	assert_int_equal(r.reason, 1);
	assert_int_equal(parse("R\t271201155713Z\t261201155714Z\t3\tunknown\t/CN=x", &r, &why), 0);
	assert_int_equal(r.reason, 0);
	assert_int_equal(parse("E\t210101000000Z\t\t4\tunknown\t/CN=x", &r, &why), 0);
	assert_int_equal(r.status, 'E');
	assert_int_equal(parse("V\t20551231235959Z\t\t5\tunknown\t/CN=x", &r, &why), 0);
	assert_int_equal(r.not_after, 2713910399);
	/* 1950-2049 in UTCTime. */
	assert_int_equal(parse("V\t500101000000Z\t\t6\tunknown\t/CN=x", &r, &why), 0);
	assert_int_equal(r.not_after, -631152000);
}

static void test_bad_lines(void **state)
{
	static const char *const bad[] = {
		"",
		"V\t271201155713Z\t\t1003\tunknown",				/* five fields */
		"V\t271201155713Z\t\t1003\tunknown\t/CN=x\textra",
		"X\t271201155713Z\t\t1003\tunknown\t/CN=x",			/* status */
		"VV\t271201155713Z\t\t1003\tunknown\t/CN=x",
		"V\t2712011557Z\t\t1003\tunknown\t/CN=x",			/* expiry */
		"V\t271301155713Z\t\t1003\tunknown\t/CN=x",
		"V\t271201155713\t\t1003\tunknown\t/CN=x",
		"V\t271201155713Z\t261201155714Z\t1003\tunknown\t/CN=x",	/* revoked, not R */
		"R\t271201155713Z\t\t1003\tunknown\t/CN=x",			/* R, no date */
		"R\t271201155713Z\t261201155714Z,badReason\t1003\tunknown\t/CN=x",
		"R\t271201155713Z\t261201155714Z,removeFromCRL\t1003\tunknown\t/CN=x",
		"R\t271201155713Z\t261201155714Z,holdInstruction\t1003\tunknown\t/CN=x",
		"R\t271201155713Z\t261201155714Z,keyCompromise,x\t1003\tunknown\t/CN=x",
		/* revocation dates no CRL can carry (crl-der.c: revoked_at > 0) */
		"R\t271201155713Z\t600101000000Z,keyCompromise\t1003\tunknown\t/CN=x",
		"R\t271201155713Z\t700101000000Z\t1003\tunknown\t/CN=x",
		"V\t271201155713Z\t\t10G3\tunknown\t/CN=x",			/* serial */
		"V\t271201155713Z\t\t\tunknown\t/CN=x",
		"V\t271201155713Z\t\t0102030405060708090A0B0C0D0E0F101112131415\tunknown\t/CN=x",
		"V\t271201155713Z\t\t1003\t\t/CN=x",				/* file */
		"V\t271201155713Z\t\t1003\t../x.pem\t/CN=x",
		"V\t271201155713Z\t\t1003\tunknown\tCN=x",			/* subject */
		"V\t271201155713Z\t\t1003\tunknown\t/CN=x\r",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct caimport_record r;
		const char *why = NULL;

		if (parse(bad[i], &r, &why) != -EBADMSG)
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(why);
	}
}

static void write_index(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_file(void **state)
{
	char path[] = "/tmp/test-caimport-XXXXXX";
	struct caimport_index idx;
	const char *why;
	size_t line;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	write_index(path, "V\t271201155713Z\t\t1003\tunknown\t/CN=a\n"
			  "R\t271201155713Z\t261201155714Z,superseded\t0FFF\tunknown\t/CN=b\n"
			  "V\t271201155713Z\t\t01\tunknown\t/CN=c\n");
	assert_int_equal(caimport_read_index(path, &idx, &line, &why), 0);
	assert_int_equal(idx.n, 3);
	/* Sorted by serial (as integers). */
	assert_string_equal(idx.rec[0].serial, "01");
	assert_int_equal(idx.rec[0].line, 3);
	assert_string_equal(idx.rec[1].serial, "0fff");
	assert_int_equal(idx.rec[1].reason, 4);
	assert_string_equal(idx.rec[2].serial, "1003");
	caimport_index_done(&idx);

	write_index(path, "V\t271201155713Z\t\t1003\tunknown\t/CN=a\n"
			  "V\t271201155713Z\t\t1004\tunknown\t/CN=b\n"
			  "V\t271201155713Z\t\t1005\tunknown\n");
	assert_int_equal(caimport_read_index(path, &idx, &line, &why), -EBADMSG);
	assert_int_equal(line, 3);

	/* The same serial twice (leading zeros aside): the later line. */
	write_index(path, "V\t271201155713Z\t\t1003\tunknown\t/CN=a\n"
			  "V\t271201155713Z\t\t1004\tunknown\t/CN=b\n"
			  "R\t271201155713Z\t261201155714Z\t001003\tunknown\t/CN=c\n");
	assert_int_equal(caimport_read_index(path, &idx, &line, &why), -EBADMSG);
	assert_int_equal(line, 3);
	assert_string_equal(why, "this serial is on an earlier line too");

	/* A truncated last line. */
	write_index(path, "V\t271201155713Z\t\t1003\tunknown\t/CN=a\nV\t2712");
	assert_int_equal(caimport_read_index(path, &idx, &line, &why), -EBADMSG);
	assert_int_equal(line, 2);

	/* Empty: no records. */
	write_index(path, "");
	assert_int_equal(caimport_read_index(path, &idx, &line, &why), 0);
	assert_int_equal(idx.n, 0);
	caimport_index_done(&idx);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_lines),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
