-- Issue 11: the conversation of each patient's care circle, urgent messages and mentions (docs/messaging.md).
--
-- kind 'patient': one conversation per patient (patient_id, unique; NULL for the other kinds), whose members are the
-- accounts the circle grants access to, kept with the circle. Reading it takes the policy's grant, like the notebook.
ALTER TABLE conversations ADD COLUMN patient_id TEXT REFERENCES patients (id);
CREATE UNIQUE INDEX conversations_patient ON conversations (patient_id);
-- Whether the member is a health professional: a message restricted to them ('health') is neither sent nor counted
-- to the others (a social worker of the circle), the notebook's rule.
ALTER TABLE conversation_members ADD COLUMN health BIGINT NOT NULL DEFAULT 1;
ALTER TABLE messages ADD COLUMN visibility TEXT NOT NULL DEFAULT 'circle';
-- An urgent message (patient conversations): unread past urgent_due by a recipient, it escalates; escalation is the
-- step reached (0 none yet, 1 the circle's referent and coordinators, 2 the territory's on-call list), urgent_due
-- the time of the next step.
ALTER TABLE messages ADD COLUMN urgent_deadline BIGINT;
ALTER TABLE messages ADD COLUMN urgent_due BIGINT;
ALTER TABLE messages ADD COLUMN escalation BIGINT NOT NULL DEFAULT 0;
CREATE INDEX messages_urgent_due ON messages (urgent_due) WHERE urgent_due IS NOT NULL;
-- Accounts named in the message (@Prénom Nom), space-separated ids; a patient the message is about (any kind of
-- conversation), which each reader opens only through their own grant.
ALTER TABLE messages ADD COLUMN mentions TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN patient_id TEXT REFERENCES patients (id);
-- The text folded for search (lower case, no accents), kept with each edit; empty once deleted.
ALTER TABLE messages ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
