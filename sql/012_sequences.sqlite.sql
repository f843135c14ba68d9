-- 012_sequences (SQLite): sequences without MAX+1.  SQLite has no
-- SEQUENCE: one row per sequence, incremented with UPDATE ... RETURNING
-- (db_sequence_next); SQLite serialises writers, so values never repeat.
CREATE TABLE sequences (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

-- E-Onay events are ordered by seq; it continues from the events there are.
INSERT INTO sequences (name, value)
    SELECT 'eonay_events_seq', COALESCE(MAX(seq), 0) FROM eonay_events;
