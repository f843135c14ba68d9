-- 016_crl (SQLite): the incremental CRL (domain/publish.c).  The
-- PostgreSQL variant is 016_crl.pg.sql (the same, and the CRL's bytes kept
-- uncompressed).  A status change no
-- longer rebuilds the CRL: it counts itself in crl_work, in its own
-- transaction, and a node rebuilds the CRL later from a read snapshot,
-- outside any write transaction.
--
-- crl_work, one row per issuer: changes counts the status changes ever
-- made (it only grows); the node building holds the lease (lease_owner,
-- until lease_until) so that one node builds at a time.
CREATE TABLE crl_work (
    issuer TEXT PRIMARY KEY CHECK (issuer <> ''),
    changes BIGINT NOT NULL CHECK (changes >= 0),
    changed_at BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT
);
-- crl_state.changes: crl_work.changes as the snapshot the current CRL was
-- built from saw it; the CRL is out of date while crl_work.changes is
-- greater.
ALTER TABLE crl_state ADD COLUMN changes BIGINT NOT NULL DEFAULT 0;
-- An issuer's held and revoked certificates in serial order (canonical hex
-- without leading zero bytes: by length, then by text), with what their
-- CRL entries say: the CRL is a scan of this index alone (status too, so
-- that it covers the query).
CREATE INDEX certificates_crl ON certificates (issuer, length(serial), serial, revoked_at, reason,
                                               status)
    WHERE status <> 'active';
-- The CRL's bytes, in chunks of 1 MiB, each written in a transaction of
-- its own (a 40 MB row held SQLite's write lock for up to a second):
-- crl_state.build names the chunks of the current CRL (NULL: a CRL stored
-- before this migration, whose bytes are crl_state.der; otherwise der is
-- empty).  A build's chunks are written before it becomes current and the
-- old ones deleted after.
CREATE TABLE crl_chunks (
    issuer TEXT NOT NULL,
    build TEXT NOT NULL,
    seq BIGINT NOT NULL CHECK (seq >= 0),
    bytes BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (build, seq)
);
ALTER TABLE crl_state ADD COLUMN build TEXT;
