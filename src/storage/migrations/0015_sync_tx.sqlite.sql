-- SQLite has one writer and commits in seq order: tx stays 0 and the (tx, seq) order is the seq order.
ALTER TABLE change_log ADD COLUMN tx BIGINT NOT NULL DEFAULT 0;
CREATE INDEX change_log_order ON change_log (tx, seq);
