//! The SQL of the outbox: notifications queued with their event, then claimed, sent or failed.

use crate::convert::*;
use chrono::{DateTime, Utc};
use roadone_domain::{CaseId, Notification};
use roadone_store::*;
use rusqlite::{params, Connection};

pub(crate) fn enqueue(
    conn: &Connection,
    id: CaseId,
    outbox: &[Notification],
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO outbox (case_id, event_seq, recipient, template, created_at, next_attempt_at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .map_err(db)?;
    for n in outbox {
        let recipient = serde_json::to_string(&n.recipient).map_err(corrupt)?;
        stmt.execute(params![
            id,
            n.event_seq,
            recipient,
            n.template,
            ms(now),
            ms(now)
        ])
        .map_err(db)?;
    }
    Ok(())
}

pub fn claim_outbox(
    conn: &Connection,
    by: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u32,
) -> StoreResult<Vec<OutboxRow>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, case_id, event_seq, recipient, template, attempts, created_at FROM outbox
             WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?1
               AND (claimed_until IS NULL OR claimed_until <= ?1)
             ORDER BY next_attempt_at, id LIMIT ?2",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map(params![ms(now), limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, u32>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, u32>(5)?,
                r.get::<_, i64>(6)?,
            ))
        })
        .map_err(db)?;
    let mut out = Vec::new();
    for row in rows {
        let (id, case_id, event_seq, recipient, template, attempts, created_at) =
            row.map_err(db)?;
        let recipient =
            serde_json::from_str(&recipient).map_err(|e| corrupt(format!("outbox {id}: {e}")))?;
        out.push(OutboxRow {
            id,
            case_id,
            notification: Notification {
                recipient,
                template,
                event_seq,
            },
            attempts,
            created_at: time(created_at),
        });
    }
    let mut claim = conn
        .prepare_cached(
            "UPDATE outbox SET claimed_until = ?, claimed_by = ?, attempts = attempts + 1 WHERE id = ?",
        )
        .map_err(db)?;
    for row in &mut out {
        claim
            .execute(params![ms(lease_until), by, row.id])
            .map_err(db)?;
        row.attempts += 1;
    }
    Ok(out)
}

pub fn outbox_sent(conn: &Connection, id: i64, at: DateTime<Utc>) -> StoreResult<()> {
    conn.execute(
        "UPDATE outbox SET sent_at = ?, claimed_until = NULL, claimed_by = NULL WHERE id = ?",
        params![ms(at), id],
    )
    .map_err(db)?;
    Ok(())
}

pub fn outbox_failed(
    conn: &Connection,
    id: i64,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    match retry_at {
        Some(at) => conn.execute(
            "UPDATE outbox SET next_attempt_at = ?, claimed_until = NULL, claimed_by = NULL, last_error = ? WHERE id = ?",
            params![ms(at), error, id],
        ),
        None => conn.execute(
            "UPDATE outbox SET failed_at = ?, claimed_until = NULL, claimed_by = NULL, last_error = ? WHERE id = ?",
            params![ms(now), error, id],
        ),
    }
    .map_err(db)?;
    Ok(())
}

pub fn sent_to_customer(
    conn: &Connection,
    email: &str,
    template: &str,
    since: DateTime<Utc>,
) -> StoreResult<u32> {
    conn.prepare_cached(
        "SELECT count(*) FROM customers cu
         JOIN cases c ON c.customer_id = cu.id
         JOIN outbox o ON o.case_id = c.id AND o.template = ?2 AND o.sent_at >= ?3
         WHERE cu.email = ?1",
    )
    .and_then(|mut s| s.query_row(params![email.trim(), template, ms(since)], |r| r.get(0)))
    .map_err(db)
}
