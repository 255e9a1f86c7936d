-- Directory (référentiel des acteurs): professionals and structures from the national files (RPPS,
-- FINESS) or created in Cordée, the sites where professionals work, and what structures offer
-- (ROR-like activities) with their capacities and the history of every update.

ALTER TABLE structures ADD COLUMN finess_ej TEXT;
ALTER TABLE structures ADD COLUMN siret TEXT;
ALTER TABLE structures ADD COLUMN long_name TEXT;
ALTER TABLE structures ADD COLUMN category_code TEXT;
ALTER TABLE structures ADD COLUMN category_label TEXT;
ALTER TABLE structures ADD COLUMN address TEXT;
ALTER TABLE structures ADD COLUMN commune_code TEXT;
ALTER TABLE structures ADD COLUMN departement TEXT;
ALTER TABLE structures ADD COLUMN phone TEXT;
ALTER TABLE structures ADD COLUMN email TEXT;
ALTER TABLE structures ADD COLUMN lat DOUBLE PRECISION;
ALTER TABLE structures ADD COLUMN lon DOUBLE PRECISION;
ALTER TABLE structures ADD COLUMN source TEXT NOT NULL DEFAULT 'local';
ALTER TABLE structures ADD COLUMN active BIGINT NOT NULL DEFAULT 1;
ALTER TABLE structures ADD COLUMN updated_at BIGINT;
ALTER TABLE structures ADD COLUMN import_hash TEXT;
ALTER TABLE structures ADD COLUMN description TEXT;
CREATE UNIQUE INDEX structures_finess ON structures (finess) WHERE finess IS NOT NULL AND finess <> '';
-- Lookups by FINESS number (linking sites, imports) cannot use the partial index above.
CREATE INDEX structures_finess_lookup ON structures (finess);

ALTER TABLE professionals ADD COLUMN id_type TEXT;
ALTER TABLE professionals ADD COLUMN national_id TEXT;
ALTER TABLE professionals ADD COLUMN specialty_code TEXT;
ALTER TABLE professionals ADD COLUMN postal_code TEXT;
ALTER TABLE professionals ADD COLUMN departement TEXT;
ALTER TABLE professionals ADD COLUMN source TEXT NOT NULL DEFAULT 'local';
ALTER TABLE professionals ADD COLUMN active BIGINT NOT NULL DEFAULT 1;
ALTER TABLE professionals ADD COLUMN updated_at BIGINT;
ALTER TABLE professionals ADD COLUMN import_hash TEXT;
CREATE UNIQUE INDEX professionals_national_id ON professionals (national_id) WHERE national_id IS NOT NULL;
-- The national id (type digit + RPPS/ADELI number) serves the lookups by number.
DROP INDEX professionals_rpps;

-- An account knows its entry in the directory (found by RPPS number at sign-up).
ALTER TABLE accounts ADD COLUMN professional_id TEXT REFERENCES professionals (id);

CREATE TABLE professional_activities (
    id TEXT PRIMARY KEY,
    professional_id TEXT NOT NULL REFERENCES professionals (id),
    structure_id TEXT REFERENCES structures (id),
    site_name TEXT,
    siret TEXT,
    finess_site TEXT,
    finess_ej TEXT,
    address TEXT,
    postal_code TEXT,
    commune_code TEXT,
    commune TEXT,
    departement TEXT,
    phone TEXT,
    email TEXT,
    practice_mode TEXT,
    specialty_code TEXT,
    specialty_label TEXT
);
CREATE INDEX professional_activities_professional ON professional_activities (professional_id);
-- Most sites are no FINESS structure: index only those that are (a bulk import then writes far less).
CREATE INDEX professional_activities_structure ON professional_activities (structure_id) WHERE structure_id IS NOT NULL;

CREATE TABLE structure_activities (
    id TEXT PRIMARY KEY,
    structure_id TEXT NOT NULL REFERENCES structures (id),
    field TEXT NOT NULL,
    care_mode TEXT NOT NULL,
    label TEXT NOT NULL,
    public_min_age BIGINT,
    public_max_age BIGINT,
    area TEXT,
    created_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX structure_activities_structure ON structure_activities (structure_id);

CREATE TABLE capacities (
    activity_id TEXT NOT NULL REFERENCES structure_activities (id),
    type TEXT NOT NULL,
    count BIGINT NOT NULL,
    unit TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT,
    PRIMARY KEY (activity_id, type)
);

CREATE TABLE capacity_history (
    id {{serial_pk}},
    activity_id TEXT NOT NULL REFERENCES structure_activities (id),
    type TEXT NOT NULL,
    count BIGINT NOT NULL,
    unit TEXT NOT NULL,
    at BIGINT NOT NULL,
    by_account TEXT
);
CREATE INDEX capacity_history_activity ON capacity_history (activity_id, id);

-- Imports stream the national files into these tables first, in small transactions that touch no
-- live data; the new data then replaces the old in one transaction (an interrupted import changes
-- nothing that users see).
CREATE {{unlogged}} TABLE staging_rpps_professionals (
    grp BIGINT NOT NULL,
    professional_id TEXT NOT NULL,
    id_type TEXT NOT NULL,
    national_id TEXT NOT NULL,
    pp TEXT NOT NULL,
    civility TEXT,
    first_name TEXT,
    last_name TEXT,
    profession_code TEXT,
    profession_label TEXT,
    specialty_code TEXT,
    specialty_label TEXT,
    practice_mode TEXT,
    postal_code TEXT,
    commune TEXT,
    departement TEXT,
    hash TEXT NOT NULL
);

CREATE {{unlogged}} TABLE staging_rpps (
    line BIGINT NOT NULL,
    grp BIGINT NOT NULL,
    activity_id TEXT NOT NULL,
    professional_id TEXT NOT NULL,
    practice_mode TEXT,
    specialty_code TEXT,
    specialty_label TEXT,
    siret TEXT,
    finess_site TEXT,
    finess_ej TEXT,
    site_name TEXT,
    address TEXT,
    postal_code TEXT,
    commune_code TEXT,
    commune TEXT,
    departement TEXT,
    phone TEXT,
    email TEXT
);

CREATE {{unlogged}} TABLE staging_finess (
    line BIGINT NOT NULL,
    structure_id TEXT NOT NULL,
    finess TEXT NOT NULL,
    finess_ej TEXT,
    name TEXT,
    name_search TEXT,
    long_name TEXT,
    address TEXT,
    commune_code TEXT,
    departement TEXT,
    postal_code TEXT,
    commune TEXT,
    phone TEXT,
    category_code TEXT,
    category_label TEXT,
    siret TEXT,
    hash TEXT NOT NULL
);

CREATE {{unlogged}} TABLE staging_finess_geo (
    finess TEXT NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL
);
-- The staging tables' indexes are made by each import after loading (much faster than keeping
-- them up to date row by row).
