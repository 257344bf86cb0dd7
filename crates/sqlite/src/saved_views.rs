//! The SQL of saved views: a person's named queries of the case list.

use crate::convert::{db, ms};
use chrono::{DateTime, Utc};
use roadone_domain::PersonId;
use roadone_store::{SavedView, StoreError, StoreResult};
use rusqlite::{params, Connection};

pub fn save_view(
    conn: &Connection,
    person: PersonId,
    view: &SavedView,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let known: bool = conn
        .query_row(
            "SELECT EXISTS(SELECT 1 FROM people WHERE id = ?)",
            [person],
            |r| r.get(0),
        )
        .map_err(db)?;
    if !known {
        return Err(StoreError::UnknownPerson {
            field: "person",
            id: person,
        });
    }
    conn.prepare_cached(
        "INSERT INTO saved_views (person_id, name, query, saved_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (person_id, name) DO UPDATE SET query = ?3, saved_at = ?4",
    )
    .and_then(|mut s| s.execute(params![person, view.name, view.query, ms(at)]))
    .map_err(db)?;
    Ok(())
}

pub fn saved_views(conn: &Connection, person: PersonId) -> StoreResult<Vec<SavedView>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT name, query FROM saved_views WHERE person_id = ? ORDER BY name COLLATE NOCASE",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map([person], |r| {
            Ok(SavedView {
                name: r.get(0)?,
                query: r.get(1)?,
            })
        })
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

pub fn delete_view(conn: &Connection, person: PersonId, name: &str) -> StoreResult<bool> {
    conn.prepare_cached("DELETE FROM saved_views WHERE person_id = ? AND name = ?")
        .and_then(|mut s| s.execute(params![person, name]))
        .map(|n| n > 0)
        .map_err(db)
}
