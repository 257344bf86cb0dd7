-- The views' "newest" and "oldest" orders, and the live lists asking for the newest case
-- every few seconds, read cases by when they were opened: without this index each of
-- those reads sorted every case.
CREATE INDEX cases_by_opening ON cases(opened_at, id);
