-- 012_sequences (PostgreSQL): sequences without MAX+1 (db_sequence_next
-- takes nextval, which holds across nodes).
CREATE SEQUENCE eonay_events_seq;

-- E-Onay events are ordered by seq; it continues from the events there are.
SELECT setval('eonay_events_seq', (SELECT COALESCE(MAX(seq), 0) + 1 FROM eonay_events), false);
