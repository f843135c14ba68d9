-- 014_applications (SQLite): the application portal and back office
-- (issue 16): the population registry, institutions' staff lists, the
-- application state machine (domain/applications.c) with its history.
-- The PostgreSQL variant is 014_applications.pg.sql.

-- The population registry (the MERNIS stand-in), loaded by `eonayctl
-- registry import`.  dogum_tarihi: YYYY-MM-DD.  alive: 1 or 0.
CREATE TABLE registry (
    tckn TEXT PRIMARY KEY,
    ad TEXT NOT NULL CHECK (ad <> ''),
    soyad TEXT NOT NULL CHECK (soyad <> ''),
    dogum_yeri TEXT NOT NULL CHECK (dogum_yeri <> ''),
    dogum_tarihi TEXT NOT NULL CHECK (length(dogum_tarihi) = 10),
    alive BIGINT NOT NULL CHECK (alive IN (0, 1)),
    updated_at BIGINT NOT NULL
);

-- Institutions (002) get their postal address.
ALTER TABLE institutions ADD COLUMN address TEXT;

-- Each institution's staff list (imported from CSV, pre-fills the form).
CREATE TABLE staff (
    institution TEXT NOT NULL REFERENCES institutions (id),
    tckn TEXT NOT NULL,
    sicil TEXT NOT NULL CHECK (sicil <> ''),
    birim TEXT,
    unvan TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (institution, tckn)
);

-- applications (010) grows into the whole application.  SQLite cannot
-- change a CHECK: the table is rebuilt (nothing references it yet); the
-- old state 'waiting' is 'waiting_window' now.
CREATE TABLE applications_v13 AS SELECT * FROM applications;
DROP TABLE applications;
CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    tckn TEXT NOT NULL,
    institution TEXT REFERENCES institutions (id),
    kind TEXT NOT NULL CHECK (kind IN ('new', 'renewal', 'lost', 'other')),
    state TEXT NOT NULL CHECK (state IN ('draft', 'sms_verified', 'awaiting_paper', 'received',
                                         'waiting_window', 'approved', 'rejected', 'produced',
                                         'shipped', 'delivered', 'cancelled')),
    method TEXT CHECK (method IN ('eonay', 'esign', 'paper')),
    form TEXT,
    email TEXT,
    mobile TEXT,
    info_channel TEXT CHECK (info_channel IN ('email', 'sms', 'both')),
    word_hash TEXT,
    access_hash TEXT,
    card_serial TEXT,
    cert_issuer TEXT,
    cert_serial TEXT,
    courier TEXT,
    tracking TEXT,
    reject_reason TEXT,
    release_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO applications (id, tckn, kind, state, created_at, updated_at)
    SELECT id, tckn, kind, CASE state WHEN 'waiting' THEN 'waiting_window' ELSE state END,
           created_at, updated_at FROM applications_v13;
DROP TABLE applications_v13;
CREATE INDEX applications_tckn ON applications (tckn, created_at);
CREATE INDEX applications_state ON applications (state, release_at);
-- One open application per person, institution and kind: a double
-- submission cannot get two in, whatever the timing.
CREATE UNIQUE INDEX applications_open ON applications (tckn, institution, kind)
    WHERE state NOT IN ('delivered', 'rejected', 'cancelled');

-- Every transition of an application (from_state NULL: created).
CREATE TABLE application_history (
    application_id TEXT NOT NULL REFERENCES applications (id),
    seq BIGINT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    event TEXT NOT NULL,
    operator TEXT NOT NULL,
    reason TEXT,
    at BIGINT NOT NULL,
    PRIMARY KEY (application_id, seq)
);
