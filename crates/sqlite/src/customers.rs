//! The SQL of customers: found or created as cases and orders come in, and read by id.

use crate::convert::*;
use chrono::{DateTime, Utc};
use roadone_domain::Customer;
use roadone_store::*;
use rusqlite::{params, Connection, OptionalExtension};

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
    match found {
        Some(id) => {
            // A known customer's details are only filled in, never replaced: anyone can
            // write in with someone's address, and must not rename them (the name greets
            // them in every mail). Only a real change is written: an unchanged row costs
            // no page in the commit.
            conn.prepare_cached(
                "UPDATE customers SET name = COALESCE(name, ?1), phone = COALESCE(phone, ?2),
                        phone_key = COALESCE(phone_key, ?4)
                 WHERE id = ?3 AND ((?1 IS NOT NULL AND name IS NULL) OR (?2 IS NOT NULL AND phone IS NULL))",
            )
            .and_then(|mut s| s.execute(params![name, phone, id, phone_key]))
            .map_err(db)?;
            Ok(id)
        }
        None => {
            conn.prepare_cached(
                "INSERT INTO customers (email, name, phone, phone_key, external_id, created_at)
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .and_then(|mut s| {
                s.execute(params![email, name, phone, phone_key, external_id, ms(now)])
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
