//! The SQL of the second factor at staff sign-in: TOTP secrets, the last accepted step,
//! recovery codes (digests), and sign-ins waiting for their second step.

use crate::convert::*;
use chrono::{DateTime, Duration, Utc};
use roadone_domain::PersonId;
use roadone_store::*;
use rusqlite::{params, Connection, OptionalExtension};

pub fn second_factor(conn: &Connection, person: PersonId) -> StoreResult<Option<SecondFactor>> {
    conn.prepare_cached(
        "SELECT f.secret, f.enabled_at, f.last_step,
                (SELECT COUNT(*) FROM staff_recovery_codes r
                 WHERE r.person_id = f.person_id AND r.used_at IS NULL)
         FROM staff_second_factors f WHERE f.person_id = ?",
    )
    .and_then(|mut s| {
        s.query_row([person], |r| {
            Ok(SecondFactor {
                secret: r.get(0)?,
                enabled_at: r.get::<_, Option<i64>>(1)?.map(time),
                last_step: r.get(2)?,
                recovery_codes_left: r.get(3)?,
            })
        })
        .optional()
    })
    .map_err(db)
}

fn known_active(conn: &Connection, person: PersonId) -> StoreResult<()> {
    let known: bool = conn
        .query_row(
            "SELECT EXISTS(SELECT 1 FROM people WHERE id = ? AND active = 1)",
            [person],
            |r| r.get(0),
        )
        .map_err(db)?;
    if known {
        Ok(())
    } else {
        Err(StoreError::UnknownPerson {
            field: "person",
            id: person,
        })
    }
}

pub fn begin_second_factor(
    conn: &Connection,
    person: PersonId,
    secret: &[u8],
    at: DateTime<Utc>,
) -> StoreResult<()> {
    known_active(conn, person)?;
    // Replaces only a factor that waits: the upsert's WHERE leaves one that is on alone.
    let changed = conn
        .prepare_cached(
            "INSERT INTO staff_second_factors (person_id, secret, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (person_id) DO UPDATE SET secret = ?2, created_at = ?3, last_step = NULL
             WHERE enabled_at IS NULL",
        )
        .and_then(|mut s| s.execute(params![person, secret, ms(at)]))
        .map_err(db)?;
    if changed == 0 {
        return Err(StoreError::Invalid {
            field: "second_factor",
            message: "is on already".into(),
        });
    }
    Ok(())
}

fn insert_recovery_codes(
    conn: &Connection,
    person: PersonId,
    codes: &[Vec<u8>],
    at: DateTime<Utc>,
) -> StoreResult<()> {
    conn.prepare_cached("DELETE FROM staff_recovery_codes WHERE person_id = ?")
        .and_then(|mut s| s.execute([person]))
        .map_err(db)?;
    let mut insert = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO staff_recovery_codes (person_id, hash, created_at)
             VALUES (?, ?, ?)",
        )
        .map_err(db)?;
    for code in codes {
        insert.execute(params![person, code, ms(at)]).map_err(db)?;
    }
    Ok(())
}

pub fn enable_second_factor(
    conn: &Connection,
    person: PersonId,
    secret: &[u8],
    step: i64,
    codes: &[Vec<u8>],
    at: DateTime<Utc>,
) -> StoreResult<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE staff_second_factors SET enabled_at = ?3, last_step = ?4
             WHERE person_id = ?1 AND secret = ?2 AND enabled_at IS NULL
               AND person_id IN (SELECT id FROM people WHERE active = 1)",
        )
        .and_then(|mut s| s.execute(params![person, secret, ms(at), step]))
        .map_err(db)?;
    if changed == 0 {
        return Ok(false);
    }
    insert_recovery_codes(conn, person, codes, at)?;
    Ok(true)
}

pub fn accept_step(conn: &Connection, person: PersonId, step: i64) -> StoreResult<bool> {
    // The UPDATE is the reuse check: a step at or before the last accepted one changes nothing.
    let changed = conn
        .prepare_cached(
            "UPDATE staff_second_factors SET last_step = ?2
             WHERE person_id = ?1 AND enabled_at IS NOT NULL
               AND (last_step IS NULL OR last_step < ?2)",
        )
        .and_then(|mut s| s.execute(params![person, step]))
        .map_err(db)?;
    Ok(changed == 1)
}

pub fn use_recovery_code(
    conn: &Connection,
    person: PersonId,
    hash: &[u8],
    at: DateTime<Utc>,
) -> StoreResult<Option<u32>> {
    let changed = conn
        .prepare_cached(
            "UPDATE staff_recovery_codes SET used_at = ?3
             WHERE person_id = ?1 AND hash = ?2 AND used_at IS NULL
               AND person_id IN (SELECT person_id FROM staff_second_factors
                                 WHERE enabled_at IS NOT NULL)",
        )
        .and_then(|mut s| s.execute(params![person, hash, ms(at)]))
        .map_err(db)?;
    if changed == 0 {
        return Ok(None);
    }
    let left: u32 = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM staff_recovery_codes WHERE person_id = ? AND used_at IS NULL",
        )
        .and_then(|mut s| s.query_row([person], |r| r.get(0)))
        .map_err(db)?;
    Ok(Some(left))
}

pub fn replace_recovery_codes(
    conn: &Connection,
    person: PersonId,
    codes: &[Vec<u8>],
    at: DateTime<Utc>,
) -> StoreResult<bool> {
    let on: bool = conn
        .prepare_cached(
            "SELECT EXISTS(SELECT 1 FROM staff_second_factors
                           WHERE person_id = ? AND enabled_at IS NOT NULL)",
        )
        .and_then(|mut s| s.query_row([person], |r| r.get(0)))
        .map_err(db)?;
    if on {
        insert_recovery_codes(conn, person, codes, at)?;
    }
    Ok(on)
}

pub fn remove_second_factor(conn: &Connection, person: PersonId) -> StoreResult<bool> {
    let removed = conn
        .prepare_cached("DELETE FROM staff_second_factors WHERE person_id = ?")
        .and_then(|mut s| s.execute([person]))
        .map_err(db)?;
    for sql in [
        "DELETE FROM staff_recovery_codes WHERE person_id = ?",
        "DELETE FROM staff_pending_sign_ins WHERE person_id = ?",
    ] {
        conn.prepare_cached(sql)
            .and_then(|mut s| s.execute([person]))
            .map_err(db)?;
    }
    Ok(removed > 0)
}

pub fn add_pending_sign_in(conn: &Connection, pending: &PendingSignIn) -> StoreResult<()> {
    let horizon = ms(pending.created_at - Duration::days(1));
    conn.prepare_cached("DELETE FROM staff_pending_sign_ins WHERE expires_at < ?")
        .and_then(|mut s| s.execute([horizon]))
        .map_err(db)?;
    known_active(conn, pending.person)?;
    conn.prepare_cached(
        "INSERT INTO staff_pending_sign_ins (hash, person_id, created_at, expires_at)
         VALUES (?, ?, ?, ?)",
    )
    .and_then(|mut s| {
        s.execute(params![
            pending.hash,
            pending.person,
            ms(pending.created_at),
            ms(pending.expires_at)
        ])
    })
    .map_err(db)?;
    Ok(())
}

pub fn pending_sign_in(
    conn: &Connection,
    hash: &[u8],
    now: DateTime<Utc>,
) -> StoreResult<Option<PersonId>> {
    conn.prepare_cached(
        "SELECT s.person_id FROM staff_pending_sign_ins s JOIN people p ON p.id = s.person_id
         WHERE s.hash = ? AND s.expires_at > ? AND p.active = 1",
    )
    .and_then(|mut s| s.query_row(params![hash, ms(now)], |r| r.get(0)).optional())
    .map_err(db)
}

pub fn finish_pending_sign_in(
    conn: &Connection,
    hash: &[u8],
    now: DateTime<Utc>,
    session: &NewSession,
) -> StoreResult<Option<PersonId>> {
    // The DELETE is the single-use check: of two concurrent finishes one removes the row.
    let person: Option<PersonId> = conn
        .prepare_cached(
            "DELETE FROM staff_pending_sign_ins
             WHERE hash = ?1 AND expires_at > ?2
               AND person_id IN (SELECT id FROM people WHERE active = 1)
             RETURNING person_id",
        )
        .and_then(|mut s| s.query_row(params![hash, ms(now)], |r| r.get(0)).optional())
        .map_err(db)?;
    let Some(person) = person else {
        return Ok(None);
    };
    crate::staff_access::add_staff_session(conn, person, session)?;
    Ok(Some(person))
}
