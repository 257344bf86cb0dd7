-- Staff sign in to the web pages with a password (an argon2id PHC string; NULL: none set
-- yet, the person uses API tokens only) and get a session cookie whose digest is stored.

ALTER TABLE people ADD COLUMN password_hash TEXT;

CREATE TABLE staff_sessions (
    hash        BLOB PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX staff_sessions_by_person ON staff_sessions(person_id);
