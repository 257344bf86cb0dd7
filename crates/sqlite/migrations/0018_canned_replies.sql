-- Canned replies: texts staff insert into a reply. Shared ones (no owner) may be for one
-- category or all; personal ones belong to their owner.
CREATE TABLE canned_replies (
    id          INTEGER PRIMARY KEY,
    owner_id    INTEGER REFERENCES people(id),
    category    TEXT REFERENCES categories(key),
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES people(id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX canned_replies_by_owner ON canned_replies(owner_id, category);
