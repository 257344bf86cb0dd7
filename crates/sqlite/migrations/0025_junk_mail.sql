-- Junk mail: messages suspended instead of opening a case (kept whole until settled,
-- their bytes forgotten a while after a deletion), and the learning filter's counts.
CREATE TABLE suspended_mail (
    id          INTEGER PRIMARY KEY,
    received_at INTEGER NOT NULL,
    sender      TEXT,
    subject     TEXT NOT NULL,
    score       REAL NOT NULL,
    why         TEXT NOT NULL,
    size        INTEGER NOT NULL,
    raw         BLOB,
    settled     TEXT CHECK (settled IN ('released', 'deleted')),
    settled_by  INTEGER REFERENCES people(id),
    settled_at  INTEGER
);
CREATE INDEX suspended_mail_waiting ON suspended_mail(received_at) WHERE settled IS NULL;

CREATE TABLE junk_tokens (
    token    TEXT PRIMARY KEY,
    junk     INTEGER NOT NULL DEFAULT 0,
    customer INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- How many messages of each kind the filter was taught: one row per kind.
CREATE TABLE junk_taught (
    kind     TEXT PRIMARY KEY CHECK (kind IN ('junk', 'customer')),
    messages INTEGER NOT NULL
);
INSERT INTO junk_taught (kind, messages) VALUES ('junk', 0), ('customer', 0);
