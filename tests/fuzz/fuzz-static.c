/* fuzz-static.c - static files (server/static.c): the decoded URL path
 * checks, and server-side includes expanded from the real web/partials.
 * First byte even: the input is a path; odd: the rest is a page. */
#include <fcntl.h>

#include "server/http.h"

#include "fuzz.h"

static int root = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_set_level(LOG_ERR);
	root = open(EONAY_SRCDIR "/web", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = NULL, *out = NULL;
	size_t len;

	if (size == 0)
		return 0;
	s = fuzz_str(data + 1, size - 1);
	if (data[0] % 2 == 0) {
		if (static_path_safe(s) &&
		    (s[0] != '/' || strstr(s, "/.") || strstr(s, "//") || strchr(s, '\\')))
			abort();	/* a path the checks must refuse passed */
		return 0;
	}
	if (static_compose(root, s, "/index.html", &out, &len) == 0 && strlen(out) > len)
		abort();
	return 0;
}
