-- 018_claims: an application nobody has signed yet is a claim, and claims
-- of one person coexist; the first one signed wins (domain/applications*.c,
-- docs/SECURITY.md "Who is believed").  Portable SQL.
--
-- Until now one OPEN application per person, institution and kind was
-- allowed, so whoever entered a person's registry data first held her
-- application (or, with session 6's supersede, could cancel hers again
-- and again).  Now only a SIGNED open application is unique: E-Onay,
-- e-imza or the wet-signed paper received.  Two claims signed at once
-- cannot both get in, whatever the timing.
DROP INDEX applications_open;
CREATE UNIQUE INDEX applications_signed ON applications (tckn, institution, kind)
    WHERE state IN ('received', 'waiting_window', 'approved', 'produced', 'shipped');
-- The claims of a person at an institution (looked up by every entry with
-- a parola, every Parolamı Bilmiyorum and every Form Onayla).
CREATE INDEX applications_claims ON applications (tckn, institution, state);
-- The SMS Onay Kodu sent to one number, whichever application asked
-- (domain/apply-sms.c: guesses at codes are bounded per number).
CREATE INDEX applications_mobile ON applications (mobile);
