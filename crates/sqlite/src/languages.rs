//! The language each customer is written to in, where known.

use crate::convert::db;
use roadone_store::StoreResult;
use rusqlite::{params, Connection, OptionalExtension};

/// The language a customer is written to in, where known.
pub fn customer_language(conn: &Connection, customer: i64) -> StoreResult<Option<String>> {
    conn.prepare_cached("SELECT language FROM customers WHERE id = ?")
        .and_then(|mut s| s.query_row([customer], |r| r.get(0)).optional())
        .map(Option::flatten)
        .map_err(db)
}

/// `false` when there is no such customer.
pub fn set_customer_language(
    conn: &Connection,
    customer: i64,
    language: Option<&str>,
) -> StoreResult<bool> {
    conn.prepare_cached("UPDATE customers SET language = ? WHERE id = ?")
        .and_then(|mut s| s.execute(params![language, customer]))
        .map(|n| n > 0)
        .map_err(db)
}
