-- The case a call was about: the case opened for a missed call, or the open case of a
-- caller who called about it again.
ALTER TABLE calls ADD COLUMN case_id INTEGER REFERENCES cases(id);
CREATE INDEX calls_by_case ON calls(case_id, arrived_at) WHERE case_id IS NOT NULL;
