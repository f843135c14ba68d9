/* crlpub.h - eonayd's CRL thread: rebuilds the issuing CA's CRL after
 * status changes and before half of its validity is gone
 * (crl_rebuild_if_due, domain/publish.h), outside every request. */
#pragma once
#include "server/server.h"

/* Starts the thread when the server has a CA (a no-op otherwise). */
int crlpub_start(struct server *srv);
/* Stops it (a rebuild in progress finishes first). */
void crlpub_stop(void);
/* A status changed on this node: look now rather than at the next tick.
 * Other nodes (and eonayctl) are heard through CRL_CHANNEL on PostgreSQL,
 * and by the once-a-second look on both stores. */
void crlpub_kick(void);
