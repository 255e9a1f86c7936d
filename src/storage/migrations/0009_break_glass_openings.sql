-- An account's emergency openings of the last 24 hours are counted at each opening (setting break_glass_per_day):
-- one index range per account.
CREATE INDEX break_glass_account_started ON break_glass (account_id, started_at);
