-- Phone lines: the channel or extension a telephone system names the answering operator
-- by (`PJSIP/201`, `1001`), and the person who answers on it, so that the calls report
-- shows people rather than lines. Lines compare without regard to case. Cached with the
-- directory, so a change moves the directory version like any change to people.
CREATE TABLE phone_lines (
    line       TEXT PRIMARY KEY COLLATE NOCASE,
    person_id  INTEGER NOT NULL REFERENCES people(id)
);
CREATE TRIGGER phone_lines_added AFTER INSERT ON phone_lines
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER phone_lines_changed AFTER UPDATE ON phone_lines
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER phone_lines_removed AFTER DELETE ON phone_lines
BEGIN UPDATE directory_version SET version = version + 1; END;

-- The calls report finds the phone cases opened in its month.
CREATE INDEX cases_by_channel_opening ON cases(channel, opened_at);
