-- 013_adopted (PostgreSQL): certificates adopted from another CA
-- (eonayctl ca import, domain/caimport.c).  An `openssl ca` index.txt
-- record whose certificate is not at hand is kept as a status-only row:
-- no DER (and so no sha256), no holder, no notBefore.  Such a row is
-- enough for the CRL and for OCSP.  The SQLite variant is
-- 013_adopted.sqlite.sql.
ALTER TABLE certificates ALTER COLUMN tckn DROP NOT NULL;
ALTER TABLE certificates ALTER COLUMN not_before DROP NOT NULL;
ALTER TABLE certificates ALTER COLUMN sha256 DROP NOT NULL;
ALTER TABLE certificates ALTER COLUMN der DROP NOT NULL;
ALTER TABLE certificates ALTER COLUMN issued_at DROP NOT NULL;
ALTER TABLE certificates ADD CONSTRAINT certificates_der_sha256
    CHECK ((der IS NULL) = (sha256 IS NULL));
ALTER TABLE certificates ADD CONSTRAINT certificates_card_holder
    CHECK (tckn IS NOT NULL OR card_serial IS NULL);
