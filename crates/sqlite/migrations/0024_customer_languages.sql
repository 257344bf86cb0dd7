-- The language a customer is written to in (a code such as 'fr'), where known: set from
-- their browser when they first write in, or chosen on their pages. Nothing is written
-- for the customers before it: they read English, as they always have.
ALTER TABLE customers ADD COLUMN language TEXT;
