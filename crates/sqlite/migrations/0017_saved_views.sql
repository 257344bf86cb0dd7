-- A person's saved views of the case list: a name and the view's query string.
CREATE TABLE saved_views (
    person_id   INTEGER NOT NULL REFERENCES people(id),
    name        TEXT NOT NULL,
    query       TEXT NOT NULL,
    saved_at    INTEGER NOT NULL,
    PRIMARY KEY (person_id, name)
) WITHOUT ROWID;
