-- Trust: a self-declared RPPS number proves nothing (RPPS numbers are public open data). An account reaches
-- a directory entry's care circles only through a proven link: confirmed by the approver who saw the entry
-- beside what the applicant typed, or proven by a Pro Santé Connect login.
--   claimed_professional_id  the entry whose RPPS the applicant typed, waiting for the approver
--   professional_id          the proven link (the policy reads only this one)
--   professional_link        how it was proven: confirmed | psc | operator
--   declared                 what the applicant typed (names, profession) as JSON, shown to the approver
ALTER TABLE accounts ADD COLUMN claimed_professional_id TEXT REFERENCES professionals (id);
ALTER TABLE accounts ADD COLUMN professional_link TEXT;
ALTER TABLE accounts ADD COLUMN declared TEXT;

-- Links made by the old sign-up were never proven: accounts approved through an enrolment keep their entry as
-- a claim, to be confirmed again by an approver or by a Pro Santé Connect login. Accounts created by an
-- operator (CLI, demo) keep their link.
UPDATE accounts SET claimed_professional_id = professional_id, professional_id = NULL
    WHERE professional_id IS NOT NULL AND decided_by IS NOT NULL;
UPDATE accounts SET professional_link = 'operator' WHERE professional_id IS NOT NULL;
-- Never two accounts on one entry: the oldest keeps it, the others fall back to a claim.
UPDATE accounts SET claimed_professional_id = professional_id, professional_id = NULL, professional_link = NULL
    WHERE professional_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM accounts o WHERE o.professional_id = accounts.professional_id AND o.id <> accounts.id
            AND (o.created_at < accounts.created_at OR (o.created_at = accounts.created_at AND o.id < accounts.id)));
CREATE UNIQUE INDEX accounts_professional_link ON accounts (professional_id) WHERE professional_id IS NOT NULL;
CREATE INDEX accounts_claimed_professional ON accounts (claimed_professional_id);
