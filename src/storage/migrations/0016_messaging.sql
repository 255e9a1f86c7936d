-- Messaging and live push (issue 11, docs/messaging.md).
--
-- Each account has one live feed: events numbered 1, 2, 3… with no gap. A writer takes the next numbers of an
-- account by bumping its head row, which it holds locked until its commit (PostgreSQL), so that number n+1 is never
-- visible before number n: a socket that resumes "after n" misses nothing and gets nothing twice.
CREATE TABLE live_heads (
    account_id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL
);
CREATE TABLE live_events (
    account_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (account_id, seq)
);

-- kind: 'direct' (two accounts; direct_key = the two ids sorted, one conversation per pair), 'group' (named).
-- Messages are numbered per conversation (last_seq, bumped under the conversation's row lock).
CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    direct_key TEXT UNIQUE,
    created_by TEXT NOT NULL REFERENCES accounts (id),
    created_at BIGINT NOT NULL,
    last_seq BIGINT NOT NULL DEFAULT 0,
    last_at BIGINT NOT NULL
);

-- A member reads the messages numbered after joined_seq and, once gone, up to left_seq; read_seq is the read
-- cursor (unread = messages of others after it), raised only.
CREATE TABLE conversation_members (
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    joined_seq BIGINT NOT NULL,
    left_seq BIGINT,
    read_seq BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, account_id)
);
CREATE INDEX conversation_members_account ON conversation_members (account_id, conversation_id);

-- id: named by the client (a resend of the same id returns the stored message). An edit or a deletion keeps the
-- earlier text in message_versions (and the audit trail); a deleted message shows "message supprimé".
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    seq BIGINT NOT NULL,
    author_id TEXT NOT NULL REFERENCES accounts (id),
    body TEXT NOT NULL,
    reply_to TEXT,
    created_at BIGINT NOT NULL,
    edited_at BIGINT,
    deleted_at BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (conversation_id, seq)
);
CREATE INDEX messages_author ON messages (conversation_id, author_id, seq);

CREATE TABLE message_versions (
    message_id TEXT NOT NULL REFERENCES messages (id),
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    replaced_at BIGINT NOT NULL,
    PRIMARY KEY (message_id, version)
);
