-- Alerts have a visibility, like notebook entries (docs/patients.md): 'circle' (every member), 'health' (health
-- professionals), 'structure' (accounts of the author's structure named in structure_id). Alerts raised before
-- were addressed to the whole circle: they stay 'circle'.
ALTER TABLE alerts ADD COLUMN visibility TEXT NOT NULL DEFAULT 'circle';
ALTER TABLE alerts ADD COLUMN structure_id TEXT;
