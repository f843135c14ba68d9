-- 010_lifecycle: the holder's own acts (issue 11, part 1).
-- Portable SQL (SQLite and PostgreSQL): BIGINT unix seconds, TEXT, no
-- autoincrement; ids are chosen by the code.

-- Şifreli Giriş: the güvenlik sözcüğü, only as a memory-hard hash
-- ("scrypt$N$r$p$SALT$HASH", src/domain/password.c).
CREATE TABLE holder_secrets (
    tckn TEXT PRIMARY KEY REFERENCES holders (tckn),
    word_hash TEXT NOT NULL,
    set_at BIGINT NOT NULL
);

-- Failed Şifreli Giriş attempts, per holder ("h:TCKN", counted whether or
-- not the holder exists) and per client address ("a:ADDR").  From the
-- max_failures-th failure on, locked_until grows (doubling).
CREATE TABLE login_failures (
    name TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    locked_until BIGINT NOT NULL,
    last_at BIGINT NOT NULL
);

-- With which certificate (issuer key identifier + serial, as in
-- certificates since 009) a web session was logged in by e-imza (how it
-- was logged in, login_method, came with 008): suspending or revoking
-- that certificate ends the session.
ALTER TABLE web_sessions ADD COLUMN signer_issuer TEXT;
ALTER TABLE web_sessions ADD COLUMN signer_serial TEXT;
CREATE INDEX web_sessions_signer ON web_sessions (signer_serial);

-- Contact details the holder keeps (e-mail and mobile are in 002).
-- info_channel: the Bilgi Kanalı notifications go to.
ALTER TABLE holders ADD COLUMN work_phone TEXT;
ALTER TABLE holders ADD COLUMN work_ext TEXT;
ALTER TABLE holders ADD COLUMN home_phone TEXT;
ALTER TABLE holders ADD COLUMN info_channel TEXT
    CHECK (info_channel IN ('email', 'sms', 'both'));

-- Certificate applications as the holder sees them (Başvuru Durum
-- Sorgulama).  Minimal until the application portal (SPEC F6) extends it.
CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    tckn TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('new', 'renewal', 'lost', 'other')),
    state TEXT NOT NULL CHECK (state IN ('received', 'waiting', 'approved', 'rejected',
                                         'produced', 'shipped', 'delivered')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX applications_tckn ON applications (tckn, created_at);

-- Notifications to holders: written in the transaction of the act they
-- tell of, delivered by the dispatcher (src/server/dispatch.c) to the
-- spool directory; a row is claimed with a lease (lease_token, lease_until)
-- so that two nodes never deliver it at the same time and a crashed
-- node's claim runs out.  state: pending -> sent | failed (too many tries).
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    tckn TEXT,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts BIGINT NOT NULL,
    next_at BIGINT NOT NULL,
    lease_token TEXT,
    lease_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX outbox_due ON outbox (state, next_at);
