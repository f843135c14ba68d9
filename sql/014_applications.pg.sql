-- 014_applications (PostgreSQL): as 014_applications.sqlite.sql (the
-- registry, staff lists, the application state machine with its history);
-- here applications is altered in place.

CREATE TABLE registry (
    tckn TEXT PRIMARY KEY,
    ad TEXT NOT NULL CHECK (ad <> ''),
    soyad TEXT NOT NULL CHECK (soyad <> ''),
    dogum_yeri TEXT NOT NULL CHECK (dogum_yeri <> ''),
    dogum_tarihi TEXT NOT NULL CHECK (length(dogum_tarihi) = 10),
    alive BIGINT NOT NULL CHECK (alive IN (0, 1)),
    updated_at BIGINT NOT NULL
);

ALTER TABLE institutions ADD COLUMN address TEXT;

CREATE TABLE staff (
    institution TEXT NOT NULL REFERENCES institutions (id),
    tckn TEXT NOT NULL,
    sicil TEXT NOT NULL CHECK (sicil <> ''),
    birim TEXT,
    unvan TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (institution, tckn)
);

ALTER TABLE applications DROP CONSTRAINT applications_state_check;
UPDATE applications SET state = 'waiting_window' WHERE state = 'waiting';
ALTER TABLE applications ADD CONSTRAINT applications_state_check
    CHECK (state IN ('draft', 'sms_verified', 'awaiting_paper', 'received', 'waiting_window',
                     'approved', 'rejected', 'produced', 'shipped', 'delivered', 'cancelled'));
ALTER TABLE applications ADD COLUMN institution TEXT REFERENCES institutions (id);
ALTER TABLE applications ADD COLUMN method TEXT CHECK (method IN ('eonay', 'esign', 'paper'));
ALTER TABLE applications ADD COLUMN form TEXT;
ALTER TABLE applications ADD COLUMN email TEXT;
ALTER TABLE applications ADD COLUMN mobile TEXT;
ALTER TABLE applications ADD COLUMN info_channel TEXT
    CHECK (info_channel IN ('email', 'sms', 'both'));
ALTER TABLE applications ADD COLUMN word_hash TEXT;
ALTER TABLE applications ADD COLUMN access_hash TEXT;
ALTER TABLE applications ADD COLUMN card_serial TEXT;
ALTER TABLE applications ADD COLUMN cert_issuer TEXT;
ALTER TABLE applications ADD COLUMN cert_serial TEXT;
ALTER TABLE applications ADD COLUMN courier TEXT;
ALTER TABLE applications ADD COLUMN tracking TEXT;
ALTER TABLE applications ADD COLUMN reject_reason TEXT;
ALTER TABLE applications ADD COLUMN release_at BIGINT;
CREATE INDEX applications_state ON applications (state, release_at);
CREATE UNIQUE INDEX applications_open ON applications (tckn, institution, kind)
    WHERE state NOT IN ('delivered', 'rejected', 'cancelled');

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
