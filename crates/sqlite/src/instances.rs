//! Instances and their claims, what is waiting, and inbound mail taken in: the
//! bookkeeping that lets work resume within seconds after a crash.

use crate::convert::{db, ms, time};
use chrono::{DateTime, Duration, Utc};
use roadone_domain::CaseId;
use roadone_store::{Backlog, InboundRecord, Instance, Released, StoreResult};
use rusqlite::{params, Connection, OptionalExtension};

/// Marks the instances chosen by `which` (a condition on `instances`) stopped and
/// releases what they claimed.
fn release_where(
    conn: &Connection,
    which: &str,
    args: &[&dyn rusqlite::ToSql],
    now: DateTime<Utc>,
) -> StoreResult<Released> {
    let ids: Vec<String> = {
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT id FROM instances WHERE stopped_at IS NULL AND ({which})"
            ))
            .map_err(db)?;
        let rows = stmt.query_map(args, |r| r.get(0)).map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)?
    };
    let mut released = Released::default();
    for id in &ids {
        released.timers += conn
            .prepare_cached(
                "UPDATE timers SET claimed_until = NULL, claimed_by = NULL WHERE claimed_by = ?",
            )
            .and_then(|mut s| s.execute([id]))
            .map_err(db)? as u32;
        released.outbox += conn
            .prepare_cached(
                "UPDATE outbox SET claimed_until = NULL, claimed_by = NULL
                 WHERE claimed_by = ? AND sent_at IS NULL AND failed_at IS NULL",
            )
            .and_then(|mut s| s.execute([id]))
            .map_err(db)? as u32;
        conn.prepare_cached("UPDATE instances SET stopped_at = ? WHERE id = ?")
            .and_then(|mut s| s.execute(params![ms(now), id]))
            .map_err(db)?;
        released.instances += 1;
    }
    Ok(released)
}

pub fn register(
    conn: &Connection,
    instance: &Instance,
    now: DateTime<Utc>,
) -> StoreResult<Released> {
    let released = release_where(conn, "node = ?1", &[&instance.node], now)?;
    conn.execute(
        "INSERT INTO instances (id, node, started_at, heartbeat_at) VALUES (?1, ?2, ?3, ?3)
         ON CONFLICT (id) DO UPDATE SET heartbeat_at = ?3, stopped_at = NULL",
        params![instance.id, instance.node, ms(now)],
    )
    .map_err(db)?;
    // Instances stopped a week ago are history nobody reads.
    conn.execute(
        "DELETE FROM instances WHERE stopped_at < ?",
        [ms(now - Duration::days(7))],
    )
    .map_err(db)?;
    Ok(released)
}

pub fn heartbeat(
    conn: &Connection,
    id: &str,
    now: DateTime<Utc>,
    stale_after: Duration,
) -> StoreResult<Released> {
    conn.prepare_cached("UPDATE instances SET heartbeat_at = ? WHERE id = ?")
        .and_then(|mut s| s.execute(params![ms(now), id]))
        .map_err(db)?;
    release_where(
        conn,
        "heartbeat_at < ?1 AND id <> ?2",
        &[&ms(now - stale_after), &id],
        now,
    )
}

pub fn stop(conn: &Connection, id: &str, now: DateTime<Utc>) -> StoreResult<Released> {
    release_where(conn, "id = ?1", &[&id], now)
}

pub fn backlog(conn: &Connection, now: DateTime<Utc>) -> StoreResult<Backlog> {
    let (pending, oldest): (u64, Option<i64>) = conn
        .prepare_cached(
            "SELECT count(*), min(created_at) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL",
        )
        .and_then(|mut s| s.query_row([], |r| Ok((r.get(0)?, r.get(1)?))))
        .map_err(db)?;
    let timers_due: u64 = conn
        .prepare_cached("SELECT count(*) FROM timers WHERE due_at <= ?")
        .and_then(|mut s| s.query_row([ms(now)], |r| r.get(0)))
        .map_err(db)?;
    Ok(Backlog {
        outbox_pending: pending,
        oldest_pending: oldest.map(time),
        timers_due,
    })
}

pub fn inbound_seen(
    conn: &Connection,
    sender: &str,
    key: &str,
    since: DateTime<Utc>,
) -> StoreResult<Option<InboundRecord>> {
    conn.prepare_cached(
        "SELECT received_at, case_id, outcome FROM inbound_messages
         WHERE sender = ? AND message_key = ? AND received_at >= ?",
    )
    .and_then(|mut s| {
        s.query_row(params![sender, key, ms(since)], |r| {
            Ok(InboundRecord {
                sender: sender.to_string(),
                message_key: key.to_string(),
                received_at: time(r.get(0)?),
                case_id: r.get(1)?,
                outcome: r.get(2)?,
            })
        })
        .optional()
    })
    .map_err(db)
}

pub fn record_inbound(conn: &Connection, r: &InboundRecord) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO inbound_messages (sender, message_key, received_at, case_id, outcome)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (sender, message_key) DO UPDATE
         SET received_at = ?3, case_id = ?4, outcome = ?5",
    )
    .and_then(|mut s| {
        s.execute(params![
            r.sender,
            r.message_key,
            ms(r.received_at),
            r.case_id,
            r.outcome
        ])
    })
    .map_err(db)?;
    Ok(())
}

pub fn cases_opened_by_mail(
    conn: &Connection,
    sender: &str,
    since: DateTime<Utc>,
) -> StoreResult<(u32, Option<CaseId>)> {
    conn.prepare_cached(
        "SELECT count(*), max(case_id) FROM inbound_messages
         WHERE sender = ? AND received_at >= ? AND outcome = 'opened'",
    )
    .and_then(|mut s| s.query_row(params![sender, ms(since)], |r| Ok((r.get(0)?, r.get(1)?))))
    .map_err(db)
}
