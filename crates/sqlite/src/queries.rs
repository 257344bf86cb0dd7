//! The SQL, one function per use case. Writers run inside the writer's transaction.

use crate::convert::*;
use chrono::{DateTime, Utc};
use roadone_domain::{
    Case, CaseId, CaseStatus, Category, Customer, Event, Notification, Person, PersonId, Timer,
    TimerKind,
};
use roadone_store::*;
use rusqlite::{params, Connection, OptionalExtension};

pub fn add_person(conn: &Connection, p: &NewPerson, now: DateTime<Utc>) -> StoreResult<Person> {
    if let Some(boss) = p.reports_to {
        let exists: bool = conn
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM people WHERE id = ?)",
                [boss],
                |r| r.get(0),
            )
            .map_err(db)?;
        if !exists {
            return Err(StoreError::UnknownPerson {
                field: "reports_to",
                id: boss,
            });
        }
    }
    let taken: bool = conn
        .query_row(
            "SELECT EXISTS(SELECT 1 FROM people WHERE email = ?)",
            [&p.email],
            |r| r.get(0),
        )
        .map_err(db)?;
    if taken {
        return Err(StoreError::Duplicate {
            field: "email",
            value: p.email.clone(),
        });
    }
    conn.prepare_cached("INSERT INTO people (name, email, role, reports_to, active, created_at) VALUES (?, ?, ?, ?, 1, ?)")
        .and_then(|mut s| s.execute(params![p.name, p.email, p.role.as_str(), p.reports_to, ms(now)]))
        .map_err(db)?;
    Ok(Person {
        id: conn.last_insert_rowid(),
        name: p.name.clone(),
        email: p.email.clone(),
        role: p.role,
        reports_to: p.reports_to,
        active: true,
    })
}

pub fn update_person(conn: &Connection, id: PersonId, u: &PersonUpdate) -> StoreResult<Person> {
    if let Some(Some(boss)) = u.reports_to {
        let exists: bool = conn
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM people WHERE id = ?)",
                [boss],
                |r| r.get(0),
            )
            .map_err(db)?;
        if !exists || boss == id {
            return Err(StoreError::UnknownPerson {
                field: "reports_to",
                id: boss,
            });
        }
    }
    if let Some(reports_to) = u.reports_to {
        conn.prepare_cached("UPDATE people SET reports_to = ? WHERE id = ?")
            .and_then(|mut s| s.execute(params![reports_to, id]))
            .map_err(db)?;
    }
    if let Some(active) = u.active {
        conn.prepare_cached("UPDATE people SET active = ? WHERE id = ?")
            .and_then(|mut s| s.execute(params![active, id]))
            .map_err(db)?;
    }
    conn.query_row(
        &format!("SELECT {PERSON_COLUMNS} FROM people WHERE id = ?"),
        [id],
        person,
    )
    .optional()
    .map_err(db)?
    .ok_or(StoreError::UnknownPerson { field: "id", id })
}

pub fn people(conn: &Connection) -> StoreResult<Vec<Person>> {
    let mut stmt = conn
        .prepare_cached(&format!("SELECT {PERSON_COLUMNS} FROM people ORDER BY id"))
        .map_err(db)?;
    let rows = stmt.query_map([], person).map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

pub fn person_by_email(conn: &Connection, email: &str) -> StoreResult<Option<Person>> {
    conn.query_row(
        &format!("SELECT {PERSON_COLUMNS} FROM people WHERE email = ?"),
        [email],
        person,
    )
    .optional()
    .map_err(db)
}

pub fn add_category(conn: &Connection, c: &Category, now: DateTime<Utc>) -> StoreResult<Category> {
    crate::settings::person_exists(conn, "manager", c.manager)?;
    crate::settings::person_exists(conn, "executive", c.executive)?;
    let taken: bool = conn
        .query_row(
            "SELECT EXISTS(SELECT 1 FROM categories WHERE key = ?)",
            [&c.key],
            |r| r.get(0),
        )
        .map_err(db)?;
    if taken {
        return Err(StoreError::Duplicate {
            field: "key",
            value: c.key.clone(),
        });
    }
    let checklist = serde_json::to_string(&c.checklist).map_err(corrupt)?;
    conn.execute(
        "INSERT INTO categories (key, name, checklist, manager, executive, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        params![c.key, c.name, checklist, c.manager, c.executive, ms(now)],
    )
    .map_err(db)?;
    Ok(c.clone())
}

pub fn categories(conn: &Connection) -> StoreResult<Vec<Category>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT key, name, checklist, manager, executive FROM categories ORDER BY key",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get(3)?,
                r.get(4)?,
            ))
        })
        .map_err(db)?;
    let mut out = Vec::new();
    for row in rows {
        let (key, name, checklist, manager, executive) = row.map_err(db)?;
        let checklist = serde_json::from_str(&checklist)
            .map_err(|e| corrupt(format!("checklist of {key}: {e}")))?;
        out.push(Category {
            key,
            name,
            checklist,
            manager,
            executive,
        });
    }
    Ok(out)
}

pub fn add_token(
    conn: &Connection,
    person: PersonId,
    hash: &[u8],
    label: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let exists: bool = conn
        .query_row(
            "SELECT EXISTS(SELECT 1 FROM people WHERE id = ?)",
            [person],
            |r| r.get(0),
        )
        .map_err(db)?;
    if !exists {
        return Err(StoreError::UnknownPerson {
            field: "person",
            id: person,
        });
    }
    conn.execute(
        "INSERT INTO api_tokens (hash, person_id, label, created_at) VALUES (?, ?, ?, ?)",
        params![hash, person, label, ms(now)],
    )
    .map_err(db)?;
    Ok(())
}

pub fn tokens(conn: &Connection) -> StoreResult<Vec<TokenRecord>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT hash, person_id, label, created_at, revoked_at FROM api_tokens ORDER BY created_at DESC, hash",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map([], |r| {
            Ok(TokenRecord {
                hash: r.get(0)?,
                person_id: r.get(1)?,
                label: r.get(2)?,
                created_at: time(r.get(3)?),
                revoked_at: r.get::<_, Option<i64>>(4)?.map(time),
            })
        })
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

pub fn revoke_token(conn: &Connection, hash: &[u8], at: DateTime<Utc>) -> StoreResult<bool> {
    let known: bool = conn
        .query_row(
            "SELECT EXISTS(SELECT 1 FROM api_tokens WHERE hash = ?)",
            [hash],
            |r| r.get(0),
        )
        .map_err(db)?;
    conn.prepare_cached(
        "UPDATE api_tokens SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL",
    )
    .and_then(|mut s| s.execute(params![ms(at), hash]))
    .map_err(db)?;
    Ok(known)
}

pub fn person_by_token(conn: &Connection, hash: &[u8]) -> StoreResult<Option<PersonId>> {
    conn.prepare_cached(
        "SELECT t.person_id FROM api_tokens t JOIN people p ON p.id = t.person_id
         WHERE t.hash = ? AND t.revoked_at IS NULL AND p.active = 1",
    )
    .and_then(|mut s| s.query_row([hash], |r| r.get(0)).optional())
    .map_err(db)
}

/// Finds the customer by email, then by external id; creates them if new.
pub(crate) fn upsert_customer(
    conn: &Connection,
    c: &Customer,
    now: DateTime<Utc>,
) -> StoreResult<i64> {
    let clean = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (email, name, phone, external_id) = (
        clean(&c.email),
        clean(&c.name),
        clean(&c.phone),
        clean(&c.external_id),
    );
    let mut found: Option<i64> = None;
    if let Some(email) = &email {
        found = conn
            .prepare_cached("SELECT id FROM customers WHERE email = ?")
            .and_then(|mut s| s.query_row([email], |r| r.get(0)).optional())
            .map_err(db)?;
    }
    if found.is_none() {
        if let Some(ext) = &external_id {
            found = conn
                .prepare_cached("SELECT id FROM customers WHERE external_id = ?")
                .and_then(|mut s| s.query_row([ext], |r| r.get(0)).optional())
                .map_err(db)?;
        }
    }
    match found {
        Some(id) => {
            // A known customer's details are only filled in, never replaced: anyone can
            // write in with someone's address, and must not rename them (the name greets
            // them in every mail). Only a real change is written: an unchanged row costs
            // no page in the commit.
            conn.prepare_cached(
                "UPDATE customers SET name = COALESCE(name, ?1), phone = COALESCE(phone, ?2)
                 WHERE id = ?3 AND ((?1 IS NOT NULL AND name IS NULL) OR (?2 IS NOT NULL AND phone IS NULL))",
            )
            .and_then(|mut s| s.execute(params![name, phone, id]))
            .map_err(db)?;
            Ok(id)
        }
        None => {
            conn.prepare_cached(
                "INSERT INTO customers (email, name, phone, external_id, created_at) VALUES (?, ?, ?, ?, ?)",
            )
            .and_then(|mut s| s.execute(params![email, name, phone, external_id, ms(now)]))
            .map_err(db)?;
            Ok(conn.last_insert_rowid())
        }
    }
}

pub fn customer(conn: &Connection, id: i64) -> StoreResult<Option<CustomerRecord>> {
    conn.prepare_cached(&format!(
        "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id = ?"
    ))
    .and_then(|mut s| s.query_row([id], customer_record).optional())
    .map_err(db)
}

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
    let customer_id = upsert_customer(conn, &new.customer, now)?;
    let case = &new.case;
    conn.prepare_cached(
        "INSERT INTO cases (customer_id, customer_token, category, subject, state, owner, version,
                            opened_at, escalates_at, promised_by, updated_at, intake_owner)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                          solved_at = ?, solved_by = ?, road = ?, escalated = ? WHERE id = ?",
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
            e.body.kind(),
            ms(e.at),
            e.actor.person(),
            data
        ])
        .map_err(db)?;
        if let (Some(row), Some(text)) =
            (crate::search::row_id(id, e.seq), crate::search::text_of(e))
        {
            conn.prepare_cached("INSERT INTO case_text (rowid, body) VALUES (?, ?)")
                .and_then(|mut s| s.execute(params![row, text]))
                .map_err(db)?;
        }
    }
    Ok(())
}

fn replace_timers(conn: &Connection, id: CaseId, timers: &[Timer]) -> StoreResult<()> {
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

fn enqueue(
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

pub fn list_cases(conn: &Connection, f: &CaseFilter) -> StoreResult<Vec<CaseHead>> {
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    // A search starts from the few cases whose words match (CROSS JOIN keeps that order);
    // everything else walks the cases table by its indexes.
    let mut sql = match f.search.as_deref().and_then(crate::search::fts_query) {
        Some(query) => {
            args.push(query.into());
            format!(
                "SELECT {CASE_COLUMNS} FROM (SELECT DISTINCT {} AS case_id FROM case_text WHERE case_text MATCH ?) matched CROSS JOIN cases ON cases.id = matched.case_id WHERE 1 = 1",
                crate::search::CASE_OF_ROW
            )
        }
        None => format!("SELECT {CASE_COLUMNS} FROM cases WHERE 1 = 1"),
    };
    if let Some(owner) = f.owner {
        sql.push_str(" AND owner = ?");
        args.push(owner.into());
    }
    if let Some(status) = f.status {
        sql.push_str(" AND state = ?");
        args.push(status_str(status).to_string().into());
    }
    if let Some(category) = &f.category {
        sql.push_str(" AND category = ?");
        args.push(category.clone().into());
    }
    if let Some(customer) = f.customer_id {
        sql.push_str(" AND customer_id = ?");
        args.push(customer.into());
    }
    if let Some(text) = f.text.as_deref().filter(|t| !t.trim().is_empty()) {
        let pattern = format!(
            "%{}%",
            text.trim()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        sql.push_str(
            " AND (subject LIKE ? ESCAPE '\\' OR customer_id IN (SELECT id FROM customers WHERE email LIKE ? ESCAPE '\\'))",
        );
        args.push(pattern.clone().into());
        args.push(pattern.into());
    }
    // One state: its own order, which the (owner, state, escalates_at) and
    // (state, escalates_at) indexes give without sorting. Both: open first, then solved.
    sql.push_str(match f.status {
        Some(CaseStatus::Open) => " ORDER BY escalates_at, id",
        Some(CaseStatus::Solved) => " ORDER BY updated_at DESC, id",
        None => " ORDER BY state = 'solved', CASE WHEN state = 'open' THEN escalates_at ELSE -updated_at END, id",
    });
    sql.push_str(" LIMIT ? OFFSET ?");
    args.push(i64::from(f.limit.clamp(1, 1000)).into());
    args.push(i64::from(f.offset).into());
    let mut stmt = conn.prepare_cached(&sql).map_err(db)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args), case_head)
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
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

pub fn events(conn: &Connection, f: &EventFilter) -> StoreResult<Vec<(CaseHead, Event)>> {
    if f.kinds.is_empty() {
        return Err(StoreError::Invalid {
            field: "kinds",
            message: "name at least one event kind".into(),
        });
    }
    let case_columns: Vec<String> = CASE_COLUMNS.split(", ").map(|c| format!("c.{c}")).collect();
    let marks = vec!["?"; f.kinds.len()].join(", ");
    let mut sql = format!(
        "SELECT {}, e.data FROM events e JOIN cases c ON c.id = e.case_id WHERE e.kind IN ({marks})",
        case_columns.join(", ")
    );
    let mut args: Vec<rusqlite::types::Value> = f.kinds.iter().map(|k| k.clone().into()).collect();
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
