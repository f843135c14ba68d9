-- 009_schema (PostgreSQL): certificates keyed by issuer + serial, CRL
-- state per issuer, the certificate status history, binary DER/CMS
-- (bytea), every time a BIGINT.  Same tables as 009_schema.sqlite.sql
-- (read its comments); here signatures.cms is converted in place
-- (decode(..., 'base64')), while certificates and crl_state, whose key
-- changes, are rebuilt like on SQLite: the old table is renamed to
-- NAME_v8 and the C step (src/store/migrate-data.c) copies its rows,
-- reading each one's issuer from its DER, then drops it.  Constraint and
-- index names are global on PostgreSQL: the old ones are renamed away.

DROP INDEX IF EXISTS certificates_status;
DROP INDEX IF EXISTS certificates_tckn_status;
DROP INDEX IF EXISTS certificates_tckn;
ALTER TABLE certificates RENAME TO certificates_v8;
ALTER TABLE certificates_v8 RENAME CONSTRAINT certificates_pkey TO certificates_v8_pkey;
ALTER TABLE certificates_v8 RENAME CONSTRAINT certificates_sha256_key TO certificates_v8_sha256_key;
CREATE TABLE certificates (
    issuer TEXT NOT NULL CHECK (issuer <> ''),
    serial TEXT NOT NULL,
    tckn TEXT NOT NULL REFERENCES holders (tckn),
    card_serial TEXT REFERENCES cards (serial),
    subject_cn TEXT NOT NULL,
    not_before BIGINT NOT NULL,
    not_after BIGINT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    der BYTEA NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'hold', 'revoked')),
    reason INTEGER,
    revoked_at BIGINT,
    issued_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, serial)
);
CREATE INDEX certificates_tckn_status ON certificates (tckn, status);
CREATE INDEX certificates_issuer_status ON certificates (issuer, status);
CREATE INDEX certificates_serial ON certificates (serial);

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

ALTER TABLE crl_state RENAME TO crl_state_v8;
ALTER TABLE crl_state_v8 RENAME CONSTRAINT crl_state_pkey TO crl_state_v8_pkey;
CREATE TABLE crl_state (
    issuer TEXT PRIMARY KEY CHECK (issuer <> ''),
    number BIGINT NOT NULL,
    this_update BIGINT NOT NULL,
    next_update BIGINT NOT NULL,
    der BYTEA NOT NULL
);

ALTER TABLE signatures ALTER COLUMN cms TYPE BYTEA USING decode(cms, 'base64');
ALTER TABLE signatures ADD COLUMN signer_issuer TEXT;

ALTER TABLE schema_migrations ALTER COLUMN applied_at TYPE BIGINT USING
    CASE WHEN applied_at::text ~ '^[0-9]+$' THEN applied_at::text::bigint
         ELSE extract(epoch FROM applied_at::text::timestamptz)::bigint END;
