-- Single-use links that let a person set a password: an invitation for someone new, or
-- a reset for someone who forgot theirs. Only the SHA-256 digest of a link is stored.
-- A link is spent (`used_at`) when it is used or when a newer link of the same person
-- replaces it, so only the latest mail works.
CREATE TABLE staff_password_links (
    hash        BLOB PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    purpose     TEXT NOT NULL CHECK (purpose IN ('invite', 'reset')),
    created_by  INTEGER REFERENCES people(id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
) WITHOUT ROWID;
CREATE INDEX staff_password_links_by_person ON staff_password_links(person_id, used_at);
