/* fuzz-caimport.c - the index.txt parser of `eonayctl ca import`
 * (domain/caimport.c): the input as the file caimport_read_index() reads
 * (a memfd).  What an accepted index promises: records sorted by serial
 * with no serial twice, each serial canonical hex (pki/key.h) of at most
 * 20 bytes, the status V, R or E, a revocation time only on R, a plain file
 * name and a /K=V subject; a refusal names its line and why. */
#include <sys/mman.h>
#include <unistd.h>

#include "domain/caimport.h"

#include "fuzz.h"

/* pki/key.h's canonical serial: lower-case hex, two digits a byte, no
 * leading zero byte (but "00" for zero). */
static bool canonical_hex(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 40 || n % 2 || strspn(s, "0123456789abcdef") != n)
		return false;
	return n == 2 || strncmp(s, "00", 2) != 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct caimport_index idx = { 0 };
	const char *why = NULL;
	size_t line = 0;
	char path[64];
	int fd, r;

	fd = memfd_create("fuzz-caimport", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	r = caimport_read_index(path, &idx, &line, &why);
	close(fd);
	if (r == -EBADMSG) {
		if (!why || line == 0)
			abort();	/* a refusal says where and why */
		return 0;
	}
	if (r < 0)
		abort();	/* no other failure on a readable file */
	for (size_t i = 0; i < idx.n; i++) {
		const struct caimport_record *c = &idx.rec[i];

		if (!canonical_hex(c->serial) || !strchr("VRE", c->status) || c->status == '\0' ||
		    (c->status != 'R' && (c->revoked_at || c->hold || c->reason)) ||
		    !c->file[0] || strchr(c->file, '/') || c->subject[0] != '/' ||
		    c->reason < 0 || c->reason > 10 || c->line == 0)
			abort();
		if (i > 0) {
			size_t la = strlen(idx.rec[i - 1].serial), lb = strlen(c->serial);

			if (la > lb || (la == lb && strcmp(idx.rec[i - 1].serial, c->serial) >= 0))
				abort();	/* sorted, no serial twice */
		}
	}
	caimport_index_done(&idx);
	return 0;
}
