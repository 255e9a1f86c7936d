-- Uploads (docs/patients.md): an account's bytes are summed for its quota (upload_quota_bytes) in the transaction that
-- records a file, and a blob is looked up by its hash before it is removed (a failed upload's, or an orphan the
-- collector finds).
CREATE INDEX attachments_uploaded_by ON attachments (uploaded_by, size);
CREATE INDEX attachments_sha256 ON attachments (sha256);
