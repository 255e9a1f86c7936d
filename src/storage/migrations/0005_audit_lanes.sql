-- The audit trail in lanes: each lane is its own hash chain (prev_hash links to the previous entry of the
-- same lane, prev_seq names it), with its own head (audit_head.id = lane + 1). PostgreSQL writers spread
-- over lanes so that audited transactions no longer wait for each other's commit; SQLite has one writer
-- and keeps a single lane (0). Entries written before have lane 0: their chain is unchanged.
ALTER TABLE audit_log ADD COLUMN lane BIGINT NOT NULL DEFAULT 0;
ALTER TABLE audit_log ADD COLUMN prev_seq BIGINT;
CREATE INDEX audit_log_lane ON audit_log (lane, seq);
