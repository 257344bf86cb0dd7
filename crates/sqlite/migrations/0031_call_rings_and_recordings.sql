-- What a source may add about a call: when the first phone began to ring (after a queue
-- or a menu) and where its recording is kept. Older calls have neither.
ALTER TABLE calls ADD COLUMN rang_at INTEGER;
ALTER TABLE calls ADD COLUMN recording_url TEXT;
