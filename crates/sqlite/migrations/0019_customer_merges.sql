-- Two customers who are one person are merged: the other's cases, orders and sign-in
-- links move to the one kept, the other row stays (so their old email or id still leads
-- to the one kept) marked `merged_into`, and the merge is recorded with what they were.
ALTER TABLE customers ADD COLUMN merged_into INTEGER REFERENCES customers(id);

CREATE TABLE customer_merges (
    id          INTEGER PRIMARY KEY,
    from_id     INTEGER NOT NULL REFERENCES customers(id),
    into_id     INTEGER NOT NULL REFERENCES customers(id),
    merged_by   INTEGER NOT NULL REFERENCES people(id),
    merged_at   INTEGER NOT NULL,
    -- The merged customer's details and what moved, as JSON.
    details     TEXT NOT NULL
);
CREATE INDEX customer_merges_by_into ON customer_merges(into_id);
