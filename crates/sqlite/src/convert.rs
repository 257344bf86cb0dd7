//! Conversions between rows and domain values.

use chrono::{DateTime, TimeZone, Utc};
use roadone_domain::{CaseStatus, Person, Role};
use roadone_store::{CaseHead, CustomerRecord, StoreError};
use rusqlite::Row;

pub fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn time(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

pub fn db(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DiskFull) => StoreError::DiskFull(e.to_string()),
        _ => StoreError::Unavailable(e.to_string()),
    }
}

pub fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

pub fn status_str(s: CaseStatus) -> &'static str {
    s.as_str()
}

fn status(s: &str) -> rusqlite::Result<CaseStatus> {
    match s {
        "open" => Ok(CaseStatus::Open),
        "solved" => Ok(CaseStatus::Solved),
        "junk" => Ok(CaseStatus::Junk),
        other => Err(rusqlite::Error::InvalidColumnType(
            0,
            format!("state {other}"),
            rusqlite::types::Type::Text,
        )),
    }
}

pub const PERSON_COLUMNS: &str = "id, name, email, role, reports_to, active";

pub fn person(row: &Row<'_>) -> rusqlite::Result<Person> {
    let role: String = row.get(3)?;
    Ok(Person {
        id: row.get(0)?,
        name: row.get(1)?,
        email: row.get(2)?,
        role: role
            .parse::<Role>()
            .map_err(|e| rusqlite::Error::InvalidColumnType(3, e, rusqlite::types::Type::Text))?,
        reports_to: row.get(4)?,
        active: row.get(5)?,
    })
}

pub const CASE_COLUMNS: &str =
    "id, customer_id, customer_token, category, subject, state, owner, version, opened_at, escalates_at, promised_by, updated_at";

pub fn case_head(row: &Row<'_>) -> rusqlite::Result<CaseHead> {
    let id: i64 = row.get(0)?;
    let state: String = row.get(5)?;
    Ok(CaseHead {
        id,
        reference: roadone_store::case_reference(id),
        customer_id: row.get(1)?,
        customer_token: row.get(2)?,
        category: row.get(3)?,
        subject: row.get(4)?,
        status: status(&state)?,
        owner: row.get(6)?,
        version: row.get(7)?,
        opened_at: time(row.get(8)?),
        escalates_at: time(row.get(9)?),
        promised_by: time(row.get(10)?),
        updated_at: time(row.get(11)?),
    })
}

pub const CUSTOMER_COLUMNS: &str = "id, email, name, phone, external_id, merged_into";

pub fn customer_record(r: &Row<'_>) -> rusqlite::Result<CustomerRecord> {
    Ok(CustomerRecord {
        id: r.get(0)?,
        email: r.get(1)?,
        name: r.get(2)?,
        phone: r.get(3)?,
        external_id: r.get(4)?,
        merged_into: r.get(5)?,
    })
}
