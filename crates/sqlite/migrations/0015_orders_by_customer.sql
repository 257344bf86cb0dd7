-- The customer page sums one customer's orders by currency: this index covers it.
CREATE INDEX orders_by_customer ON orders(customer_id, currency, ordered_at, amount_cents);
