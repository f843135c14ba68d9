-- 011_pinreset (PostgreSQL): as 011_pinreset.sqlite.sql; the rules are
-- CHECK constraints (same names as 005_constraints.pg.sql).
ALTER TABLE signing_sessions DROP CONSTRAINT signing_sessions_purpose_check;
ALTER TABLE signing_sessions ADD CONSTRAINT signing_sessions_purpose_check
    CHECK (purpose IN ('login', 'eonay-give', 'eonay-cancel', 'pin-reset'));

ALTER TABLE signing_sessions ADD COLUMN app_event TEXT
    CHECK (app_event IN ('pin_wrong', 'pin_locked', 'declined', 'no_cert'));
ALTER TABLE signing_sessions ADD COLUMN claims BIGINT NOT NULL DEFAULT 0;
UPDATE signing_sessions SET claims = 1 WHERE app_token_hash IS NOT NULL;

CREATE TABLE pin_resets (
    session_id TEXT PRIMARY KEY REFERENCES signing_sessions (id),
    card_serial TEXT NOT NULL REFERENCES cards (serial),
    tckn TEXT NOT NULL,
    next_so_pin_sealed TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('released', 'verified', 'so_changing', 'done',
                                         'adopted', 'superseded')),
    created_at BIGINT NOT NULL,
    stage_at BIGINT NOT NULL
);
CREATE INDEX pin_resets_card ON pin_resets (card_serial, stage);

INSERT INTO sign_texts VALUES ('pin-reset', 1, 1,
 'Kartımın PIN kodunun yenilenmesini ve kilidinin çözülmesini onaylıyorum. Kartımın güvenlik yöneticisi (SO) PIN kodu %CA% tarafından yenilenmiştir.', 0);
