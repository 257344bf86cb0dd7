-- Sales, for customer math: what each customer bought before and after talking to us.
-- Amounts in hundredths of the currency. An order id is stored once (imports are
-- idempotent).
CREATE TABLE orders (
    order_id      TEXT PRIMARY KEY,
    customer_id   INTEGER NOT NULL REFERENCES customers(id),
    ordered_at    INTEGER NOT NULL,
    amount_cents  INTEGER NOT NULL,
    currency      TEXT NOT NULL,
    created_at    INTEGER NOT NULL
) WITHOUT ROWID;
-- Customer math reads one currency's orders in time order: this index covers it.
CREATE INDEX orders_by_currency ON orders(currency, ordered_at, customer_id, amount_cents);
