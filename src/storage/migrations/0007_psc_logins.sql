-- Pro Santé Connect logins in progress (auth/psc.hpp), kept in the database so that the callback may reach any
-- node. A row lives ten minutes: state and nonce are single-use; after the provider's answer it holds the verified
-- identity until the person links an existing account or creates one (link_token, thirty minutes).
CREATE TABLE psc_logins (
    state_hash TEXT PRIMARY KEY,
    binding_hash TEXT NOT NULL,
    nonce TEXT NOT NULL,
    code_verifier TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    link_token_hash TEXT UNIQUE,
    link_expires_at BIGINT,
    identity TEXT,
    linked_at BIGINT
);
CREATE INDEX psc_logins_expires ON psc_logins (expires_at);
