//! The SQL of customers: found or created as cases and orders come in, and read by id.

use crate::convert::*;
use chrono::{DateTime, Utc};
use roadone_domain::{Customer, PersonId};
use roadone_store::*;
use rusqlite::{params, Connection, OptionalExtension};

/// Finds the customer by email, then by external id (or, given only a phone number, by
/// that); creates them if new. With `on_the_phone` (staff took their call), a customer known
/// only by this number (a caller whose calls were stored) is them too, and gains the other
/// details: nobody else can claim a caller's record by writing in with their number.
pub(crate) fn upsert_customer(
    conn: &Connection,
    c: &Customer,
    now: DateTime<Utc>,
    on_the_phone: bool,
) -> StoreResult<i64> {
    let clean = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (email, name, phone, external_id, language) = (
        clean(&c.email),
        clean(&c.name),
        clean(&c.phone),
        clean(&c.external_id),
        clean(&c.language),
    );
    let phone_key = phone.as_deref().map(roadone_domain::phone::key);
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
    // Someone known only by their number (a caller) is the customer who has it: the one
    // their calls were stored under.
    if found.is_none() && email.is_none() && external_id.is_none() {
        if let Some(key) = &phone_key {
            found = conn
                .prepare_cached("SELECT MIN(id) FROM customers WHERE phone_key = ?")
                .and_then(|mut s| s.query_row([key], |r| r.get(0)).optional())
                .map_err(db)?
                .flatten();
        }
    }
    if found.is_none() && on_the_phone && (email.is_some() || external_id.is_some()) {
        if let Some(key) = &phone_key {
            found = conn
                .prepare_cached(
                    "SELECT MIN(id) FROM customers WHERE phone_key = ? AND email IS NULL
                     AND external_id IS NULL AND merged_into IS NULL",
                )
                .and_then(|mut s| s.query_row([key], |r| r.get(0)).optional())
                .map_err(db)?
                .flatten();
            if let Some(id) = found {
                conn.prepare_cached("UPDATE customers SET email = ?, external_id = ? WHERE id = ?")
                    .and_then(|mut s| s.execute(params![email, external_id, id]))
                    .map_err(db)?;
            }
        }
    }
    // A customer merged into another is that other one now.
    if let Some(id) = found {
        found = Some(kept(conn, id)?);
    }
    match found {
        Some(id) => {
            // A known customer's details are only filled in, never replaced: anyone can
            // write in with someone's address, and must not rename them (the name greets
            // them in every mail). Only a real change is written: an unchanged row costs
            // no page in the commit.
            conn.prepare_cached(
                "UPDATE customers SET name = COALESCE(name, ?1), phone = COALESCE(phone, ?2),
                        phone_key = COALESCE(phone_key, ?4), language = COALESCE(language, ?5)
                 WHERE id = ?3 AND ((?1 IS NOT NULL AND name IS NULL) OR (?2 IS NOT NULL AND phone IS NULL)
                                    OR (?5 IS NOT NULL AND language IS NULL))",
            )
            .and_then(|mut s| s.execute(params![name, phone, id, phone_key, language]))
            .map_err(db)?;
            Ok(id)
        }
        None => {
            conn.prepare_cached(
                "INSERT INTO customers (email, name, phone, phone_key, external_id, language, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    email,
                    name,
                    phone,
                    phone_key,
                    external_id,
                    language,
                    ms(now)
                ])
            })
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

/// The customer `id` stands for: itself, or the one it was merged into (merges chain).
pub(crate) fn kept(conn: &Connection, mut id: i64) -> StoreResult<i64> {
    for _ in 0..16 {
        let next: Option<i64> = conn
            .prepare_cached("SELECT merged_into FROM customers WHERE id = ?")
            .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
            .map_err(db)?
            .flatten();
        match next {
            Some(next) => id = next,
            None => return Ok(id),
        }
    }
    Err(StoreError::Corrupt(format!(
        "customer {id}: merges go round in a circle"
    )))
}

pub fn merge_customers(
    conn: &Connection,
    from: i64,
    into: i64,
    by: PersonId,
    at: DateTime<Utc>,
) -> StoreResult<MergeOutcome> {
    let invalid = |message: String| StoreError::Invalid {
        field: "into",
        message,
    };
    if from == into {
        return Err(invalid(
            "a customer cannot be merged into themselves".into(),
        ));
    }
    let (Some(a), Some(b)) = (customer(conn, from)?, customer(conn, into)?) else {
        return Err(invalid("there is no such customer".into()));
    };
    if a.merged_into.is_some() || b.merged_into.is_some() {
        return Err(invalid("one of them was merged already".into()));
    }
    crate::settings::person_exists(conn, "by", by)?;
    let moved = |sql: &str| -> StoreResult<u64> {
        conn.prepare_cached(sql)
            .and_then(|mut s| s.execute(params![into, from]))
            .map(|n| n as u64)
            .map_err(db)
    };
    let cases = moved("UPDATE cases SET customer_id = ?1 WHERE customer_id = ?2")?;
    let orders = moved("UPDATE orders SET customer_id = ?1 WHERE customer_id = ?2")?;
    moved("UPDATE calls SET customer_id = ?1 WHERE customer_id = ?2")?;
    moved("UPDATE customer_sign_in_links SET customer_id = ?1 WHERE customer_id = ?2")?;
    moved("UPDATE customer_sessions SET customer_id = ?1 WHERE customer_id = ?2")?;
    crate::experiments::merge_assignments(conn, from, into)?;
    // What the kept one lacks comes from the other; unique keys move rather than copy.
    if b.email.is_none() && a.email.is_some() {
        moved("UPDATE customers SET email = NULL WHERE id = ?2 AND ?1 IS NOT NULL")?;
        conn.execute(
            "UPDATE customers SET email = ? WHERE id = ?",
            params![a.email, into],
        )
        .map_err(db)?;
    }
    if b.external_id.is_none() && a.external_id.is_some() {
        moved("UPDATE customers SET external_id = NULL WHERE id = ?2 AND ?1 IS NOT NULL")?;
        conn.execute(
            "UPDATE customers SET external_id = ? WHERE id = ?",
            params![a.external_id, into],
        )
        .map_err(db)?;
    }
    conn.execute(
        "UPDATE customers SET name = COALESCE(name, ?1), phone = COALESCE(phone, ?2),
                phone_key = COALESCE(phone_key, ?3),
                time_zone = COALESCE(time_zone, (SELECT time_zone FROM customers WHERE id = ?5))
         WHERE id = ?4",
        params![
            a.name,
            a.phone,
            a.phone.as_deref().map(roadone_domain::phone::key),
            into,
            from
        ],
    )
    .map_err(db)?;
    conn.execute(
        "UPDATE customers SET merged_into = ? WHERE id = ?",
        params![into, from],
    )
    .map_err(db)?;
    let details = serde_json::json!({
        "email": a.email, "name": a.name, "phone": a.phone, "external_id": a.external_id,
        "cases_moved": cases, "orders_moved": orders,
    });
    conn.execute(
        "INSERT INTO customer_merges (from_id, into_id, merged_by, merged_at, details) VALUES (?, ?, ?, ?, ?)",
        params![from, into, by, ms(at), details.to_string()],
    )
    .map_err(db)?;
    Ok(MergeOutcome { cases, orders })
}
