-- Telephone calls, one row per leg, stored once by the source's id (imports are
-- idempotent). The customer is matched by the caller's number (E.164) when it could be
-- read. Times in milliseconds since 1970.
CREATE TABLE calls (
    call_id      TEXT PRIMARY KEY,
    linked_id    TEXT,
    customer_id  INTEGER REFERENCES customers(id),
    caller       TEXT NOT NULL,
    caller_name  TEXT,
    callee       TEXT NOT NULL,
    answered_by  TEXT,
    arrived_at   INTEGER NOT NULL,
    answered_at  INTEGER,
    ended_at     INTEGER NOT NULL,
    disposition  TEXT NOT NULL,
    source       TEXT NOT NULL,
    created_at   INTEGER NOT NULL
) WITHOUT ROWID;
-- The month's report reads calls by arrival; the customer's page by customer.
CREATE INDEX calls_by_arrival ON calls(arrived_at);
CREATE INDEX calls_by_customer ON calls(customer_id, arrived_at);
