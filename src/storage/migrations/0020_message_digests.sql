-- Issue 11: the e-mail digest of unread messages (messaging/digest.cpp): when each account was last sent one, so that
-- any node sends it once per period, and only when something arrived since.
CREATE TABLE message_digests (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id),
    sent_at BIGINT NOT NULL
);
