-- 015_apply (PostgreSQL): as 015_apply.sqlite.sql; the purpose rule is a
-- CHECK constraint (same name as 005_constraints.pg.sql).
ALTER TABLE signing_sessions DROP CONSTRAINT signing_sessions_purpose_check;
ALTER TABLE signing_sessions ADD CONSTRAINT signing_sessions_purpose_check
    CHECK (purpose IN ('login', 'eonay-give', 'eonay-cancel', 'pin-reset', 'application-sign'));

-- What a signing session's act is about (act_input.subject): for
-- application-sign the portal draft (apply_drafts.id).
ALTER TABLE signing_sessions ADD COLUMN subject TEXT;

-- Captchas of the portal's entry ("Resimdeki Yazıyı Giriniz",
-- domain/captcha.c): only HMAC(code key, id:ANSWER), bound to the browser
-- session that asked for it, 2 minutes, deleted by its first check.
CREATE TABLE captchas (
    id TEXT PRIMARY KEY,
    web_hash TEXT NOT NULL,
    answer_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX captchas_web ON captchas (web_hash);
CREATE INDEX captchas_expires ON captchas (expires_at);

-- The portal's side of an application (domain/apply.c): who entered
-- (registry or staff match), the browser working on it (web_hash; a
-- recovery moves it to another browser), the application it became at Form Onayla (applications, which keeps
-- the form, the güvenlik sözcüğü and the Başvuru Formu Erişim Parolası,
-- domain/applications.c), the SMS Onay Kodu (HMAC; tries, sends), the
-- signing method and, for Elektronik İmzalı Başvuru, its signing session
-- and accepted signature (esign_sha256, written in the accepting
-- transaction; finished_at once the application's signed event fired).
-- step: entered -> confirmed (Form Onayla) -> sms_verified -> done;
-- recovering: "Parolamı Bilmiyorum" waits for its SMS code.  A draft
-- whose application another browser took over has web_hash NULL.
CREATE TABLE apply_drafts (
    id TEXT PRIMARY KEY,
    web_hash TEXT,
    institution TEXT NOT NULL,
    tckn TEXT NOT NULL,
    entry TEXT NOT NULL CHECK (entry IN ('registry', 'staff', 'parola')),
    sicil TEXT,
    application_id TEXT,
    step TEXT NOT NULL CHECK (step IN ('entered', 'confirmed', 'recovering', 'sms_verified',
                                      'done')),
    method TEXT CHECK (method IN ('eonay', 'esign', 'paper')),
    sign_session TEXT,
    esign_sha256 TEXT,
    finished_at BIGINT,
    sms_hash TEXT,
    sms_purpose TEXT CHECK (sms_purpose IN ('confirm', 'recover')),
    sms_expires_at BIGINT,
    sms_tries BIGINT NOT NULL DEFAULT 0,
    sms_sends BIGINT NOT NULL DEFAULT 0,
    sms_sent_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX apply_drafts_web ON apply_drafts (web_hash);
CREATE INDEX apply_drafts_tckn ON apply_drafts (tckn, step);
CREATE INDEX apply_drafts_sign ON apply_drafts (sign_session);
CREATE INDEX apply_drafts_app ON apply_drafts (application_id);

-- Elektronik İmzalı Başvuru (the signed act "application-sign",
-- domain/acts.c): the applicant signs the form summary (made per
-- application) and this Sertifika Sahibi Taahhütnamesi.
INSERT INTO sign_texts VALUES ('application-sign', 1, 1,
 'SERTİFİKA SAHİBİ TAAHHÜTNAMESİ

%CA% tarafından adıma düzenlenecek nitelikli elektronik sertifikaya ilişkin olarak:
1. Başvuru formunda verdiğim bilgilerin doğru ve eksiksiz olduğunu, değişmeleri halinde sertifika hizmet sağlayıcısına derhal bildireceğimi,
2. İmza oluşturma verisini taşıyan akıllı kartımı ve PIN kodumu yalnızca kendim kullanacağımı, başkasına kullandırmayacağımı ve güvenli biçimde saklayacağımı,
3. Kartımın kaybolması, çalınması ya da imza oluşturma verimin güvenliğinden şüphe etmem halinde sertifikamın iptali için derhal başvuracağımı,
4. Sertifikamı yalnızca sertifikada belirtilen kullanım amacı ve sınırları içinde kullanacağımı,
5. 5070 sayılı Elektronik İmza Kanunu, ilgili mevzuat ve sertifika hizmet sağlayıcısının Sertifika Uygulama Esaslarında sertifika sahibine yüklenen yükümlülüklere uyacağımı
kabul, beyan ve taahhüt ederim.', 0);
