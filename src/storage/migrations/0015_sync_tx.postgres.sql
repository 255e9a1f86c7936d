-- The transaction that wrote each change: sequence numbers are taken at insert, not at commit, so a sync reads the
-- log in (tx, seq) order and only up to the oldest transaction still running; nothing committed later can then fall
-- behind a cursor already given (docs/architecture.md, "Sync").
ALTER TABLE change_log ADD COLUMN tx BIGINT NOT NULL DEFAULT txid_current();
CREATE INDEX change_log_order ON change_log (tx, seq);
