//! The SQL of calls: each leg stored once by its id, its caller found among the customers
//! by phone number or added.

use crate::convert::{db, ms, time};
use crate::customers::{kept, upsert_customer};
use chrono::{DateTime, Utc};
use roadone_domain::Customer;
use roadone_store::{
    CallLeg, CallsOutcome, CaseCall, NewCall, PhoneCase, StoreResult, StoredCall, TwilioCallback,
};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::collections::HashMap;
use std::sync::Arc;

/// The customer with this phone number (the first one, followed through merges), or a new
/// customer with it.
fn customer_by_phone(
    conn: &Connection,
    e164: &str,
    name: Option<&str>,
    now: DateTime<Utc>,
) -> StoreResult<i64> {
    let key = roadone_domain::phone::key(e164);
    let found: Option<i64> = conn
        .prepare_cached("SELECT MIN(id) FROM customers WHERE phone_key = ?")
        .and_then(|mut s| s.query_row([&key], |r| r.get(0)).optional())
        .map_err(db)?
        .flatten();
    match found {
        Some(id) => kept(conn, id),
        None => upsert_customer(
            conn,
            &Customer {
                phone: Some(e164.to_string()),
                name: name.map(str::to_string),
                ..Customer::default()
            },
            now,
            false,
        ),
    }
}

const COLUMNS: &str = "call_id, linked_id, customer_id, caller, caller_name, callee, answered_by, \
                       arrived_at, answered_at, ended_at, disposition, source, rang_at, recording_url";
/// What is read back: the columns written, and the case linked later.
const READ: &str = "call_id, linked_id, customer_id, caller, caller_name, callee, answered_by, \
                    arrived_at, answered_at, ended_at, disposition, source, rang_at, recording_url, \
                    case_id";

fn read(r: &Row) -> rusqlite::Result<StoredCall> {
    let caller: String = r.get(3)?;
    Ok(StoredCall {
        customer_id: r.get(2)?,
        case_id: r.get(14)?,
        call: NewCall {
            call_id: r.get(0)?,
            linked_id: r.get(1)?,
            caller_is_e164: caller.starts_with('+'),
            caller,
            caller_name: r.get(4)?,
            callee: r.get(5)?,
            answered_by: r.get(6)?,
            arrived_at: time(r.get(7)?),
            answered_at: r.get::<_, Option<i64>>(8)?.map(time),
            ended_at: time(r.get(9)?),
            disposition: r.get(10)?,
            source: r.get(11)?,
            rang_at: r.get::<_, Option<i64>>(12)?.map(time),
            recording_url: r.get(13)?,
        },
    })
}

pub fn add_calls(
    conn: &Connection,
    calls: &[NewCall],
    now: DateTime<Utc>,
) -> StoreResult<CallsOutcome> {
    let mut outcome = CallsOutcome::default();
    // The same callers recur within a batch: each number is looked up once.
    let mut customers: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    for (index, call) in calls.iter().enumerate() {
        let customer = if call.caller_is_e164 {
            Some(match customers.get(call.caller.as_str()) {
                Some(id) => *id,
                None => {
                    let id =
                        customer_by_phone(conn, &call.caller, call.caller_name.as_deref(), now)?;
                    customers.insert(&call.caller, id);
                    id
                }
            })
        } else {
            None
        };
        // Inserted first, read back only when it was there already: most calls are new.
        let inserted = conn
            .prepare_cached(&format!(
                "INSERT INTO calls ({COLUMNS}, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (call_id) DO NOTHING"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    call.call_id,
                    call.linked_id,
                    customer,
                    call.caller,
                    call.caller_name,
                    call.callee,
                    call.answered_by,
                    ms(call.arrived_at),
                    call.answered_at.map(ms),
                    ms(call.ended_at),
                    call.disposition,
                    call.source,
                    call.rang_at.map(ms),
                    call.recording_url,
                    ms(now),
                ])
            })
            .map_err(db)?;
        if inserted == 0 {
            let stored: Option<StoredCall> = conn
                .prepare_cached(&format!("SELECT {READ} FROM calls WHERE call_id = ?"))
                .and_then(|mut s| s.query_row([&call.call_id], read).optional())
                .map_err(db)?;
            let mut same = stored.map(|s| s.call);
            if let Some(same) = &mut same {
                same.caller_is_e164 = call.caller_is_e164;
            }
            if same.as_ref() == Some(call) {
                outcome.already_known += 1;
            } else {
                outcome.conflicts.push(index);
            }
            continue;
        }
        outcome.added += 1;
    }
    Ok(outcome)
}

pub fn calls_between(
    conn: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Vec<StoredCall>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {READ} FROM calls WHERE arrived_at >= ? AND arrived_at < ? ORDER BY arrived_at, call_id"
        ))
        .map_err(db)?;
    let rows = stmt
        .query_map(params![ms(from), ms(to)], read)
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

pub fn customer_calls(conn: &Connection, customer: i64) -> StoreResult<Vec<StoredCall>> {
    let customer = kept(conn, customer)?;
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {READ} FROM calls WHERE customer_id = ? ORDER BY arrived_at DESC, call_id"
        ))
        .map_err(db)?;
    let rows = stmt.query_map([customer], read).map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

pub fn calls_by_id(conn: &Connection, ids: &[String]) -> StoreResult<Vec<StoredCall>> {
    let mut stmt = conn
        .prepare_cached(&format!("SELECT {READ} FROM calls WHERE call_id = ?"))
        .map_err(db)?;
    let mut out = Vec::new();
    for id in ids {
        if let Some(call) = stmt.query_row([id], read).optional().map_err(db)? {
            out.push(call);
        }
    }
    Ok(out)
}

pub fn missed_calls_without_case(
    conn: &Connection,
    since: DateTime<Utc>,
) -> StoreResult<Vec<NewCall>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {READ} FROM calls WHERE COALESCE(linked_id, call_id) IN
                 (SELECT COALESCE(linked_id, call_id) FROM calls INDEXED BY calls_missed_open
                  WHERE answered_at IS NULL AND case_id IS NULL AND ended_at >= ?
                  AND substr(caller, 1, 1) = '+')
             ORDER BY arrived_at, call_id"
        ))
        .map_err(db)?;
    let rows = stmt.query_map([ms(since)], read).map_err(db)?;
    rows.map(|r| r.map(|s| s.call))
        .collect::<Result<_, _>>()
        .map_err(db)
}

pub fn link_calls(conn: &Connection, ids: &[String], case_id: i64) -> StoreResult<()> {
    let mut stmt = conn
        .prepare_cached("UPDATE calls SET case_id = ? WHERE call_id = ? AND case_id IS NULL")
        .map_err(db)?;
    for id in ids {
        stmt.execute(params![case_id, id]).map_err(db)?;
    }
    Ok(())
}

pub fn case_calls(conn: &Connection, case_id: i64) -> StoreResult<Vec<StoredCall>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {READ} FROM calls WHERE case_id = ? ORDER BY arrived_at, call_id"
        ))
        .map_err(db)?;
    let rows = stmt.query_map([case_id], read).map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

pub fn add_twilio_callback(
    conn: &Connection,
    cb: &TwilioCallback,
) -> StoreResult<(bool, Vec<TwilioCallback>)> {
    let added = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO twilio_callbacks (call_sid, sequence, status, at, caller, \
             caller_name, callee, direction, duration, parent_sid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .and_then(|mut s| {
            s.execute(params![
                cb.call_sid,
                cb.sequence,
                cb.status,
                ms(cb.at),
                cb.caller,
                cb.caller_name,
                cb.callee,
                cb.direction,
                cb.duration,
                cb.parent_sid,
            ])
        })
        .map_err(db)?;
    let mut stmt = conn
        .prepare_cached(
            "SELECT call_sid, sequence, status, at, caller, caller_name, callee, direction, \
             duration, parent_sid FROM twilio_callbacks WHERE call_sid = ? ORDER BY sequence",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map([&cb.call_sid], |r| {
            Ok(TwilioCallback {
                call_sid: r.get(0)?,
                sequence: r.get(1)?,
                status: r.get(2)?,
                at: time(r.get(3)?),
                caller: r.get(4)?,
                caller_name: r.get(5)?,
                callee: r.get(6)?,
                direction: r.get(7)?,
                duration: r.get(8)?,
                parent_sid: r.get(9)?,
            })
        })
        .map_err(db)?;
    let all = rows.collect::<Result<_, _>>().map_err(db)?;
    Ok((added == 1, all))
}

pub fn call_legs_between(
    conn: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Vec<CallLeg>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT COALESCE(linked_id, call_id), substr(caller, 1, 1) = '+', arrived_at, answered_at, \
             ended_at, disposition, answered_by, customer_id, case_id FROM calls \
             WHERE arrived_at >= ? AND arrived_at < ? ORDER BY arrived_at, call_id",
        )
        .map_err(db)?;
    // The lines that answered, one copy each.
    let mut lines: HashMap<String, Arc<str>> = HashMap::new();
    let mut rows = stmt.query(params![ms(from), ms(to)]).map_err(db)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(db)? {
        let line = r
            .get_ref(6)
            .map_err(db)?
            .as_str_or_null()
            .map_err(|e| db(e.into()))?;
        let answered_by = line.map(|line| match lines.get(line) {
            Some(shared) => shared.clone(),
            None => {
                let shared: Arc<str> = Arc::from(line);
                lines.insert(line.to_string(), shared.clone());
                shared
            }
        });
        out.push(CallLeg {
            call: r.get(0).map_err(db)?,
            inbound: r.get(1).map_err(db)?,
            arrived_at: time(r.get(2).map_err(db)?),
            answered_at: r.get::<_, Option<i64>>(3).map_err(db)?.map(time),
            ended_at: time(r.get(4).map_err(db)?),
            disposition: roadone_store::calls_disposition(
                r.get_ref(5)
                    .map_err(db)?
                    .as_str()
                    .map_err(|e| db(e.into()))?,
            ),
            answered_by,
            customer_id: r.get(7).map_err(db)?,
            case_id: r.get(8).map_err(db)?,
        });
    }
    Ok(out)
}

pub fn phone_cases_between(
    conn: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Vec<PhoneCase>> {
    // The projection knows the solve and the escalation (migration 0009); passing up and
    // the rating are read from the case's own events.
    let mut stmt = conn
        .prepare_cached(
            "SELECT c.id, c.customer_id, c.opened_at, c.solved_by, c.escalated OR EXISTS
                 (SELECT 1 FROM events u WHERE u.case_id = c.id AND +u.kind = 'upgraded'),
             (SELECT json_extract(r.data, '$.data.score') FROM events r
                 WHERE r.case_id = c.id AND +r.kind = 'rated' ORDER BY r.seq DESC LIMIT 1)
             FROM cases c WHERE c.channel = 'phone' AND c.opened_at >= ? AND c.opened_at < ?
             ORDER BY c.opened_at, c.id",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map(params![ms(from), ms(to)], |r| {
            Ok(PhoneCase {
                case_id: r.get(0)?,
                customer_id: r.get(1)?,
                opened_at: time(r.get(2)?),
                solved_by: r.get(3)?,
                passed_up: r.get(4)?,
                rating: r.get::<_, Option<i64>>(5)?.map(|s| s.clamp(0, 255) as u8),
            })
        })
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

pub fn phone_case_calls(conn: &Connection, within: chrono::Duration) -> StoreResult<Vec<CaseCall>> {
    // Per phone case: its linked calls and the caller's inbound calls of the hour before,
    // through the customer's index of calls by arrival.
    let mut stmt = conn
        .prepare_cached(
            "SELECT c.id, MIN(k.arrived_at), MIN(k.answered_at) FROM cases c
             JOIN calls k ON k.case_id = c.id
                 OR (k.customer_id = c.customer_id AND k.caller LIKE '+%'
                     AND k.arrived_at BETWEEN c.opened_at - ?1 AND c.opened_at)
             WHERE c.channel = 'phone' GROUP BY c.id ORDER BY c.id",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map([within.num_milliseconds()], |r| {
            Ok(CaseCall {
                case_id: r.get(0)?,
                first_arrived: time(r.get(1)?),
                first_answered: r.get::<_, Option<i64>>(2)?.map(time),
            })
        })
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}
