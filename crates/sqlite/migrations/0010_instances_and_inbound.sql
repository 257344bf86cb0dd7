-- Each running server is an instance with a heartbeat; what it claims (timers, outbox
-- rows) names it, so the claims of an instance that died are released at once instead
-- of waiting out their lease.
CREATE TABLE instances (
    id           TEXT PRIMARY KEY,
    node         TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    stopped_at   INTEGER
) WITHOUT ROWID;
ALTER TABLE timers ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
CREATE INDEX outbox_claimed ON outbox(claimed_by) WHERE claimed_by IS NOT NULL;
CREATE INDEX timers_claimed ON timers(claimed_by) WHERE claimed_by IS NOT NULL;

-- Inbound mail by sender and Message-ID (or a digest of the message): the same message
-- delivered twice is taken in once.
CREATE TABLE inbound_messages (
    sender      TEXT NOT NULL,
    message_key TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    case_id     INTEGER REFERENCES cases(id),
    outcome     TEXT NOT NULL,
    PRIMARY KEY (sender, message_key)
) WITHOUT ROWID;
CREATE INDEX inbound_by_sender ON inbound_messages(sender, received_at);
