-- Finding people in their own words (docs/directory.md, "Vocabulary" and "Local entries").
-- The words a territory's operators add to the shipped vocabulary (src/directory/vocabulary.tsv): each row is
-- one phrase and one meaning; a phrase may have several rows (several meanings).
CREATE TABLE directory_vocabulary (
    id TEXT PRIMARY KEY,
    words TEXT NOT NULL,
    words_key TEXT NOT NULL,
    label TEXT NOT NULL,
    profession_code TEXT,
    specialty TEXT,
    practice_mode TEXT,
    category TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX directory_vocabulary_words ON directory_vocabulary (words_key);

-- MSSanté addresses (the national secure messaging), as the national MSSanté extraction carries them: one per
-- professional, one per structure (its organisational mailbox). No RPPS/FINESS import writes them.
ALTER TABLE professionals ADD COLUMN mssante TEXT;
ALTER TABLE structures ADD COLUMN mssante TEXT;

-- Local entries (demo, accounts without RPPS) have an index of their own, rebuilt alone when an account changes:
-- reading them must not scan the national file's rows.
CREATE INDEX professionals_local ON professionals (id) WHERE source <> 'rpps';

-- Every active account is in the directory: those without a national entry get a local one, under the account's
-- own id (linked as 'local'), so that colleagues find them by name and add them to a care circle.
INSERT INTO professionals (id, first_name, last_name, profession_code, profession_label, specialty, source, active,
                           created_at)
    SELECT id, first_name, last_name, COALESCE(profession_code, 'AUTRE'), COALESCE(profession_label, 'Autre'),
           specialty, 'local', 1, created_at
    FROM accounts WHERE status = 'active' AND professional_id IS NULL AND claimed_professional_id IS NULL
        AND NOT EXISTS (SELECT 1 FROM professionals p WHERE p.id = accounts.id);
UPDATE accounts SET professional_id = id, professional_link = 'local'
    WHERE status = 'active' AND professional_id IS NULL AND claimed_professional_id IS NULL
        AND EXISTS (SELECT 1 FROM professionals p WHERE p.id = accounts.id);
