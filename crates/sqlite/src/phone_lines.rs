//! The SQL of phone lines: which person answers on which channel or extension.

use crate::convert::db;
use roadone_domain::PersonId;
use roadone_store::{PhoneLine, StoreError, StoreResult};
use rusqlite::{params, Connection, OptionalExtension};

pub fn phone_lines(conn: &Connection) -> StoreResult<Vec<PhoneLine>> {
    let mut stmt = conn
        .prepare_cached("SELECT line, person_id FROM phone_lines ORDER BY line")
        .map_err(db)?;
    let rows = stmt
        .query_map([], |r| {
            Ok(PhoneLine {
                line: r.get(0)?,
                person_id: r.get(1)?,
            })
        })
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

pub fn set_phone_line(
    conn: &Connection,
    line: &str,
    person: Option<PersonId>,
) -> StoreResult<bool> {
    let Some(person) = person else {
        let removed = conn
            .execute("DELETE FROM phone_lines WHERE line = ?", [line])
            .map_err(db)?;
        return Ok(removed > 0);
    };
    let known: Option<i64> = conn
        .query_row("SELECT id FROM people WHERE id = ?", [person], |r| r.get(0))
        .optional()
        .map_err(db)?;
    if known.is_none() {
        return Err(StoreError::UnknownPerson {
            field: "person_id",
            id: person,
        });
    }
    // The line keeps the spelling it was first given: another spelling is the same line.
    let changed = conn
        .execute(
            "INSERT INTO phone_lines (line, person_id) VALUES (?1, ?2)
             ON CONFLICT (line) DO UPDATE SET person_id = ?2 WHERE phone_lines.person_id <> ?2",
            params![line, person],
        )
        .map_err(db)?;
    Ok(changed > 0)
}
