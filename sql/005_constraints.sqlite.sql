-- 005_constraints (SQLite): CHECK on every state column, and indexes for
-- the hot look-ups.  The PostgreSQL variant (005_constraints.pg.sql) adds
-- the same rules as table CHECK constraints; SQLite cannot add a CHECK to
-- an existing table, so here each rule is a pair of triggers that abort an
-- INSERT or UPDATE writing a value outside the list.
-- To extend a list later (a new state or purpose): a new migration drops
-- and recreates both triggers here, and in the .pg.sql variant drops and
-- re-adds the constraint (same names).

-- signing_sessions.state: the ceremony's states (server/signing.c states[]).
CREATE TRIGGER signing_sessions_state_ins BEFORE INSERT ON signing_sessions
WHEN NEW.state NOT IN ('waiting', 'code_used', 'signed', 'rejected', 'expired', 'replaced')
BEGIN SELECT RAISE(ABORT, 'check: signing_sessions.state'); END;
CREATE TRIGGER signing_sessions_state_upd BEFORE UPDATE OF state ON signing_sessions
WHEN NEW.state NOT IN ('waiting', 'code_used', 'signed', 'rejected', 'expired', 'replaced')
BEGIN SELECT RAISE(ABORT, 'check: signing_sessions.state'); END;

-- signing_sessions.purpose: the signed acts (server/signing.c purposes[]).
CREATE TRIGGER signing_sessions_purpose_ins BEFORE INSERT ON signing_sessions
WHEN NEW.purpose NOT IN ('login', 'eonay-give', 'eonay-cancel')
BEGIN SELECT RAISE(ABORT, 'check: signing_sessions.purpose'); END;
CREATE TRIGGER signing_sessions_purpose_upd BEFORE UPDATE OF purpose ON signing_sessions
WHEN NEW.purpose NOT IN ('login', 'eonay-give', 'eonay-cancel')
BEGIN SELECT RAISE(ABORT, 'check: signing_sessions.purpose'); END;

-- cards.state: 'produced' is the only state card production writes so far
-- (ca/cards.c); shipping and delivery add theirs with their migration.
CREATE TRIGGER cards_state_ins BEFORE INSERT ON cards
WHEN NEW.state NOT IN ('produced')
BEGIN SELECT RAISE(ABORT, 'check: cards.state'); END;
CREATE TRIGGER cards_state_upd BEFORE UPDATE OF state ON cards
WHEN NEW.state NOT IN ('produced')
BEGIN SELECT RAISE(ABORT, 'check: cards.state'); END;

-- audit_log.outcome (store/audit.h).
CREATE TRIGGER audit_log_outcome_ins BEFORE INSERT ON audit_log
WHEN NEW.outcome NOT IN ('ok', 'refused', 'error')
BEGIN SELECT RAISE(ABORT, 'check: audit_log.outcome'); END;
CREATE TRIGGER audit_log_outcome_upd BEFORE UPDATE OF outcome ON audit_log
WHEN NEW.outcome NOT IN ('ok', 'refused', 'error')
BEGIN SELECT RAISE(ABORT, 'check: audit_log.outcome'); END;

-- certificates.status and eonay_events.action carry a CHECK since 002/003.

-- Indexes for the hot look-ups (same in both variants).
-- Purging expired signing sessions.
CREATE INDEX signing_sessions_expires ON signing_sessions (expires_at);
-- Signing sessions of one holder in a time window (per-holder limits).
CREATE INDEX signing_sessions_tckn ON signing_sessions (tckn, created_at);
-- A holder's certificates by status; covers the look-up by tckn alone.
CREATE INDEX certificates_tckn_status ON certificates (tckn, status);
DROP INDEX IF EXISTS certificates_tckn;
-- The audit log by time (listing a period, retention).
CREATE INDEX audit_log_at ON audit_log (at);
