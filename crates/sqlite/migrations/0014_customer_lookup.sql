-- Finding a caller by what they say. `phone_key` is the digits of the phone, last first,
-- so that "the number ends with 900442" is a prefix range an index serves; it is filled
-- for existing rows by the migration's code. `customer_words` indexes every word of the
-- name and the email (ada, lovelace, example, com) for word-start lookups, kept in step
-- with `customers` by triggers.
ALTER TABLE customers ADD COLUMN phone_key TEXT;
CREATE INDEX customers_by_phone_key ON customers(phone_key) WHERE phone_key IS NOT NULL;

CREATE VIRTUAL TABLE customer_words USING fts5(
    name, email,
    content = 'customers', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
CREATE TRIGGER customer_words_added AFTER INSERT ON customers BEGIN
    INSERT INTO customer_words (rowid, name, email) VALUES (new.id, new.name, new.email);
END;
CREATE TRIGGER customer_words_changed AFTER UPDATE OF name, email ON customers BEGIN
    INSERT INTO customer_words (customer_words, rowid, name, email)
        VALUES ('delete', old.id, old.name, old.email);
    INSERT INTO customer_words (rowid, name, email) VALUES (new.id, new.name, new.email);
END;
CREATE TRIGGER customer_words_removed AFTER DELETE ON customers BEGIN
    INSERT INTO customer_words (customer_words, rowid, name, email)
        VALUES ('delete', old.id, old.name, old.email);
END;
INSERT INTO customer_words (customer_words) VALUES ('rebuild');
