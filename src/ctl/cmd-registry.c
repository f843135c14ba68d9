/* cmd-registry.c - eonayctl registry: the population registry (the MERNIS
 * stand-in, domain/registry.c): import from CSV, look a person up. */
#include <jansson.h>
#include <stdio.h>

#include "common/tckn.h"
#include "ctl/ctl.h"
#include "domain/registry.h"

static int import(struct ctl *ctl, const char *path)
{
	_cleanup_free_ char *errors = NULL;
	FILE *f;
	size_t n = 0;
	int r;

	f = streq(path, "-") ? stdin : fopen(path, "re");
	if (!f) {
		fprintf(stderr, "eonayctl registry import: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	r = ctl_open_store(ctl);
	if (r == 0)
		r = registry_import(ctl->db, f, &n, &errors);
	if (f != stdin)
		fclose(f);
	if (r == -EINVAL) {
		fprintf(stderr, "eonayctl registry import: %s: nothing imported:\n%s", path,
			errors ? errors : "bad input\n");
		return 2;
	}
	if (r < 0) {
		fprintf(stderr, "eonayctl registry import: %s: %s\n", path, strerror(-r));
		return r;
	}
	printf("%zu person(s) imported\n", n);
	return 0;
}

static int show(struct ctl *ctl, const char *tckn)
{
	struct registry_person p;
	json_t *o;
	char *s;
	int r;

	r = ctl_open_store(ctl);
	if (r == 0)
		r = registry_get(ctl->db, tckn, &p);
	if (r == -ENOENT) {
		fprintf(stderr, "eonayctl registry show: %s is not in the registry\n", tckn);
		return 3;
	}
	if (r < 0) {
		fprintf(stderr, "eonayctl registry show: %s\n", strerror(-r));
		return r;
	}
	o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "tckn", p.tckn, "ad", p.ad, "soyad", p.soyad,
		      "dogum_yeri", p.dogum_yeri, "dogum_tarihi", p.dogum_tarihi, "alive", p.alive);
	registry_person_done(&p);
	s = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
	json_decref(o);
	if (!s)
		return -ENOMEM;
	printf("%s\n", s);
	free(s);
	return 0;
}

int ctl_registry(struct ctl *ctl, int argc, char **argv)
{
	if (argc == 3 && streq(argv[1], "import") && !ctl_wants_help(argc, argv))
		return import(ctl, argv[2]);
	if (argc == 3 && streq(argv[1], "show") && tckn_check(argv[2]) == TCKN_OK)
		return show(ctl, argv[2]);
	printf("Usage: eonayctl registry import FILE.csv     (- reads stdin)\n"
	       "       eonayctl registry show TCKN\n\n"
	       "The CSV has a header line naming its columns: tckn, ad, soyad, dogum_yeri,\n"
	       "dogum_tarihi (DD.MM.YYYY) and optionally alive (1/0).  A person already in\n"
	       "the registry is updated.  One bad line and nothing is imported: every bad\n"
	       "line is reported with its number.\n");
	return ctl_wants_help(argc, argv) ? 0 : 2;
}
