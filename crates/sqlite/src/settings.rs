//! Settings changed on the admin pages, and categories edited there.

use crate::convert::{corrupt, db, ms, time};
use roadone_domain::{Category, PersonId};
use roadone_store::{SettingRecord, StoreError, StoreResult};
use rusqlite::{params, Connection};

pub fn settings(conn: &Connection) -> StoreResult<Vec<SettingRecord>> {
    let mut stmt = conn
        .prepare_cached("SELECT key, value, changed_by, changed_at FROM settings ORDER BY key")
        .map_err(db)?;
    let rows = stmt
        .query_map([], |r| {
            Ok(SettingRecord {
                key: r.get(0)?,
                value: r.get(1)?,
                changed_by: r.get(2)?,
                changed_at: time(r.get(3)?),
            })
        })
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

/// Runs inside the writer's transaction: all changes land, or none.
pub fn save_settings(
    conn: &Connection,
    changes: &[(String, Option<String>)],
    by: PersonId,
    at: chrono::DateTime<chrono::Utc>,
) -> StoreResult<()> {
    person_exists(conn, "changed_by", by)?;
    for (key, value) in changes {
        match value {
            Some(value) => conn
                .prepare_cached(
                    "INSERT INTO settings (key, value, changed_by, changed_at) VALUES (?, ?, ?, ?)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                         changed_by = excluded.changed_by, changed_at = excluded.changed_at",
                )
                .and_then(|mut s| s.execute(params![key, value, by, ms(at)])),
            None => conn
                .prepare_cached("DELETE FROM settings WHERE key = ?")
                .and_then(|mut s| s.execute([key])),
        }
        .map_err(db)?;
    }
    Ok(())
}

pub fn person_exists(conn: &Connection, field: &'static str, id: PersonId) -> StoreResult<()> {
    let exists: bool = conn
        .query_row(
            "SELECT EXISTS(SELECT 1 FROM people WHERE id = ?)",
            [id],
            |r| r.get(0),
        )
        .map_err(db)?;
    if exists {
        Ok(())
    } else {
        Err(StoreError::UnknownPerson { field, id })
    }
}

pub fn update_category(conn: &Connection, c: &Category) -> StoreResult<Category> {
    person_exists(conn, "manager", c.manager)?;
    person_exists(conn, "executive", c.executive)?;
    let checklist = serde_json::to_string(&c.checklist).map_err(corrupt)?;
    let changed = conn
        .prepare_cached(
            "UPDATE categories SET name = ?, checklist = ?, manager = ?, executive = ? WHERE key = ?",
        )
        .and_then(|mut s| s.execute(params![c.name, checklist, c.manager, c.executive, c.key]))
        .map_err(db)?;
    if changed == 0 {
        return Err(StoreError::Invalid {
            field: "key",
            message: format!("there is no category {:?}", c.key),
        });
    }
    Ok(c.clone())
}
