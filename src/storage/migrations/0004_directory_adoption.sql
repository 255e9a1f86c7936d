-- A professional entered locally and later found in the national RPPS file keeps its row (accounts and care
-- circles point at it); `adopted` lets the following imports find that row by its national number, since
-- its id is not the one the import derives from the number.
ALTER TABLE professionals ADD COLUMN adopted BIGINT NOT NULL DEFAULT 0;
