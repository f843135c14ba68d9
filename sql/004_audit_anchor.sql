-- 004_audit_anchor: the audit chain becomes keyed and anchored.
-- Portable SQL (SQLite and PostgreSQL).
--
-- mac: HMAC-SHA256 under the audit key (derived from the master key, which
-- is not in the store) over the row's id and hash.  Rows written before
-- this migration have none: the next start of eonayd or eonayctl verifies
-- their chain and seals them once (store/audit.c audit_seal).
ALTER TABLE audit_log ADD COLUMN mac TEXT;

-- The chain's head, outside the chain: the last id and hash, and their MAC
-- under the audit key.  Moved in the same transaction as every append; the
-- next id is last_id + 1.  Deleting the newest rows, or adding rows, no
-- longer fits the head, and the head cannot be rewritten without the key.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_id BIGINT NOT NULL,
    last_hash TEXT NOT NULL,
    mac TEXT
);
INSERT INTO audit_head (id, last_id, last_hash, mac)
SELECT 1, COALESCE(MAX(id), 0),
       COALESCE((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1),
                '0000000000000000000000000000000000000000000000000000000000000000'),
       NULL
FROM audit_log;
