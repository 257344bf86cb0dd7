-- A counter of changes to what every server caches: people, categories and settings.
-- Triggers bump it in the same transaction as the change itself, so no write path can
-- forget it; each server compares it with its cache's several times a second.
CREATE TABLE directory_version (
    only    INTEGER PRIMARY KEY CHECK (only = 1),
    version INTEGER NOT NULL
);
INSERT INTO directory_version (only, version) VALUES (1, 0);

CREATE TRIGGER people_added AFTER INSERT ON people
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER people_changed AFTER UPDATE ON people
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER people_removed AFTER DELETE ON people
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER categories_added AFTER INSERT ON categories
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER categories_changed AFTER UPDATE ON categories
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER categories_removed AFTER DELETE ON categories
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER settings_added AFTER INSERT ON settings
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER settings_changed AFTER UPDATE ON settings
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER settings_removed AFTER DELETE ON settings
BEGIN UPDATE directory_version SET version = version + 1; END;
