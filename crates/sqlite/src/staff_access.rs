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
    // A new password ends every session, wherever it was opened, and every sign-in
    // half done with the old one.
    for sql in [
        "DELETE FROM staff_sessions WHERE person_id = ?",
        "DELETE FROM staff_pending_sign_ins WHERE person_id = ?",
    ] {
        conn.prepare_cached(sql)
            .and_then(|mut s| s.execute([person]))
            .map_err(db)?;
    }
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

pub fn add_password_link(conn: &Connection, link: &PasswordLink) -> StoreResult<()> {
    let horizon = ms(link.created_at - Duration::days(1));
    conn.prepare_cached("DELETE FROM staff_password_links WHERE expires_at < ?")
        .and_then(|mut s| s.execute([horizon]))
        .map_err(db)?;
    let known: bool = conn
        .query_row(
            "SELECT EXISTS(SELECT 1 FROM people WHERE id = ? AND active = 1)",
            [link.person],
            |r| r.get(0),
        )
        .map_err(db)?;
    if !known {
        return Err(StoreError::UnknownPerson {
            field: "person",
            id: link.person,
        });
    }
    // Only the latest mail of each kind works: a resent invitation spends the first.
    conn.prepare_cached(
        "UPDATE staff_password_links SET used_at = ?3
         WHERE person_id = ?1 AND purpose = ?2 AND used_at IS NULL",
    )
    .and_then(|mut s| {
        s.execute(params![
            link.person,
            link.purpose.as_str(),
            ms(link.created_at)
        ])
    })
    .map_err(db)?;
    conn.prepare_cached(
        "INSERT INTO staff_password_links (hash, person_id, purpose, created_by, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .and_then(|mut s| {
        s.execute(params![
            link.hash,
            link.person,
            link.purpose.as_str(),
            link.created_by,
            ms(link.created_at),
            ms(link.expires_at)
        ])
    })
    .map_err(db)?;
    Ok(())
}

pub fn password_link(
    conn: &Connection,
    hash: &[u8],
    now: DateTime<Utc>,
) -> StoreResult<Option<(PersonId, PasswordLinkPurpose)>> {
    let found: Option<(PersonId, String)> = conn
        .prepare_cached(
            "SELECT l.person_id, l.purpose FROM staff_password_links l
             JOIN people p ON p.id = l.person_id
             WHERE l.hash = ? AND l.used_at IS NULL AND l.expires_at > ? AND p.active = 1",
        )
        .and_then(|mut s| {
            s.query_row(params![hash, ms(now)], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
        .map_err(db)?;
    Ok(found.and_then(|(person, purpose)| {
        PasswordLinkPurpose::parse(&purpose).map(|purpose| (person, purpose))
    }))
}

pub fn redeem_password_link(
    conn: &Connection,
    hash: &[u8],
    now: DateTime<Utc>,
    password_hash: &str,
) -> StoreResult<Option<PersonId>> {
    // The UPDATE is the single-use check: of two concurrent redemptions one changes the row.
    let person: Option<PersonId> = conn
        .prepare_cached(
            "UPDATE staff_password_links SET used_at = ?2
             WHERE hash = ?1 AND used_at IS NULL AND expires_at > ?2
               AND person_id IN (SELECT id FROM people WHERE active = 1)
             RETURNING person_id",
        )
        .and_then(|mut s| s.query_row(params![hash, ms(now)], |r| r.get(0)).optional())
        .map_err(db)?;
    let Some(person) = person else {
        return Ok(None);
    };
    conn.prepare_cached(
        "UPDATE staff_password_links SET used_at = ?2 WHERE person_id = ?1 AND used_at IS NULL",
    )
    .and_then(|mut s| s.execute(params![person, ms(now)]))
    .map_err(db)?;
    set_password_hash(conn, person, password_hash)?;
    Ok(Some(person))
}

pub fn accounts(conn: &Connection, now: DateTime<Utc>) -> StoreResult<Vec<AccountState>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT p.id, p.password_hash IS NOT NULL,
                    (SELECT MAX(l.expires_at) FROM staff_password_links l
                     WHERE l.person_id = p.id AND l.purpose = 'invite'
                       AND l.used_at IS NULL AND l.expires_at > ?),
                    EXISTS(SELECT 1 FROM staff_second_factors f
                           WHERE f.person_id = p.id AND f.enabled_at IS NOT NULL)
             FROM people p ORDER BY p.id",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map([ms(now)], |r| {
            Ok(AccountState {
                person: r.get(0)?,
                has_password: r.get(1)?,
                invite_expires_at: r.get::<_, Option<i64>>(2)?.map(time),
                second_factor: r.get(3)?,
            })
        })
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}
