-- The full-text index moves to its own file, kept by its own thread: FTS5 merging its
-- segments inside the writer's transaction held whole groups of requests for 20-70 ms.
-- A request now only queues the words it adds; the index takes them from here in order.
-- AUTOINCREMENT: queue ids never come back after their rows are deleted, so "indexed up
-- to id N" means the same thing for ever.
DROP TABLE case_text;
CREATE TABLE search_queue (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    row  INTEGER NOT NULL,
    body TEXT NOT NULL
);
-- Which database an index file was built from: an index found beside another database
-- (a backup copied into place from elsewhere) is rebuilt instead of trusted.
CREATE TABLE search_identity (
    token TEXT NOT NULL
);
INSERT INTO search_identity (token) VALUES (lower(hex(randomblob(16))));
