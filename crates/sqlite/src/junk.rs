//! Suspended mail and the junk filter's counts.

use crate::convert::{corrupt, db, ms, time};
use roadone_domain::junk::{Counts, Filter};
use roadone_domain::PersonId;
use roadone_store::{
    Lesson, NewSuspendedMail, Settled, StoreError, StoreResult, SuspendedMail, SuspendedTally,
};
use rusqlite::{params, Connection, OptionalExtension};

pub fn suspend_mail(conn: &Connection, mail: &NewSuspendedMail) -> StoreResult<i64> {
    if !mail.score.is_finite() {
        return Err(StoreError::Invalid {
            field: "score",
            message: "a junk score must be a number".into(),
        });
    }
    conn.prepare_cached(
        "INSERT INTO suspended_mail (received_at, sender, subject, score, why, size, raw)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .and_then(|mut s| {
        s.query_row(
            params![
                ms(mail.received_at),
                mail.sender,
                mail.subject,
                mail.score,
                serde_json::Value::from(mail.why.clone()).to_string(),
                mail.raw.len() as i64,
                mail.raw,
            ],
            |r| r.get(0),
        )
    })
    .map_err(db)
}

pub fn suspended_mail(conn: &Connection, limit: u32) -> StoreResult<Vec<SuspendedMail>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, received_at, sender, subject, score, why, size FROM suspended_mail
             WHERE settled IS NULL ORDER BY received_at DESC, id DESC LIMIT ?",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map([i64::from(limit)], |r| {
            Ok((
                SuspendedMail {
                    id: r.get(0)?,
                    received_at: time(r.get(1)?),
                    sender: r.get(2)?,
                    subject: r.get(3)?,
                    score: r.get(4)?,
                    why: Vec::new(),
                    size: r.get::<_, i64>(6)? as u64,
                },
                r.get::<_, String>(5)?,
            ))
        })
        .map_err(db)?;
    let mut out = Vec::new();
    for row in rows {
        let (mut mail, why) = row.map_err(db)?;
        mail.why = serde_json::from_str(&why)
            .map_err(|e| corrupt(format!("the reasons of suspended mail {}: {e}", mail.id)))?;
        out.push(mail);
    }
    Ok(out)
}

pub fn suspended_tally(conn: &Connection) -> StoreResult<SuspendedTally> {
    conn.prepare_cached(
        "SELECT COUNT(*) FILTER (WHERE settled IS NULL),
                COUNT(*) FILTER (WHERE settled = 'released'),
                COUNT(*) FILTER (WHERE settled = 'deleted')
         FROM suspended_mail",
    )
    .and_then(|mut s| {
        s.query_row([], |r| {
            Ok(SuspendedTally {
                waiting: r.get::<_, i64>(0)? as u64,
                released: r.get::<_, i64>(1)? as u64,
                deleted: r.get::<_, i64>(2)? as u64,
            })
        })
    })
    .map_err(db)
}

pub fn settle_suspended(
    conn: &Connection,
    id: i64,
    how: Settled,
    by: PersonId,
    at: i64,
) -> StoreResult<Option<Vec<u8>>> {
    conn.prepare_cached(
        "UPDATE suspended_mail SET settled = ?, settled_by = ?, settled_at = ?
         WHERE id = ? AND settled IS NULL RETURNING raw",
    )
    .and_then(|mut s| {
        s.query_row(params![how.as_str(), by, at, id], |r| r.get(0))
            .optional()
    })
    .map_err(db)
}

pub fn purge_suspended(conn: &Connection, before: i64) -> StoreResult<u64> {
    conn.prepare_cached(
        "UPDATE suspended_mail SET raw = NULL
         WHERE settled = 'deleted' AND settled_at < ? AND raw IS NOT NULL",
    )
    .and_then(|mut s| s.execute([before]))
    .map(|n| n as u64)
    .map_err(db)
}

pub fn junk_counts(conn: &Connection, tokens: &[String]) -> StoreResult<(Filter, Vec<Counts>)> {
    let mut filter = Filter::default();
    let mut taught = conn
        .prepare_cached("SELECT kind, messages FROM junk_taught")
        .map_err(db)?;
    let rows = taught
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .map_err(db)?;
    for row in rows {
        let (kind, n) = row.map_err(db)?;
        match kind.as_str() {
            "junk" => filter.junk_messages = n as u64,
            _ => filter.customer_messages = n as u64,
        }
    }
    let mut one = conn
        .prepare_cached("SELECT junk, customer FROM junk_tokens WHERE token = ?")
        .map_err(db)?;
    let mut counts = Vec::with_capacity(tokens.len());
    for token in tokens {
        let c = one
            .query_row([token], |r| {
                Ok(Counts {
                    junk: r.get::<_, i64>(0)? as u64,
                    customer: r.get::<_, i64>(1)? as u64,
                })
            })
            .optional()
            .map_err(db)?;
        counts.push(c.unwrap_or_default());
    }
    Ok((filter, counts))
}

pub fn teach_junk_filter(conn: &Connection, tokens: &[String], lesson: Lesson) -> StoreResult<()> {
    // Each lesson adds one to a kind and, when correcting, takes one from the other
    // (never below zero: a lesson given before the counts were reset is simply gone).
    let (add, take) = match lesson {
        Lesson::Junk => ("junk", None),
        Lesson::Customer => ("customer", None),
        Lesson::NotJunkAfterAll => ("customer", Some("junk")),
    };
    conn.prepare_cached("UPDATE junk_taught SET messages = messages + 1 WHERE kind = ?")
        .and_then(|mut s| s.execute([add]))
        .map_err(db)?;
    if let Some(take) = take {
        conn.prepare_cached(
            "UPDATE junk_taught SET messages = max(messages - 1, 0) WHERE kind = ?",
        )
        .and_then(|mut s| s.execute([take]))
        .map_err(db)?;
    }
    let untaught = match take {
        Some(take) => format!(", {take} = max({take} - 1, 0)"),
        None => String::new(),
    };
    let mut learn = conn
        .prepare_cached(&format!(
            "INSERT INTO junk_tokens (token, {add}) VALUES (?, 1)
             ON CONFLICT (token) DO UPDATE SET {add} = {add} + 1{untaught}"
        ))
        .map_err(db)?;
    let mut seen = std::collections::HashSet::new();
    for token in tokens.iter().filter(|t| seen.insert(t.as_str())) {
        learn.execute([token]).map_err(db)?;
    }
    Ok(())
}
