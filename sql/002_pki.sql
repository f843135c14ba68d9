-- 002_pki: holders, institutions, cards, certificates and the CRL state.

-- Certificate holders, as the population registry and their applications
-- describe them.
CREATE TABLE holders (
    tckn TEXT PRIMARY KEY,
    given_name TEXT NOT NULL,
    surname TEXT NOT NULL,
    email TEXT,
    mobile TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE institutions (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Smart cards produced by the CA.  serial is the token label.  The Security
-- Officer PIN is kept only sealed (AES-256-GCM under the master key).
CREATE TABLE cards (
    serial TEXT PRIMARY KEY,
    tckn TEXT NOT NULL REFERENCES holders (tckn),
    so_pin_sealed TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX cards_tckn ON cards (tckn);

-- Issued certificates.  status: active, hold (reason 6, certificateHold)
-- or revoked (final, with its RFC 5280 reason).  der is base64.
CREATE TABLE certificates (
    serial TEXT PRIMARY KEY,
    tckn TEXT NOT NULL REFERENCES holders (tckn),
    card_serial TEXT REFERENCES cards (serial),
    subject_cn TEXT NOT NULL,
    not_before BIGINT NOT NULL,
    not_after BIGINT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    der TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'hold', 'revoked')),
    reason INTEGER,
    revoked_at BIGINT,
    issued_at BIGINT NOT NULL
);
CREATE INDEX certificates_tckn ON certificates (tckn);
CREATE INDEX certificates_status ON certificates (status);

-- The current CRL of the issuing CA (one row), regenerated on every
-- revocation change and before next_update.
CREATE TABLE crl_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    number BIGINT NOT NULL,
    this_update BIGINT NOT NULL,
    next_update BIGINT NOT NULL,
    der TEXT NOT NULL
);
