-- Patients and their care circle (issue 5): identity with INS status, circle members with their
-- period, break-the-glass accesses, the append-only liaison notebook with attachments, alerts with
-- their recipients, and the per-patient timeline that indexes all of it for display.

CREATE TABLE patients (
    id TEXT PRIMARY KEY,
    birth_name TEXT NOT NULL,
    birth_first_names TEXT NOT NULL,
    first_name TEXT NOT NULL,
    used_name TEXT,
    used_first_name TEXT,
    birth_date TEXT NOT NULL,
    sex TEXT NOT NULL,
    birthplace_code TEXT,
    identity_status TEXT NOT NULL,
    flag_douteuse BIGINT NOT NULL DEFAULT 0,
    flag_fictive BIGINT NOT NULL DEFAULT 0,
    flag_homonyme BIGINT NOT NULL DEFAULT 0,
    validation_document TEXT,
    ins_matricule TEXT,
    ins_oid TEXT,
    phone TEXT,
    address TEXT,
    -- Folded (lower case, no accents) names: what search and twin detection compare.
    name_key TEXT NOT NULL,
    -- Every name part (birth, used, first names), folded, each after a space: " lefevre abcde marie ".
    search_names TEXT NOT NULL DEFAULT '',
    used_name_key TEXT,
    first_name_key TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    merged_into TEXT,
    last_activity_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX patients_name_key ON patients (name_key);
CREATE INDEX patients_used_name_key ON patients (used_name_key);
CREATE INDEX patients_birth_date ON patients (birth_date);
CREATE INDEX patients_ins ON patients (ins_matricule);

CREATE TABLE circle_members (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients (id),
    kind TEXT NOT NULL,
    account_id TEXT REFERENCES accounts (id),
    professional_id TEXT REFERENCES professionals (id),
    structure_id TEXT REFERENCES structures (id),
    contact_name TEXT,
    contact_phone TEXT,
    contact_relation TEXT,
    role TEXT NOT NULL,
    referent BIGINT NOT NULL DEFAULT 0,
    start_at BIGINT NOT NULL,
    end_at BIGINT,
    informed_at BIGINT,
    informed_by TEXT,
    informed_how TEXT,
    opposed_at BIGINT,
    opposed_by TEXT,
    opposed_how TEXT,
    opposed_reason TEXT,
    added_by TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX circle_members_patient ON circle_members (patient_id);
CREATE INDEX circle_members_account ON circle_members (account_id, patient_id);
CREATE INDEX circle_members_professional ON circle_members (professional_id, patient_id);
CREATE INDEX circle_members_structure ON circle_members (structure_id, patient_id);

CREATE TABLE break_glass (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    reason TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    until_at BIGINT NOT NULL
);
CREATE INDEX break_glass_account ON break_glass (account_id, patient_id, until_at);

CREATE TABLE notebook_entries (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients (id),
    root_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    supersedes TEXT,
    superseded_by TEXT,
    kind TEXT NOT NULL,
    visibility TEXT NOT NULL,
    author_id TEXT NOT NULL,
    author_name TEXT NOT NULL,
    author_profession TEXT NOT NULL,
    structure_id TEXT,
    fact_at BIGINT NOT NULL,
    written_at BIGINT NOT NULL,
    body TEXT NOT NULL,
    vitals TEXT
);
CREATE INDEX notebook_entries_patient ON notebook_entries (patient_id, fact_at, id);
CREATE INDEX notebook_entries_root ON notebook_entries (root_id, version);

-- One row per upload (per patient); the bytes live once under DATA/blobs by their SHA-256.
CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients (id),
    sha256 TEXT NOT NULL,
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    entry_id TEXT
);
CREATE INDEX attachments_patient ON attachments (patient_id);
CREATE INDEX attachments_entry ON attachments (entry_id);

CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients (id),
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    body TEXT NOT NULL,
    source TEXT NOT NULL,
    raised_by TEXT,
    raised_by_name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX alerts_patient ON alerts (patient_id, created_at);

CREATE TABLE alert_recipients (
    alert_id TEXT NOT NULL REFERENCES alerts (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    patient_id TEXT NOT NULL,
    acknowledged_at BIGINT,
    PRIMARY KEY (alert_id, account_id)
);
CREATE INDEX alert_recipients_account ON alert_recipients (account_id, acknowledged_at, patient_id);

-- Everything that happened to a patient, newest first; each service adds its rows in its own
-- transaction. `visibility`/`structure_id` follow the notebook rules so one filter serves all kinds.
CREATE TABLE timeline_events (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients (id),
    at BIGINT NOT NULL,
    written_at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    action TEXT NOT NULL,
    author_id TEXT,
    author_name TEXT NOT NULL,
    visibility TEXT NOT NULL,
    structure_id TEXT,
    summary TEXT NOT NULL,
    ref_id TEXT,
    superseded BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX timeline_events_patient ON timeline_events (patient_id, at, id);
CREATE INDEX timeline_events_written ON timeline_events (patient_id, written_at);

CREATE TABLE patient_reads (
    account_id TEXT NOT NULL,
    patient_id TEXT NOT NULL,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, patient_id)
);

-- The access log of a patient reads the audit trail by target.
CREATE INDEX audit_log_target ON audit_log (target_id, seq);
