-- 013_adopted (SQLite): certificates adopted from another CA
-- (eonayctl ca import, domain/caimport.c).  An `openssl ca` index.txt
-- record whose certificate is not at hand is kept as a status-only row:
-- no DER (and so no sha256), no holder, no notBefore.  Such a row is
-- enough for the CRL and for OCSP (issuer + serial, status, reason, time).
-- The PostgreSQL variant is 013_adopted.pg.sql.
--
-- SQLite cannot drop NOT NULL: the table is rebuilt.  Its rows pass
-- through a copy while the child rows of cert_status_history wait under
-- deferred foreign keys (reset at commit), so no child is ever orphaned.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE certificates_v12 AS SELECT * FROM certificates;
DROP TABLE certificates;
CREATE TABLE certificates (
    issuer TEXT NOT NULL CHECK (issuer <> ''),
    serial TEXT NOT NULL,
    tckn TEXT REFERENCES holders (tckn),
    card_serial TEXT REFERENCES cards (serial),
    subject_cn TEXT NOT NULL,
    not_before BIGINT,
    not_after BIGINT NOT NULL,
    sha256 TEXT UNIQUE,
    der BLOB,
    status TEXT NOT NULL CHECK (status IN ('active', 'hold', 'revoked')),
    reason INTEGER,
    revoked_at BIGINT,
    issued_at BIGINT,
    PRIMARY KEY (issuer, serial),
    CHECK ((der IS NULL) = (sha256 IS NULL)),
    CHECK (tckn IS NOT NULL OR card_serial IS NULL)
);
INSERT INTO certificates (issuer, serial, tckn, card_serial, subject_cn, not_before, not_after,
                          sha256, der, status, reason, revoked_at, issued_at)
    SELECT issuer, serial, tckn, card_serial, subject_cn, not_before, not_after,
           sha256, der, status, reason, revoked_at, issued_at FROM certificates_v12;
DROP TABLE certificates_v12;
CREATE INDEX certificates_tckn_status ON certificates (tckn, status);
CREATE INDEX certificates_issuer_status ON certificates (issuer, status);
CREATE INDEX certificates_serial ON certificates (serial);
