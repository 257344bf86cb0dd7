-- Feeds and reports read events of one kind, newest first (what was learned, upgrades).
CREATE INDEX events_by_kind ON events(kind, at);
