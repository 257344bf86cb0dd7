-- What a source may add about a call: when the first phone began to ring (after a queue
-- or a menu) and where its recording is kept. Older calls have neither.
ALTER TABLE calls ADD COLUMN rang_at INTEGER;
ALTER TABLE calls ADD COLUMN recording_url TEXT;

-- The missed calls no case owns yet, by their end: the scheduler's follow-up sweep reads
-- the last day of them (the history of imports stays, but is never in the day asked for).
CREATE INDEX calls_missed_open ON calls(ended_at) WHERE answered_at IS NULL AND case_id IS NULL;
