/* fuzz-config.c - the configuration file parser (common/config.c): the
 * input as the file config_load_file() reads (a memfd), then
 * config_finish() on whatever was read. */
#include <sys/mman.h>
#include <unistd.h>

#include "common/config.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *err = NULL, *err2 = NULL;
	struct config c;
	char path[64];
	int fd;

	fd = memfd_create("fuzz-config", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (config_init(&c, "/nonexistent/fuzz-data") < 0)
		abort();
	if (config_load_file(&c, path, &err) == 0)
		(void)config_finish(&c, &err2);
	(void)config_store_target(&c);
	config_done(&c);
	close(fd);
	return 0;
}
