-- 008_reserved: a placeholder on the schema branch only.  Version 8 is
-- migration 008_edevlet.sql (issue 12), on its own branch; sql-embed
-- refuses gaps, so until it is merged this empty file stands in for it.
-- At the merge: delete this file and list 008_edevlet.sql instead (no
-- released store carries this placeholder).
SELECT 1;
