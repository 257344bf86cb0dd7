-- Status callbacks of a telephony platform (Twilio's form), each kept once by its call
-- and sequence number: they may arrive out of order or twice, and a call is put together
-- from all of them.
CREATE TABLE twilio_callbacks (
    call_sid     TEXT NOT NULL,
    sequence     INTEGER NOT NULL,
    status       TEXT NOT NULL,
    at           INTEGER NOT NULL,
    caller       TEXT NOT NULL,
    caller_name  TEXT,
    callee       TEXT NOT NULL,
    direction    TEXT NOT NULL,
    duration     INTEGER,
    parent_sid   TEXT,
    PRIMARY KEY (call_sid, sequence)
) WITHOUT ROWID;
