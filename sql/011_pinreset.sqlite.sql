-- 011_pinreset (SQLite): PIN Oluşturma / Kilit Çözme, and codes that a
-- mistake does not burn.  Tables and texts are portable SQL, the same in
-- 011_pinreset.pg.sql; only the purpose rule differs (triggers here, a
-- CHECK constraint there, as in 005).

-- The signed act "pin-reset" (domain/acts.c): a new purpose.
DROP TRIGGER signing_sessions_purpose_ins;
DROP TRIGGER signing_sessions_purpose_upd;
CREATE TRIGGER signing_sessions_purpose_ins BEFORE INSERT ON signing_sessions
WHEN NEW.purpose NOT IN ('login', 'eonay-give', 'eonay-cancel', 'pin-reset')
BEGIN SELECT RAISE(ABORT, 'check: signing_sessions.purpose'); END;
CREATE TRIGGER signing_sessions_purpose_upd BEFORE UPDATE OF purpose ON signing_sessions
WHEN NEW.purpose NOT IN ('login', 'eonay-give', 'eonay-cancel', 'pin-reset')
BEGIN SELECT RAISE(ABORT, 'check: signing_sessions.purpose'); END;

-- What the application reports while a session is claimed (the page shows
-- it): pin_wrong, pin_locked, declined, no_cert; NULL: nothing reported.
-- claims: how often the code was claimed (a claim that was not followed by
-- an accepted signature may be repeated from the same address).
ALTER TABLE signing_sessions ADD COLUMN app_event TEXT;
ALTER TABLE signing_sessions ADD COLUMN claims BIGINT NOT NULL DEFAULT 0;
UPDATE signing_sessions SET claims = 1 WHERE app_token_hash IS NOT NULL;
CREATE TRIGGER signing_sessions_app_event_upd BEFORE UPDATE OF app_event ON signing_sessions
WHEN NEW.app_event IS NOT NULL AND NEW.app_event NOT IN ('pin_wrong', 'pin_locked', 'declined', 'no_cert')
BEGIN SELECT RAISE(ABORT, 'check: signing_sessions.app_event'); END;

-- One row per pin-reset session that was given its card's SO PIN
-- (domain/pinreset.c).  next_so_pin_sealed is the new SO PIN the server
-- chose for the card (sealed under the master key, for the card serial);
-- cards.so_pin_sealed stays the card's confirmed SO PIN until the reset is
-- confirmed, so a reset interrupted at any step never loses the SO PIN
-- the card has.  stage: released (SO PINs given to the application),
-- verified (one of them opened the card; the user PIN is set),
-- so_changing (the application is about to set next_so_pin on the card),
-- done (confirmed by the card's signature), adopted (found on the card by
-- a later reset and made the confirmed one), superseded (not on the card).
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

-- The text the card signs once its new PIN is set: the proof that the
-- card itself (its key, its certificate) took the new PINs.
INSERT INTO sign_texts VALUES ('pin-reset', 1, 1,
 'Kartımın PIN kodunun yenilenmesini ve kilidinin çözülmesini onaylıyorum. Kartımın güvenlik yöneticisi (SO) PIN kodu %CA% tarafından yenilenmiştir.', 0);
