-- Foundation: structures (minimal directory), accounts, sessions, one-time tokens, throttling,
-- email outbox, favourites, idempotency keys, change log, audit trail.
-- Times are integer microseconds since the epoch (UTC). Ids are UUIDv7 text.

CREATE TABLE structures (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_search TEXT NOT NULL,
    kind TEXT NOT NULL,
    finess TEXT,
    commune TEXT,
    postal_code TEXT,
    status TEXT NOT NULL DEFAULT 'active',
    proposed_by TEXT,
    created_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX structures_name_search ON structures (name_search);

CREATE TABLE professionals (
    id TEXT PRIMARY KEY,
    rpps TEXT,
    civility TEXT,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    profession_code TEXT NOT NULL,
    profession_label TEXT NOT NULL,
    specialty TEXT,
    practice_mode TEXT,
    structure_id TEXT REFERENCES structures (id),
    commune TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX professionals_rpps ON professionals (rpps);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    profession_code TEXT NOT NULL,
    profession_label TEXT NOT NULL,
    specialty TEXT,
    rpps TEXT,
    phone TEXT,
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    rejection_reason TEXT,
    totp_secret TEXT,
    totp_enabled BIGINT NOT NULL DEFAULT 0,
    totp_last_step BIGINT NOT NULL DEFAULT 0,
    email_confirmed_at BIGINT,
    decided_by TEXT,
    decided_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX accounts_status ON accounts (status);

CREATE TABLE account_structures (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    structure_id TEXT NOT NULL REFERENCES structures (id),
    role TEXT NOT NULL,
    PRIMARY KEY (account_id, structure_id)
);
CREATE INDEX account_structures_structure ON account_structures (structure_id);

CREATE TABLE recovery_codes (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (account_id, code_hash)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    stage TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ip TEXT
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE auth_tokens (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    purpose TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE TABLE auth_failures (
    id {{serial_pk}},
    key TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX auth_failures_key ON auth_failures (key, at);

CREATE TABLE emails (
    id TEXT PRIMARY KEY,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    claimed_at BIGINT,
    sent_at BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX emails_pending ON emails (sent_at, created_at);

CREATE TABLE favorites (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    label TEXT NOT NULL,
    url TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX favorites_account ON favorites (account_id, created_at);

CREATE TABLE idempotency_keys (
    owner TEXT NOT NULL,
    key TEXT NOT NULL,
    request_path TEXT NOT NULL,
    status BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (owner, key)
);

CREATE TABLE change_log (
    seq {{serial_pk}},
    at BIGINT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    op TEXT NOT NULL,
    scope TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX change_log_scope ON change_log (scope, seq);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id TEXT,
    action TEXT NOT NULL,
    target_type TEXT,
    target_id TEXT,
    ip TEXT,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);

-- The head of the chain, so that removing the last entries is detected too.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
