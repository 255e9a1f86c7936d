-- Web Push and live presence (issue 11, docs/messaging.md "Web Push").
--
-- The server's VAPID key pair (RFC 8292), made at the first start of the first node: every node signs with it, and
-- the browsers' subscriptions are bound to its public key. id is always 'vapid'.
CREATE TABLE push_keys (
    id TEXT PRIMARY KEY,
    private_key TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- One row per browser subscription (the endpoint is the push service's URL for that browser profile). It belongs to
-- the account that registered it last; session_hash is the session that did, whose logout ends it.
CREATE TABLE push_subscriptions (
    endpoint TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    session_hash TEXT NOT NULL,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX push_subscriptions_account ON push_subscriptions (account_id, updated_at);
CREATE INDEX push_subscriptions_session ON push_subscriptions (session_hash);

-- Notices waiting to be pushed, written in the transaction of what they tell. endpoint '' means every subscription
-- of the account; a transient failure leaves one row per endpoint to try again at due_at. A dispatcher claims a row
-- (claimed_by, claimed_until: a lease, so that a node that died while sending loses nothing).
CREATE TABLE push_outbox (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    url TEXT NOT NULL,
    tag TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    claimed_by TEXT,
    claimed_until BIGINT
);
CREATE INDEX push_outbox_due ON push_outbox (due_at);

-- Which accounts have a live socket open, node by node (the hub writes its counts; a node's rows count only while its
-- heartbeat is recent, so that a node that died stops counting within 30 s).
CREATE TABLE live_nodes (
    node_id TEXT PRIMARY KEY,
    heartbeat_at BIGINT NOT NULL
);
CREATE TABLE live_presence (
    node_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    sockets BIGINT NOT NULL,
    PRIMARY KEY (node_id, account_id)
);
CREATE INDEX live_presence_account ON live_presence (account_id);
