//! The SQL of the directory: people, categories and API tokens.

use crate::convert::*;
use chrono::{DateTime, Utc};
use roadone_domain::{Category, Person, PersonId};
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

/// Moves or deactivates a person after checking, inside this transaction, that the
/// hierarchy stays a tree and an active administrator remains: two servers changing
/// people at once cannot together break what each alone would have refused.
pub fn update_person(conn: &Connection, id: PersonId, u: &PersonUpdate) -> StoreResult<Person> {
    let hierarchy = roadone_domain::Hierarchy::new(people(conn)?);
    if hierarchy.get(id).is_none() {
        return Err(StoreError::UnknownPerson { field: "id", id });
    }
    let refused = |r: roadone_domain::HierarchyRefusal| StoreError::Invalid {
        field: r.field,
        message: r.message,
    };
    if let Some(reports_to) = u.reports_to {
        if let Some(boss) = reports_to.filter(|b| hierarchy.get(*b).is_none()) {
            return Err(StoreError::UnknownPerson {
                field: "reports_to",
                id: boss,
            });
        }
        hierarchy.check_move(id, reports_to).map_err(refused)?;
        conn.prepare_cached("UPDATE people SET reports_to = ? WHERE id = ?")
            .and_then(|mut s| s.execute(params![reports_to, id]))
            .map_err(db)?;
    }
    if let Some(role) = u.role {
        hierarchy.check_role_change(id, role).map_err(refused)?;
        conn.prepare_cached("UPDATE people SET role = ? WHERE id = ?")
            .and_then(|mut s| s.execute(params![role.as_str(), id]))
            .map_err(db)?;
    }
    if let Some(name) = &u.name {
        conn.prepare_cached("UPDATE people SET name = ? WHERE id = ?")
            .and_then(|mut s| s.execute(params![name, id]))
            .map_err(db)?;
    }
    if let Some(email) = &u.email {
        let taken: bool = conn
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM people WHERE email = ? AND id <> ?)",
                params![email, id],
                |r| r.get(0),
            )
            .map_err(db)?;
        if taken {
            return Err(StoreError::Duplicate {
                field: "email",
                value: email.clone(),
            });
        }
        conn.prepare_cached("UPDATE people SET email = ? WHERE id = ?")
            .and_then(|mut s| s.execute(params![email, id]))
            .map_err(db)?;
    }
    if let Some(active) = u.active {
        if !active {
            hierarchy.check_deactivation(id).map_err(refused)?;
        }
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
