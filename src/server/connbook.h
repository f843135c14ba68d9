/* connbook.h - the acceptor's books of connections (acceptor.h): per
 * address and in all, with the choice of which connection to shed.  Pure
 * bookkeeping on descriptor numbers and addresses: no sockets, no locks
 * (the caller locks), so that it can be tested alone. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct connbook;

struct connbook_stats {
	unsigned open;			/* handed over, not reported closed (shed ones too) */
	unsigned budget;
	uint64_t accepted;		/* admitted, ever */
	uint64_t refused_per_client;	/* its address at its cap */
	uint64_t refused_full;		/* budget spent, nothing to shed */
	uint64_t shed;			/* older connections chosen to make room */
};

/* Books for at most budget connections (admitted and not shed), at most
 * per_client (0: no cap) from one address (an IPv6 address counts by its
 * /64), on descriptors below fd_max; seed keys the address hash.  Shed
 * connections stay open until reported closed: with them at most
 * budget + budget / 16 + 64 are open (connbook_max_open). */
int connbook_new(unsigned budget, unsigned per_client, int fd_max, uint64_t seed,
		 struct connbook **ret);
void connbook_free(struct connbook *b);
unsigned connbook_max_open(const struct connbook *b);

enum connbook_verdict {
	CONNBOOK_ADMIT,
	CONNBOOK_REFUSE_CLIENT,		/* its address is at its cap */
	CONNBOOK_REFUSE_FULL,		/* budget spent and nothing to shed (or no memory) */
};
/* Books the new connection on fd from sa.  When the budget is spent it is
 * admitted only if its address has fewer connections than the address
 * with the most, minus one: then *ret_shed is the oldest connection of
 * that address, which the caller shuts down (it stays open in the books
 * until connbook_closed).  Otherwise *ret_shed is -1.  A booked fd not
 * reported closed is forgotten first (its number was reused, so it was
 * closed).  capped false exempts the address from the per-client cap
 * (a trusted proxy, whose connections carry many clients). */
enum connbook_verdict connbook_admit(struct connbook *b, int fd, const struct sockaddr *sa,
				     bool capped,
				     int *ret_shed);
/* The tag of the booking on fd (shed ones too): never 0, different for
 * every booking (until 2^32 of them); 0 when fd is not booked.  It tells
 * a late event about a closed connection from one about a new connection
 * on the same descriptor number. */
uint32_t connbook_tag(const struct connbook *b, int fd);
/* The connection on fd was closed (or never taken over): out of the books. */
void connbook_closed(struct connbook *b, int fd);
/* Counts a request on the connection on fd: 1 for its first, 0 when fd is
 * not booked.  Needs no lock from the connection's own thread. */
unsigned connbook_count_request(struct connbook *b, int fd);
/* The request counted last on fd was answered or aborted. */
void connbook_request_done(struct connbook *b, int fd);
/* True while a request counted on fd is not done (being read, handled,
 * parked or answered). */
bool connbook_busy(const struct connbook *b, int fd);
void connbook_stats(const struct connbook *b, struct connbook_stats *ret);
