-- Delight experiments. An experiment's key seeds the split and never changes; its
-- settings are versions (a started experiment's change is a new version, so the report
-- can split by version); its life is events. Cached with the directory: a change moves
-- the directory version, so every server routes by the same experiments.
CREATE TABLE experiments (
    key         TEXT PRIMARY KEY,
    state       TEXT NOT NULL CHECK (state IN ('draft', 'running', 'paused', 'ended')),
    version     INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES people(id)
) WITHOUT ROWID;

CREATE TABLE experiment_versions (
    experiment_key  TEXT NOT NULL REFERENCES experiments(key),
    version         INTEGER NOT NULL,
    settings        TEXT NOT NULL,
    saved_at        INTEGER NOT NULL,
    saved_by        INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (experiment_key, version)
) WITHOUT ROWID;

CREATE TABLE experiment_events (
    id              INTEGER PRIMARY KEY,
    experiment_key  TEXT NOT NULL REFERENCES experiments(key),
    kind            TEXT NOT NULL,
    version         INTEGER NOT NULL,
    at              INTEGER NOT NULL,
    by_person       INTEGER NOT NULL REFERENCES people(id)
);
CREATE INDEX experiment_events_by_key ON experiment_events(experiment_key, id);

CREATE TRIGGER experiments_added AFTER INSERT ON experiments
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER experiments_changed AFTER UPDATE ON experiments
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER experiment_versions_changed AFTER UPDATE ON experiment_versions
BEGIN UPDATE directory_version SET version = version + 1; END;

-- Each customer's arm, decided once by the hash when their first case in scope opened,
-- and never changed: later cases read it. A merge gives the kept customer the earlier of
-- the two assignments; the merged one's row stays as it was.
CREATE TABLE experiment_assignments (
    experiment_key  TEXT NOT NULL REFERENCES experiments(key),
    customer_id     INTEGER NOT NULL REFERENCES customers(id),
    arm             TEXT NOT NULL CHECK (arm IN ('treated', 'control')),
    bucket          REAL NOT NULL,
    version         INTEGER NOT NULL,
    assigned_at     INTEGER NOT NULL,
    -- Set when the row came from a merged customer.
    merged_from     INTEGER REFERENCES customers(id),
    PRIMARY KEY (experiment_key, customer_id)
) WITHOUT ROWID;

-- The experiment report reads each assigned customer's cases in order of opening.
CREATE INDEX cases_by_customer_opening ON cases(customer_id, opened_at);
