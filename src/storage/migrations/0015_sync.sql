-- Offline sync (issue 10): which patients each account's feed has delivered (so that the end of an access becomes a
-- tombstone in that feed), and the key each account's devices encrypt their offline store with.
CREATE TABLE sync_access (
    account_id TEXT NOT NULL,
    patient_id TEXT NOT NULL,
    PRIMARY KEY (account_id, patient_id)
);

CREATE TABLE sync_keys (
    account_id TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
