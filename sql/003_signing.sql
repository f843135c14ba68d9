-- 003_signing: the signing ceremony (verification codes, sessions, texts)
-- and E-Onay consents.

-- The texts holders sign, versioned: a new wording is a new version; the
-- newest version whose valid_from has passed is used.  %CA% is replaced by
-- the configured short name of the CA when a session is created.
CREATE TABLE sign_texts (
    purpose TEXT NOT NULL,
    version BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    body TEXT NOT NULL,
    valid_from BIGINT NOT NULL,
    PRIMARY KEY (purpose, version, idx)
);

INSERT INTO sign_texts VALUES ('login', 1, 1,
 'Kullanıcı servislerine elektronik imzalı olarak girme işlemi onaylıyorum.', 0);
INSERT INTO sign_texts VALUES ('eonay-give', 1, 1,
 '%CA% sistemleri üzerinden güvenilir bir şekilde elektronik onayının alınması kaydıyla bundan sonra yapacağım NES başvurularımın, imzalı başvuru formu göndermeye gerek kalmaksızın işleme alınmasını KABUL EDİYORUM.', 0);
INSERT INTO sign_texts VALUES ('eonay-cancel', 1, 1,
 '%CA% sistemleri üzerinden daha önce verdiğim E-Onay''ı geri alıyorum. Bundan sonra yapacağım NES başvurularımın imzalı başvuru formu ile işleme alınmasını istiyorum.', 0);

INSERT INTO sign_texts VALUES ('eonay-explanation', 1, 1,
 'e-Onay sayesinde, elektronik imzalı onayınızın alınması koşuluyla, bundan sonra yapacağınız NES başvurularında, imzalı başvuru formu göndermenize gerek kalmaksızın e-İmzanızı daha hızlı temin edebilirsiniz.', 0);
INSERT INTO sign_texts VALUES ('eonay-explanation', 1, 2,
 '%CA% başvuru formu ve taahhütnamede değişiklik yapma hakkını saklı tutar. Başvuru yapan kişi, başvuru formu ve taahhütnamenin, elektronik olarak onayladığı tarihteki halini kabul, beyan ve taahhüt eder.', 0);
INSERT INTO sign_texts VALUES ('eonay-explanation', 1, 3,
 'Bundan sonraki e-İmza başvurularımda e-Onaylı başvuruyu kullanabilmek için onay veriyorum.', 0);

-- One signing session per verification code.  code_hash is an HMAC of the
-- code under a server key (the code itself is never stored).  app_token_hash
-- is set when the application fetched the session with the code.
-- applied_at: when the browser took the result (a login rotates its
-- session once).
-- state: waiting, code_used, signed, rejected, expired, replaced.
CREATE TABLE signing_sessions (
    id TEXT PRIMARY KEY,
    code_hash TEXT NOT NULL UNIQUE,
    app_token_hash TEXT UNIQUE,
    purpose TEXT NOT NULL,
    tckn TEXT NOT NULL,
    web_session_hash TEXT NOT NULL,
    text_version BIGINT NOT NULL,
    texts TEXT NOT NULL,
    client_addr TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    state TEXT NOT NULL,
    state_at BIGINT NOT NULL,
    app_addr TEXT,
    result_code TEXT,
    signer_serial TEXT,
    replaced_by TEXT,
    applied_at BIGINT,
    explanation_version BIGINT
);
CREATE INDEX signing_sessions_web ON signing_sessions (web_session_hash);

-- Every accepted signature: its SHA-256 makes a second submission of the
-- same signature fail; the signed content (CMS, base64) is kept.
CREATE TABLE signatures (
    sha256 TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES signing_sessions (id),
    idx BIGINT NOT NULL,
    tckn TEXT NOT NULL,
    signer_serial TEXT NOT NULL,
    cms TEXT NOT NULL,
    signed_at BIGINT NOT NULL
);
CREATE INDEX signatures_session ON signatures (session_id);

-- E-Onay history: each give or cancel, with the text version and the
-- accepted signature that carried it.  seq orders a holder's events (two
-- may fall in the same second).
CREATE TABLE eonay_events (
    id TEXT PRIMARY KEY,
    tckn TEXT NOT NULL,
    seq BIGINT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('give', 'cancel')),
    text_version BIGINT NOT NULL,
    explanation_version BIGINT,
    signature_sha256 TEXT NOT NULL REFERENCES signatures (sha256),
    at BIGINT NOT NULL
);
CREATE UNIQUE INDEX eonay_events_tckn ON eonay_events (tckn, seq);
