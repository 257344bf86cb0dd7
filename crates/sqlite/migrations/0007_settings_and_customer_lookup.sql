-- Settings admins change on the pages (rules, mail); each overrides the server's
-- configuration of the same name until it is cleared. Who changed it and when is kept.
CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    changed_by  INTEGER NOT NULL REFERENCES people(id),
    changed_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- Phone intake finds a caller by the start of their name or phone number (email already
-- has its unique index). NOCASE, because LIKE ignores case and only then uses an index.
CREATE INDEX customers_by_name ON customers(name COLLATE NOCASE);
CREATE INDEX customers_by_phone ON customers(phone COLLATE NOCASE);
