-- An optional second factor at staff sign-in: a TOTP secret shared with the person's
-- authenticator app (RFC 6238), on from the first right code (`enabled_at`; NULL while it
-- waits for that code), with the last time step whose code was accepted, so that no code
-- works twice. Recovery codes are single use; only their SHA-256 digests are kept.
CREATE TABLE staff_second_factors (
    person_id   INTEGER PRIMARY KEY REFERENCES people(id),
    secret      BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    enabled_at  INTEGER,
    last_step   INTEGER
);

CREATE TABLE staff_recovery_codes (
    person_id   INTEGER NOT NULL REFERENCES people(id),
    hash        BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    used_at     INTEGER,
    PRIMARY KEY (person_id, hash)
) WITHOUT ROWID;

-- A sign-in whose password was right and whose second step is still to come: the digest
-- of the secret the browser carries, for a few minutes. No session exists before it ends.
CREATE TABLE staff_pending_sign_ins (
    hash        BLOB PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX staff_pending_sign_ins_by_person ON staff_pending_sign_ins(person_id);
