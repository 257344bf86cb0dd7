//! The time zones people chose for themselves, and customers' where staff know them.

use crate::convert::db;
use roadone_domain::PersonId;
use roadone_store::StoreResult;
use rusqlite::{params, Connection, OptionalExtension};

pub fn staff_time_zones(conn: &Connection) -> StoreResult<Vec<(PersonId, String)>> {
    let mut stmt = conn
        .prepare_cached("SELECT person_id, time_zone FROM staff_time_zones ORDER BY person_id")
        .map_err(db)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

pub fn set_staff_time_zone(
    conn: &Connection,
    person: PersonId,
    zone: Option<&str>,
) -> StoreResult<()> {
    crate::settings::person_exists(conn, "person", person)?;
    match zone {
        Some(zone) => conn
            .prepare_cached(
                "INSERT INTO staff_time_zones (person_id, time_zone) VALUES (?, ?)
                 ON CONFLICT (person_id) DO UPDATE SET time_zone = excluded.time_zone",
            )
            .and_then(|mut s| s.execute(params![person, zone])),
        None => conn
            .prepare_cached("DELETE FROM staff_time_zones WHERE person_id = ?")
            .and_then(|mut s| s.execute([person])),
    }
    .map_err(db)?;
    Ok(())
}

pub fn customer_time_zone(conn: &Connection, customer: i64) -> StoreResult<Option<String>> {
    conn.prepare_cached("SELECT time_zone FROM customers WHERE id = ?")
        .and_then(|mut s| s.query_row([customer], |r| r.get(0)).optional())
        .map(Option::flatten)
        .map_err(db)
}

/// `false` when there is no such customer.
pub fn set_customer_time_zone(
    conn: &Connection,
    customer: i64,
    zone: Option<&str>,
) -> StoreResult<bool> {
    conn.prepare_cached("UPDATE customers SET time_zone = ? WHERE id = ?")
        .and_then(|mut s| s.execute(params![zone, customer]))
        .map(|n| n > 0)
        .map_err(db)
}
