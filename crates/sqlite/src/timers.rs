//! The SQL of timers: derived anew with each case change, claimed by the scheduler when due.

use crate::convert::*;
use chrono::{DateTime, Utc};
use roadone_domain::{CaseId, Timer, TimerKind};
use roadone_store::*;
use rusqlite::{params, Connection, OptionalExtension};

pub(crate) fn replace_timers(conn: &Connection, id: CaseId, timers: &[Timer]) -> StoreResult<()> {
    conn.prepare_cached("DELETE FROM timers WHERE case_id = ?")
        .and_then(|mut s| s.execute([id]))
        .map_err(db)?;
    let mut stmt = conn
        .prepare_cached("INSERT INTO timers (case_id, kind, due_at) VALUES (?, ?, ?)")
        .map_err(db)?;
    for t in timers {
        stmt.execute(params![id, t.kind.as_str(), ms(t.due_at)])
            .map_err(db)?;
    }
    Ok(())
}

pub fn claim_due_timers(
    conn: &Connection,
    by: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u32,
) -> StoreResult<Vec<DueTimer>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT case_id, kind, due_at FROM timers
             WHERE due_at <= ?1 AND (claimed_until IS NULL OR claimed_until <= ?1)
             ORDER BY due_at LIMIT ?2",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map(params![ms(now), limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })
        .map_err(db)?;
    let mut due = Vec::new();
    for row in rows {
        let (case_id, kind, due_at) = row.map_err(db)?;
        let kind = TimerKind::parse(&kind).ok_or_else(|| corrupt(format!("timer kind {kind}")))?;
        due.push(DueTimer {
            case_id,
            kind,
            due_at: time(due_at),
        });
    }
    let mut claim = conn
        .prepare_cached(
            "UPDATE timers SET claimed_until = ?, claimed_by = ? WHERE case_id = ? AND kind = ?",
        )
        .map_err(db)?;
    for t in &due {
        claim
            .execute(params![ms(lease_until), by, t.case_id, t.kind.as_str()])
            .map_err(db)?;
    }
    Ok(due)
}

pub fn next_timer_due(conn: &Connection) -> StoreResult<Option<DateTime<Utc>>> {
    // Walks the due-time index from the front, skipping only timers leased right now.
    let next: Option<i64> = conn
        .query_row(
            "SELECT due_at FROM timers WHERE claimed_until IS NULL ORDER BY due_at LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(db)?;
    Ok(next.map(time))
}
