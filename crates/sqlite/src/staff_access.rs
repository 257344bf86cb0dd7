//! The SQL of staff sign-in: password hashes and sessions.

use crate::convert::*;
use chrono::{DateTime, Duration, Utc};
use roadone_domain::PersonId;
use roadone_store::*;
use rusqlite::{params, Connection, OptionalExtension};

pub fn set_password_hash(conn: &Connection, person: PersonId, hash: &str) -> StoreResult<()> {
    let changed = conn
        .prepare_cached("UPDATE people SET password_hash = ? WHERE id = ?")
        .and_then(|mut s| s.execute(params![hash, person]))
        .map_err(db)?;
    if changed == 0 {
        return Err(StoreError::UnknownPerson {
            field: "person",
            id: person,
        });
    }
    // A new password ends every session, wherever it was opened.
    conn.prepare_cached("DELETE FROM staff_sessions WHERE person_id = ?")
        .and_then(|mut s| s.execute([person]))
        .map_err(db)?;
    Ok(())
}

pub fn password_hash(
    conn: &Connection,
    email: &str,
) -> StoreResult<Option<(PersonId, Option<String>)>> {
    conn.prepare_cached("SELECT id, password_hash FROM people WHERE email = ? AND active = 1")
        .and_then(|mut s| {
            s.query_row([email.trim()], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
        .map_err(db)
}

pub fn add_staff_session(
    conn: &Connection,
    person: PersonId,
    session: &NewSession,
) -> StoreResult<()> {
    let horizon = ms(session.created_at - Duration::days(1));
    conn.prepare_cached("DELETE FROM staff_sessions WHERE expires_at < ?")
        .and_then(|mut s| s.execute([horizon]))
        .map_err(db)?;
    conn.prepare_cached(
        "INSERT INTO staff_sessions (hash, person_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
    )
    .and_then(|mut s| {
        s.execute(params![
            session.hash,
            person,
            ms(session.created_at),
            ms(session.expires_at)
        ])
    })
    .map_err(db)?;
    Ok(())
}

pub fn staff_session(
    conn: &Connection,
    hash: &[u8],
    now: DateTime<Utc>,
) -> StoreResult<Option<PersonId>> {
    conn.prepare_cached(
        "SELECT s.person_id FROM staff_sessions s JOIN people p ON p.id = s.person_id
         WHERE s.hash = ? AND s.expires_at > ? AND p.active = 1",
    )
    .and_then(|mut s| s.query_row(params![hash, ms(now)], |r| r.get(0)).optional())
    .map_err(db)
}

pub fn end_staff_session(conn: &Connection, hash: &[u8]) -> StoreResult<()> {
    conn.prepare_cached("DELETE FROM staff_sessions WHERE hash = ?")
        .and_then(|mut s| s.execute([hash]))
        .map_err(db)?;
    Ok(())
}
