-- 001_init: the audit log and browser sessions.
-- Portable SQL (SQLite and PostgreSQL): BIGINT unix seconds, TEXT, no
-- autoincrement; ids are chosen by the code.

-- Tamper-evident audit log: each row carries the SHA-256 of the previous
-- row's hash and its own fields, so any edit or deletion breaks the chain
-- (eonayctl audit verify).
CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT,
    outcome TEXT NOT NULL,
    details TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

-- Browser sessions: the cookie carries a random id; only its SHA-256 is
-- stored.  tckn is set once the holder has logged in.  The CSRF token is
-- derived from the id with a server key, so it needs no column.
CREATE TABLE web_sessions (
    id_hash TEXT PRIMARY KEY,
    tckn TEXT,
    created_at BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    authenticated_at BIGINT,
    client_addr TEXT
);
CREATE INDEX web_sessions_last_seen ON web_sessions (last_seen);
