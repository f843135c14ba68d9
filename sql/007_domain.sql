-- 007_domain: login applied when the signature is accepted.
-- The accepting transaction inserts the logged-in browser session under a
-- new id (derived from the old session and the signing session with the
-- server's session key, so the browser's wait can hand it out again if an
-- answer is lost); rotated_from is the hash of the anonymous session it
-- replaces, deleted when the new id is first presented.
ALTER TABLE web_sessions ADD COLUMN rotated_from TEXT;
