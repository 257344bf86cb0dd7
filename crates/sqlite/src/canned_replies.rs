//! The SQL of canned replies.

use crate::convert::{db, ms};
use chrono::{DateTime, Utc};
use roadone_domain::PersonId;
use roadone_store::{CannedReply, StoreError, StoreResult};
use rusqlite::{params, Connection};

fn category_exists(conn: &Connection, reply: &CannedReply) -> StoreResult<()> {
    if let Some(key) = &reply.category {
        let known: bool = conn
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM categories WHERE key = ?)",
                [key],
                |r| r.get(0),
            )
            .map_err(db)?;
        if !known {
            return Err(StoreError::Invalid {
                field: "category",
                message: format!("there is no category {key:?}"),
            });
        }
    }
    Ok(())
}

pub fn add(
    conn: &Connection,
    reply: &CannedReply,
    by: PersonId,
    at: DateTime<Utc>,
) -> StoreResult<CannedReply> {
    category_exists(conn, reply)?;
    crate::settings::person_exists(conn, "by", by)?;
    conn.prepare_cached(
        "INSERT INTO canned_replies (owner_id, category, title, body, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .and_then(|mut s| {
        s.execute(params![
            reply.owner,
            reply.category,
            reply.title,
            reply.body,
            by,
            ms(at)
        ])
    })
    .map_err(db)?;
    Ok(CannedReply {
        id: conn.last_insert_rowid(),
        ..reply.clone()
    })
}

pub fn for_person(conn: &Connection, person: PersonId) -> StoreResult<Vec<CannedReply>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, owner_id, category, title, body FROM canned_replies
             WHERE owner_id IS NULL OR owner_id = ? ORDER BY title COLLATE NOCASE, id",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map([person], |r| {
            Ok(CannedReply {
                id: r.get(0)?,
                owner: r.get(1)?,
                category: r.get(2)?,
                title: r.get(3)?,
                body: r.get(4)?,
            })
        })
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

pub fn update(conn: &Connection, reply: &CannedReply) -> StoreResult<bool> {
    category_exists(conn, reply)?;
    conn.prepare_cached("UPDATE canned_replies SET category = ?, title = ?, body = ? WHERE id = ?")
        .and_then(|mut s| s.execute(params![reply.category, reply.title, reply.body, reply.id]))
        .map(|n| n > 0)
        .map_err(db)
}

pub fn delete(conn: &Connection, id: i64) -> StoreResult<bool> {
    conn.prepare_cached("DELETE FROM canned_replies WHERE id = ?")
        .and_then(|mut s| s.execute([id]))
        .map(|n| n > 0)
        .map_err(db)
}
