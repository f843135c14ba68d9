-- 005_constraints (PostgreSQL): CHECK on every state column, and indexes
-- for the hot look-ups.  Same rules as 005_constraints.sqlite.sql (which
-- uses triggers, since SQLite cannot add a CHECK to an existing table).
-- To extend a list later: a new migration drops and re-adds the
-- constraint here, and drops and recreates both triggers on SQLite.

ALTER TABLE signing_sessions ADD CONSTRAINT signing_sessions_state_check
    CHECK (state IN ('waiting', 'code_used', 'signed', 'rejected', 'expired', 'replaced'));
ALTER TABLE signing_sessions ADD CONSTRAINT signing_sessions_purpose_check
    CHECK (purpose IN ('login', 'eonay-give', 'eonay-cancel'));
ALTER TABLE cards ADD CONSTRAINT cards_state_check
    CHECK (state IN ('produced'));
ALTER TABLE audit_log ADD CONSTRAINT audit_log_outcome_check
    CHECK (outcome IN ('ok', 'refused', 'error'));

CREATE INDEX signing_sessions_expires ON signing_sessions (expires_at);
CREATE INDEX signing_sessions_tckn ON signing_sessions (tckn, created_at);
CREATE INDEX certificates_tckn_status ON certificates (tckn, status);
DROP INDEX IF EXISTS certificates_tckn;
CREATE INDEX audit_log_at ON audit_log (at);
