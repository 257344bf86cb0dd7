-- Full-text search over everything said on a case: subject, the customer, facts,
-- messages, notes, reasons, resolutions. One row per event that says something, keyed
-- `case_id * 2^20 + seq`; contentless (the words are indexed, the text stays in `events`).
CREATE VIRTUAL TABLE case_text USING fts5(
    body,
    content = '',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- What the cases already said.
INSERT INTO case_text (rowid, body)
SELECT case_id * 1048576 + seq,
       trim(
           coalesce(json_extract(data, '$.data.subject'), '') || ' ' ||
           coalesce(json_extract(data, '$.data.body'), '') || ' ' ||
           coalesce(json_extract(data, '$.data.customer.name'), '') || ' ' ||
           coalesce(json_extract(data, '$.data.customer.email'), '') || ' ' ||
           coalesce(json_extract(data, '$.data.customer.phone'), '') || ' ' ||
           coalesce(json_extract(data, '$.data.customer.external_id'), '') || ' ' ||
           coalesce((SELECT group_concat(value, ' ') FROM json_each(json_extract(data, '$.data.facts'))), '') || ' ' ||
           coalesce(json_extract(data, '$.data.reason'), '') || ' ' ||
           coalesce(json_extract(data, '$.data.resolution'), '') || ' ' ||
           coalesce(json_extract(data, '$.data.learned'), '') || ' ' ||
           coalesce((SELECT group_concat(json_extract(value, '$.name'), ' ') FROM json_each(json_extract(data, '$.data.attachments'))), '')
       )
FROM events
WHERE kind IN ('opened', 'message_sent', 'customer_replied', 'note_added', 'passed_up', 'upgraded', 'solved')
  AND seq < 1048576;
