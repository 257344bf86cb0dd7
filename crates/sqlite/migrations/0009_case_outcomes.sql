-- What customer math needs of each case, kept in the projection instead of read from the
-- events' JSON every time: who took it in, the solve it stands on (only while solved),
-- and whether it went through an escalation. Filled in from the events once.
ALTER TABLE cases ADD COLUMN intake_owner INTEGER;
ALTER TABLE cases ADD COLUMN solved_at INTEGER;
ALTER TABLE cases ADD COLUMN solved_by INTEGER;
ALTER TABLE cases ADD COLUMN road INTEGER;
ALTER TABLE cases ADD COLUMN escalated INTEGER NOT NULL DEFAULT 0;

UPDATE cases SET intake_owner =
    (SELECT json_extract(o.data, '$.data.owner') FROM events o WHERE o.case_id = cases.id AND o.seq = 1);
UPDATE cases SET escalated =
    EXISTS (SELECT 1 FROM events x WHERE x.case_id = cases.id AND +x.kind = 'escalated');
UPDATE cases SET (solved_at, solved_by, road) =
    (SELECT e.at, e.actor_person, json_extract(e.data, '$.data.road') FROM events e
     WHERE e.case_id = cases.id AND e.seq =
         (SELECT MAX(seq) FROM events s WHERE s.case_id = cases.id AND +s.kind = 'solved'))
WHERE state = 'solved';
