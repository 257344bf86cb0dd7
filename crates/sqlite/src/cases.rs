//! The SQL of cases and their events: opening, appending and loading them, and the events
//! of many cases (the lists of cases are in `case_lists.rs`).

use crate::convert::*;
use crate::customers::upsert_customer;
use crate::outbox::enqueue;
use crate::timers::replace_timers;
use chrono::{DateTime, Utc};
use roadone_domain::{Case, CaseId, Event};
use roadone_store::*;
use rusqlite::{params, Connection, OptionalExtension};

fn head(conn: &Connection, id: CaseId) -> StoreResult<Option<CaseHead>> {
    conn.prepare_cached(&format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = ?"))
        .and_then(|mut s| s.query_row([id], case_head).optional())
        .map_err(db)
}

pub fn open_case(conn: &Connection, new: &NewCase) -> StoreResult<OpenOutcome> {
    if let Some(key) = &new.idempotency {
        let seen: Option<(Vec<u8>, CaseId)> = conn
            .prepare_cached(
                "SELECT request_hash, case_id FROM idempotency_keys WHERE actor = ? AND key = ?",
            )
            .and_then(|mut s| {
                s.query_row(params![key.actor, key.key], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(db)?;
        if let Some((hash, case_id)) = seen {
            if hash != key.request_hash {
                return Err(StoreError::IdempotencyMismatch);
            }
            let head = head(conn, case_id)?
                .ok_or_else(|| corrupt("idempotency key points at a missing case"))?;
            return Ok(OpenOutcome::Replayed(head));
        }
    }
    let now = new.opened.at;
    let on_the_phone = new.case.channel == roadone_domain::Channel::Phone;
    let customer_id = upsert_customer(conn, &new.customer, now, on_the_phone)?;
    let case = &new.case;
    conn.prepare_cached(
        "INSERT INTO cases (customer_id, customer_token, category, subject, state, owner, version,
                            opened_at, escalates_at, promised_by, updated_at, intake_owner,
                            channel, awaiting_customer)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .and_then(|mut s| {
        s.execute(params![
            customer_id,
            new.customer_token,
            case.category,
            case.subject,
            status_str(case.status),
            case.owner,
            case.version,
            ms(case.opened_at),
            ms(case.escalates_at),
            ms(case.promised_by),
            ms(now),
            case.owner,
            case.channel.as_str(),
            case.awaiting_customer,
        ])
    })
    .map_err(db)?;
    let id = conn.last_insert_rowid();
    insert_events(conn, id, std::slice::from_ref(&new.opened))?;
    replace_timers(conn, id, &new.timers)?;
    enqueue(conn, id, &new.outbox, now)?;
    if let Some(key) = &new.idempotency {
        conn.prepare_cached(
            "INSERT INTO idempotency_keys (actor, key, request_hash, case_id, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .and_then(|mut s| s.execute(params![key.actor, key.key, key.request_hash, id, ms(now)]))
        .map_err(db)?;
    }
    Ok(OpenOutcome::Created(CaseHead {
        id,
        reference: case_reference(id),
        customer_id,
        customer_token: new.customer_token.clone(),
        category: case.category.clone(),
        subject: case.subject.clone(),
        status: case.status,
        owner: case.owner,
        version: case.version,
        // Read back as stored: to the millisecond.
        opened_at: time(ms(case.opened_at)),
        escalates_at: time(ms(case.escalates_at)),
        promised_by: time(ms(case.promised_by)),
        updated_at: time(ms(now)),
    }))
}

pub fn append(conn: &Connection, a: &Append) -> StoreResult<CaseHead> {
    let actual: Option<u32> = conn
        .prepare_cached("SELECT version FROM cases WHERE id = ?")
        .and_then(|mut s| s.query_row([a.case_id], |r| r.get(0)).optional())
        .map_err(db)?;
    let actual = actual.ok_or(StoreError::CaseNotFound(a.case_id))?;
    if actual != a.expected_version {
        return Err(StoreError::VersionConflict {
            case_id: a.case_id,
            expected: a.expected_version,
            actual,
        });
    }
    let Some(last) = a.events.last() else {
        // No events: only re-derive the timers (the scheduler's repair after a refusal).
        replace_timers(conn, a.case_id, &a.timers)?;
        return head(conn, a.case_id)?.ok_or(StoreError::CaseNotFound(a.case_id));
    };
    insert_events(conn, a.case_id, &a.events)?;
    update_projection(conn, a.case_id, &a.case, last.at)?;
    replace_timers(conn, a.case_id, &a.timers)?;
    enqueue(conn, a.case_id, &a.outbox, last.at)?;
    head(conn, a.case_id)?.ok_or(StoreError::CaseNotFound(a.case_id))
}

fn update_projection(
    conn: &Connection,
    id: CaseId,
    case: &Case,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    conn.prepare_cached(
        "UPDATE cases SET state = ?, owner = ?, version = ?, escalates_at = ?, updated_at = ?,
                          solved_at = ?, solved_by = ?, road = ?, escalated = ?,
                          awaiting_customer = ? WHERE id = ?",
    )
    .and_then(|mut s| {
        let solution = case.solution.as_ref();
        s.execute(params![
            status_str(case.status),
            case.owner,
            case.version,
            ms(case.escalates_at),
            ms(at),
            solution.map(|s| ms(s.solved_at)),
            solution.map(|s| s.solved_by),
            solution.map(|s| u8::from(s.road)),
            case.escalated,
            case.awaiting_customer,
            id
        ])
    })
    .map_err(db)?;
    Ok(())
}

fn insert_events(conn: &Connection, id: CaseId, events: &[Event]) -> StoreResult<()> {
    let mut stmt = conn
        .prepare_cached("INSERT INTO events (case_id, seq, kind, at, actor_person, data) VALUES (?, ?, ?, ?, ?, ?)")
        .map_err(db)?;
    for e in events {
        let data = serde_json::to_string(e).map_err(corrupt)?;
        stmt.execute(params![
            id,
            e.seq,
            e.body.kind().as_str(),
            ms(e.at),
            e.actor.person(),
            data
        ])
        .map_err(db)?;
        if let (Some(row), Some(text)) =
            (crate::search::row_id(id, e.seq), crate::search::text_of(e))
        {
            // Queued, not indexed here: see search_index.rs.
            conn.prepare_cached("INSERT INTO search_queue (row, body) VALUES (?, ?)")
                .and_then(|mut s| s.execute(params![row, text]))
                .map_err(db)?;
        }
    }
    Ok(())
}

pub fn load_case(conn: &Connection, id: CaseId) -> StoreResult<Option<StoredCase>> {
    let Some(head) = head(conn, id)? else {
        return Ok(None);
    };
    let mut stmt = conn
        .prepare_cached("SELECT data FROM events WHERE case_id = ? ORDER BY seq")
        .map_err(db)?;
    let rows = stmt
        .query_map([id], |r| r.get::<_, String>(0))
        .map_err(db)?;
    let mut events = Vec::with_capacity(head.version as usize);
    for row in rows {
        let data = row.map_err(db)?;
        events.push(
            serde_json::from_str(&data).map_err(|e| corrupt(format!("event of case {id}: {e}")))?,
        );
    }
    Ok(Some(StoredCase { head, events }))
}

pub fn case_by_customer_token(conn: &Connection, token: &str) -> StoreResult<Option<CaseId>> {
    conn.prepare_cached("SELECT id FROM cases WHERE customer_token = ?")
        .and_then(|mut s| s.query_row([token], |r| r.get(0)).optional())
        .map_err(db)
}

pub fn events(conn: &Connection, f: &EventFilter) -> StoreResult<Vec<(CaseHead, Event)>> {
    if f.kinds.is_empty() {
        return Err(StoreError::Invalid {
            field: "kinds",
            message: "name at least one event kind".into(),
        });
    }
    let case_columns: Vec<String> = CASE_COLUMNS.split(", ").map(|c| format!("c.{c}")).collect();
    let marks = vec!["?"; f.kinds.len()].join(", ");
    // One person's open cases (or one customer's cases) are few and every case has many
    // events: start from the cases (`cases_by_owner`, `cases_by_customer`) and read their events by key, instead of walking every event
    // of the kinds asked for (all the reminders ever sent). CROSS JOIN keeps that order.
    let from = if f.open_and_owned_by.is_some() || f.customer_id.is_some() {
        "cases c CROSS JOIN events e ON e.case_id = c.id"
    } else {
        "events e JOIN cases c ON c.id = e.case_id"
    };
    let mut sql = format!(
        "SELECT {}, e.data FROM {from} WHERE e.kind IN ({marks})",
        case_columns.join(", ")
    );
    let mut args: Vec<rusqlite::types::Value> = f
        .kinds
        .iter()
        .map(|k| k.as_str().to_string().into())
        .collect();
    if let Some(category) = &f.category {
        sql.push_str(" AND c.category = ?");
        args.push(category.clone().into());
    }
    if let Some(to) = f.to {
        sql.push_str(" AND json_extract(e.data, '$.data.to') = ?");
        args.push(to.into());
    }
    if let Some(owner) = f.open_and_owned_by {
        sql.push_str(" AND c.owner = ? AND c.state = 'open'");
        args.push(owner.into());
    }
    if let Some(customer) = f.customer_id {
        sql.push_str(" AND c.customer_id = ?");
        args.push(customer.into());
    }
    if let Some(since) = f.since {
        sql.push_str(" AND e.at >= ?");
        args.push(ms(since).into());
    }
    sql.push_str(" ORDER BY e.at DESC, e.case_id DESC, e.seq DESC LIMIT ?");
    args.push(i64::from(f.limit.clamp(1, 1000)).into());
    let mut stmt = conn.prepare_cached(&sql).map_err(db)?;
    let columns = case_columns.len();
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args), |r| {
            Ok((case_head(r)?, r.get::<_, String>(columns)?))
        })
        .map_err(db)?;
    let mut out = Vec::new();
    for row in rows {
        let (head, data) = row.map_err(db)?;
        let event: Event = serde_json::from_str(&data)
            .map_err(|e| corrupt(format!("an event of case {}: {e}", head.id)))?;
        out.push((head, event));
    }
    Ok(out)
}
