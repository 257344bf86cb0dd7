-- Times are integer milliseconds since the Unix epoch (UTC): compact and index-ordered.

CREATE TABLE people (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role        TEXT NOT NULL,
    reports_to  INTEGER REFERENCES people(id),
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    hash        BLOB PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    label       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
) WITHOUT ROWID;

CREATE TABLE categories (
    key         TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    checklist   TEXT NOT NULL,          -- JSON array of {key, label, required}
    manager     INTEGER NOT NULL REFERENCES people(id),
    executive   INTEGER NOT NULL REFERENCES people(id),
    created_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE customers (
    id          INTEGER PRIMARY KEY,
    email       TEXT UNIQUE COLLATE NOCASE,
    name        TEXT,
    phone       TEXT,
    external_id TEXT UNIQUE,
    created_at  INTEGER NOT NULL
);

-- The projection of each case's events, kept in the same transaction as the events.
CREATE TABLE cases (
    id              INTEGER PRIMARY KEY,
    customer_id     INTEGER NOT NULL REFERENCES customers(id),
    customer_token  TEXT NOT NULL UNIQUE,
    category        TEXT NOT NULL REFERENCES categories(key),
    subject         TEXT NOT NULL,
    state           TEXT NOT NULL,
    owner           INTEGER NOT NULL REFERENCES people(id),
    version         INTEGER NOT NULL,
    opened_at       INTEGER NOT NULL,
    escalates_at    INTEGER NOT NULL,
    promised_by     INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX cases_by_owner ON cases(owner, state, escalates_at);
CREATE INDEX cases_by_state ON cases(state, escalates_at);
CREATE INDEX cases_by_customer ON cases(customer_id);

-- The immutable log. `data` is the whole event as JSON; the other columns serve queries.
CREATE TABLE events (
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    seq          INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    at           INTEGER NOT NULL,
    actor_person INTEGER,
    data         TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
) WITHOUT ROWID;

-- Derived from each case's state and replaced with every append.
CREATE TABLE timers (
    case_id       INTEGER NOT NULL REFERENCES cases(id),
    kind          TEXT NOT NULL,
    due_at        INTEGER NOT NULL,
    claimed_until INTEGER,
    PRIMARY KEY (case_id, kind)
) WITHOUT ROWID;
CREATE INDEX timers_by_due ON timers(due_at);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    case_id         INTEGER NOT NULL REFERENCES cases(id),
    event_seq       INTEGER NOT NULL,
    recipient       TEXT NOT NULL,      -- JSON
    template        TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_until   INTEGER,
    sent_at         INTEGER,
    failed_at       INTEGER,            -- set on a permanent failure
    last_error      TEXT
);
CREATE INDEX outbox_pending ON outbox(next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

CREATE TABLE idempotency_keys (
    actor        INTEGER NOT NULL,
    key          TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (actor, key)
) WITHOUT ROWID;
