-- The case views at a million cases (BENCHMARKS.md, "Staff views and the customer page"):
-- one person's or one team's cases by their last change (recently solved, the team view in
-- every state), and the filters by category and channel with an age, for open cases and
-- for every state. Without them each of these pages sorted or counted most of the table.
CREATE INDEX cases_by_owner_change ON cases(owner, updated_at);
CREATE INDEX cases_by_filters ON cases(category, channel, opened_at);
CREATE INDEX cases_open_by_filters ON cases(category, channel, opened_at) WHERE state = 'open';
