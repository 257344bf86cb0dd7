-- What a case or a customer was sent lately (the acknowledgment rate limit asks this).
CREATE INDEX outbox_by_case ON outbox(case_id, template, sent_at);
