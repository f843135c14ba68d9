-- 018_bounds: what outside requests may hold open, and card production
-- that survives a crash (issue 14).  Portable SQL.

-- The address key a signing session counts under (netaddr_limit_key: an
-- IPv4 address itself, an IPv6 address by its /64), so that the open
-- sessions of one address are bounded (codes.open_per_client).  Sessions
-- from before this migration have none and count for nobody.
ALTER TABLE signing_sessions ADD COLUMN client_key TEXT;
CREATE INDEX signing_sessions_client_key ON signing_sessions (client_key, expires_at);

-- A card being produced: written (with its sealed SO PIN) BEFORE the token
-- is initialised, deleted in the transaction that records the card.  A row
-- left here means production stopped half-way (a crash, a kill): the token
-- may exist, and its SO PIN is this one, so `eonayctl card issue` with the
-- same label can wipe it and produce the card again (domain/cards.c).
CREATE TABLE card_intents (
    serial TEXT PRIMARY KEY,
    tckn TEXT NOT NULL REFERENCES holders (tckn),
    so_pin_sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- The CRL's freshness check (domain/publish.c, crl_refresh_if_due): was a
-- status changed since the current CRL was built?  Housekeeping asks every
-- minute, so that a crash between a change and its publication is
-- repaired within a minute on any node.
CREATE INDEX cert_status_history_at ON cert_status_history (at);
