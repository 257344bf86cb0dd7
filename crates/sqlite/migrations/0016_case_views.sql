-- The views of the case lists filter by channel and by whether a case waits on its
-- customer (we wrote last and they have not answered), so the projection keeps both,
-- filled in here from the events once and kept by every write after.
ALTER TABLE cases ADD COLUMN channel TEXT NOT NULL DEFAULT 'email';
ALTER TABLE cases ADD COLUMN awaiting_customer INTEGER NOT NULL DEFAULT 0;

UPDATE cases SET channel = COALESCE(
    (SELECT json_extract(o.data, '$.data.channel') FROM events o WHERE o.case_id = cases.id AND o.seq = 1),
    'email');
UPDATE cases SET awaiting_customer = COALESCE(
    (SELECT e.kind = 'message_sent' FROM events e
     WHERE e.case_id = cases.id AND +e.kind IN ('message_sent', 'customer_replied', 'reopened', 'solved')
     ORDER BY e.seq DESC LIMIT 1), 0);

-- The company-wide escalated view, and the recently solved one, in their own order.
CREATE INDEX cases_escalated ON cases(state, escalates_at) WHERE escalated = 1;
CREATE INDEX cases_by_change ON cases(state, updated_at);
