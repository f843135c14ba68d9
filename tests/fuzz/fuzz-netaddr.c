/* fuzz-netaddr.c - the client's address behind proxies
 * (common/netaddr.c): lines "trusted list", peer, X-Forwarded-For,
 * Forwarded ("-" for an absent header); then the rate-limit key. */
#include "common/netaddr.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = fuzz_str(data, size), *err = NULL;
	char *p = s, *list = fuzz_part(&p), *peer = fuzz_part(&p), *xff = fuzz_part(&p),
	     *fwd = fuzz_part(&p);
	struct cidr_list trusted = { 0 };
	char client[NETADDR_STRLEN], key[NETADDR_STRLEN + 8];
	struct netaddr a;

	if (cidr_list_parse(list ? list : "", &trusted, &err) < 0)
		cidr_list_parse("10.0.0.0/8 ::1", &trusted, NULL);
	if (xff && streq(xff, "-"))
		xff = NULL;
	if (fwd && streq(fwd, "-"))
		fwd = NULL;
	if (netaddr_client(&trusted, peer ? peer : "", xff, fwd, client, sizeof(client)) == 0) {
		/* With a peer address (always, from the socket) the answer is an
		 * address in canonical form; anything else is passed through. */
		if (peer && netaddr_parse(peer, strlen(peer), &a) == 0 &&
		    netaddr_parse(client, strlen(client), &a) < 0)
			abort();
		netaddr_limit_key(client, key, sizeof(key));
	}
	netaddr_limit_key(peer ? peer : "", key, sizeof(key));
	cidr_list_done(&trusted);
	return 0;
}
