-- 008_edevlet: E-Devlet ile Giriş (OpenID Connect, src/domain/edevlet.c).
--
-- edevlet_states: one row per login started at the provider.  The state
-- value and the browser binding (a short-lived cookie) are stored only as
-- SHA-256; the PKCE verifier and the nonce are derived from the state with
-- the server's session key, so nothing here is a secret.  web_hash is the
-- browser session that started it (replaced by the holder's session at
-- login).  used_at: the callback came (single use); code_hash: the
-- authorization code it brought, never exchanged twice.
CREATE TABLE edevlet_states (
    state_hash TEXT PRIMARY KEY,
    binding_hash TEXT NOT NULL,
    web_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    code_hash TEXT UNIQUE,
    client_addr TEXT
);
CREATE INDEX edevlet_states_expires ON edevlet_states (expires_at);

-- How the holder of a web session logged in.
ALTER TABLE web_sessions ADD COLUMN login_method TEXT
    CHECK (login_method IN ('e-imza', 'şifre', 'e-devlet'));
