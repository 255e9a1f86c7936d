-- Issue 11: "delivered" receipts. delivered_seq is the last message a device of the member has received (its client
-- says so, or it read it), raised only, never beyond the last message; read implies delivered.
ALTER TABLE conversation_members ADD COLUMN delivered_seq BIGINT NOT NULL DEFAULT 0;
