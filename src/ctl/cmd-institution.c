/* cmd-institution.c - eonayctl institution: institutions whose staff apply
 * through /basvuru/<code>, and their staff lists (domain/institutions.c). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>

#include "ctl/ctl.h"
#include "domain/institutions.h"

static int add(struct ctl *ctl, int argc, char **argv)
{
	enum { OPT_CODE = 256, OPT_NAME, OPT_ADDRESS };
	static const struct option options[] = {
		{ "code", required_argument, NULL, OPT_CODE },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "address", required_argument, NULL, OPT_ADDRESS },
		{}
	};
	const char *code = NULL, *name = NULL, *address = NULL;
	int c, r;

	/* argv[1] (the subcommand) as getopt's program name; optind 0 also
	 * resets GNU getopt's state from the command line's first parse. */
	optind = 0;
	while ((c = getopt_long(argc - 1, argv + 1, "", options, NULL)) >= 0) {
		switch (c) {
		case OPT_CODE: code = optarg; break;
		case OPT_NAME: name = optarg; break;
		case OPT_ADDRESS: address = optarg; break;
		default: return 2;
		}
	}
	if (optind != argc - 1 || !institution_code_ok(code) || !name || !*name) {
		fprintf(stderr, "eonayctl institution add: --code (1..32 of a-z 0-9 _ -) and --name "
			"are required\n");
		return 2;
	}
	r = ctl_open_store(ctl);
	if (r == 0)
		r = institution_set(ctl->db, code, name, address);
	if (r < 0) {
		fprintf(stderr, "eonayctl institution add: %s\n", strerror(-r));
		return r;
	}
	printf("%s\n", code);
	return 0;
}

static int list(struct ctl *ctl, bool as_json)
{
	struct institution *a = NULL;
	json_t *arr = json_array();
	size_t n = 0;
	int r;

	r = ctl_open_store(ctl);
	if (r == 0)
		r = institution_list(ctl->db, &a, &n);
	if (r < 0) {
		json_decref(arr);
		fprintf(stderr, "eonayctl institution list: %s\n", strerror(-r));
		return r;
	}
	for (size_t i = 0; i < n; i++) {
		if (as_json)
			json_array_append_new(arr, json_pack("{s:s,s:s,s:s?}", "code", a[i].code, "name",
							     a[i].name, "address", a[i].address));
		else
			printf("%-12s %s%s%s\n", a[i].code, a[i].name, a[i].address ? " — " : "",
			       a[i].address ? a[i].address : "");
	}
	institution_free_array(a, n);
	if (as_json) {
		char *s = json_dumps(arr, JSON_INDENT(2));

		if (!s) {
			json_decref(arr);
			return -ENOMEM;
		}
		printf("%s\n", s);
		free(s);
	}
	json_decref(arr);
	return 0;
}

static int staff_import_cmd(struct ctl *ctl, const char *code, const char *path)
{
	_cleanup_free_ char *errors = NULL;
	size_t n = 0;
	FILE *f;
	int r;

	f = streq(path, "-") ? stdin : fopen(path, "re");
	if (!f) {
		fprintf(stderr, "eonayctl institution staff-import: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	r = ctl_open_store(ctl);
	if (r == 0)
		r = staff_import(ctl->db, code, f, &n, &errors);
	if (f != stdin)
		fclose(f);
	if (r == -ENOENT) {
		fprintf(stderr, "eonayctl institution staff-import: no institution '%s' "
			"(eonayctl institution add)\n", code);
		return 3;
	}
	if (r == -EINVAL) {
		fprintf(stderr, "eonayctl institution staff-import: %s: nothing imported:\n%s", path,
			errors ? errors : "bad input\n");
		return 2;
	}
	if (r < 0) {
		fprintf(stderr, "eonayctl institution staff-import: %s\n", strerror(-r));
		return r;
	}
	printf("%zu staff record(s) imported into %s\n", n, code);
	return 0;
}

int ctl_institution(struct ctl *ctl, int argc, char **argv)
{
	if (argc >= 2 && !ctl_wants_help(argc, argv)) {
		if (streq(argv[1], "add"))
			return add(ctl, argc, argv);
		if (streq(argv[1], "list") && (argc == 2 || (argc == 3 && streq(argv[2], "--json"))))
			return list(ctl, argc == 3);
		if (streq(argv[1], "staff-import") && argc == 4)
			return staff_import_cmd(ctl, argv[2], argv[3]);
	}
	printf("Usage: eonayctl institution add --code CODE --name NAME [--address ADDRESS]\n"
	       "       eonayctl institution list [--json]\n"
	       "       eonayctl institution staff-import CODE FILE.csv   (- reads stdin)\n\n"
	       "An institution's portal is /basvuru/CODE.  The staff CSV has a header line:\n"
	       "tckn, sicil and optionally birim, unvan.  One bad line and nothing is\n"
	       "imported.\n");
	return argc >= 2 && ctl_wants_help(argc, argv) ? 0 : 2;
}
