-- Entry numbers stay unique across lanes: one sequence, started after the last entry.
CREATE SEQUENCE audit_log_seq;
SELECT setval('audit_log_seq', COALESCE((SELECT MAX(seq) FROM audit_log), 0) + 1, false);
-- Every lane has its head row from the start: a writer locks its lane by locking that row (SELECT … FOR UPDATE),
-- which also reads the head, in one round trip. Seq 0 with the genesis hash is an empty lane.
INSERT INTO audit_head (id, seq, hash)
SELECT g, 0, repeat('0', 64) FROM generate_series(1, 16) AS g
ON CONFLICT (id) DO NOTHING;
