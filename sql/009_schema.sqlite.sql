-- 009_schema (SQLite): certificates keyed by issuer + serial, CRL state
-- per issuer, the certificate status history, binary DER/CMS (BLOB), every
-- time a BIGINT.  The PostgreSQL variant is 009_schema.pg.sql.
--
-- The data is moved by C (src/store/migrate-data.c, in the same
-- transaction, right after this SQL): SQLite has no base64 decoder and no
-- X.509 parser, and each existing certificate's issuer is read from its
-- DER (authorityKeyIdentifier), the existing CRL's from its own.  Tables
-- that change their key or a column's type are rebuilt: the old one is
-- renamed to NAME_v8 here, the C step copies and converts its rows into
-- the new one and drops it.  Renaming signatures moves eonay_events'
-- foreign key to signatures_v8 (foreign keys are on): the C step rebuilds
-- eonay_events on the new table once the signatures are in.

-- Certificates: (issuer, serial).  issuer: the issuing CA's key
-- identifier, lower-case hex (domain/certs.h); der: the certificate.
DROP INDEX IF EXISTS certificates_status;
DROP INDEX IF EXISTS certificates_tckn_status;
DROP INDEX IF EXISTS certificates_tckn;
ALTER TABLE certificates RENAME TO certificates_v8;
CREATE TABLE certificates (
    issuer TEXT NOT NULL CHECK (issuer <> ''),
    serial TEXT NOT NULL,
    tckn TEXT NOT NULL REFERENCES holders (tckn),
    card_serial TEXT REFERENCES cards (serial),
    subject_cn TEXT NOT NULL,
    not_before BIGINT NOT NULL,
    not_after BIGINT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    der BLOB NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'hold', 'revoked')),
    reason INTEGER,
    revoked_at BIGINT,
    issued_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, serial)
);
-- A holder's certificates by status (covers tckn alone).
CREATE INDEX certificates_tckn_status ON certificates (tckn, status);
-- An issuer's held and revoked certificates (its CRL).
CREATE INDEX certificates_issuer_status ON certificates (issuer, status);
-- By serial alone (the back office, before it knows the issuer).
CREATE INDEX certificates_serial ON certificates (serial);

-- Every status change of a certificate, appended in the transaction of
-- the change (domain/certs.c): issued, hold, release, revoke; "migrated"
-- is the status a certificate had when this history began.  seq orders a
-- certificate's rows (taken under the certificate's lock).
CREATE TABLE cert_status_history (
    issuer TEXT NOT NULL,
    serial TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('issued', 'hold', 'release', 'revoke', 'migrated')),
    status TEXT NOT NULL CHECK (status IN ('active', 'hold', 'revoked')),
    reason INTEGER,
    actor TEXT NOT NULL,
    PRIMARY KEY (issuer, serial, seq),
    FOREIGN KEY (issuer, serial) REFERENCES certificates (issuer, serial)
);

-- The current CRL of each issuing CA.
ALTER TABLE crl_state RENAME TO crl_state_v8;
CREATE TABLE crl_state (
    issuer TEXT PRIMARY KEY CHECK (issuer <> ''),
    number BIGINT NOT NULL,
    this_update BIGINT NOT NULL,
    next_update BIGINT NOT NULL,
    der BLOB NOT NULL
);

-- Accepted signatures: the CMS as DER; signer_issuer with signer_serial
-- names the signer's certificate (NULL for signatures accepted before).
DROP INDEX IF EXISTS signatures_session;
ALTER TABLE signatures RENAME TO signatures_v8;
CREATE TABLE signatures (
    sha256 TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES signing_sessions (id),
    idx BIGINT NOT NULL,
    tckn TEXT NOT NULL,
    signer_serial TEXT NOT NULL,
    signer_issuer TEXT,
    cms BLOB NOT NULL,
    signed_at BIGINT NOT NULL
);
CREATE INDEX signatures_session ON signatures (session_id);

-- Every time a BIGINT: schema_migrations.applied_at was ISO 8601 TEXT.
ALTER TABLE schema_migrations RENAME TO schema_migrations_v8;
CREATE TABLE schema_migrations (
    version BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at BIGINT NOT NULL
);
INSERT INTO schema_migrations (version, name, applied_at)
SELECT version, name,
       CASE WHEN CAST(applied_at AS TEXT) NOT GLOB '*[^0-9]*'
            THEN CAST(applied_at AS INTEGER)
            ELSE CAST(strftime('%s', applied_at) AS INTEGER) END
FROM schema_migrations_v8;
DROP TABLE schema_migrations_v8;
