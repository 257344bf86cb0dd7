-- How customers sign in to the portal: single-use emailed links and the sessions they
-- open. Only SHA-256 digests are stored; the secrets themselves live in the mail and the
-- browser.

CREATE TABLE customer_sign_in_links (
    hash        BLOB PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
) WITHOUT ROWID;

CREATE TABLE customer_sessions (
    hash        BLOB PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
