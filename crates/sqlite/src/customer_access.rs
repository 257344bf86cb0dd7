//! The SQL of portal sign-in: single-use links and the sessions they open.

use crate::convert::*;
use chrono::{DateTime, Duration, Utc};
use roadone_store::*;
use rusqlite::{params, Connection, OptionalExtension};

/// The customer an email leads to: the one kept, when its owner was merged into another.
pub fn customer_by_email(conn: &Connection, email: &str) -> StoreResult<Option<CustomerRecord>> {
    let found = conn
        .prepare_cached(&format!(
            "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE email = ?"
        ))
        .and_then(|mut s| s.query_row([email.trim()], customer_record).optional())
        .map_err(db)?;
    match found {
        Some(c) if c.merged_into.is_some() => {
            let kept = crate::customers::kept(conn, c.id)?;
            crate::customers::customer(conn, kept)
        }
        other => Ok(other),
    }
}

/// Links and sessions are kept a day past their end (for support questions), then purged.
fn purge_expired(conn: &Connection, now: DateTime<Utc>) -> StoreResult<()> {
    let horizon = ms(now - Duration::days(1));
    for table in ["customer_sign_in_links", "customer_sessions"] {
        conn.prepare_cached(&format!("DELETE FROM {table} WHERE expires_at < ?"))
            .and_then(|mut s| s.execute([horizon]))
            .map_err(db)?;
    }
    Ok(())
}

pub fn add_sign_in_link(conn: &Connection, link: &SignInLink) -> StoreResult<()> {
    purge_expired(conn, link.created_at)?;
    let known: bool = conn
        .query_row(
            "SELECT EXISTS(SELECT 1 FROM customers WHERE id = ?)",
            [link.customer_id],
            |r| r.get(0),
        )
        .map_err(db)?;
    if !known {
        return Err(StoreError::Invalid {
            field: "customer_id",
            message: format!("there is no customer {}", link.customer_id),
        });
    }
    conn.prepare_cached(
        "INSERT INTO customer_sign_in_links (hash, customer_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
    )
    .and_then(|mut s| {
        s.execute(params![
            link.hash,
            link.customer_id,
            ms(link.created_at),
            ms(link.expires_at)
        ])
    })
    .map_err(db)?;
    Ok(())
}

pub fn redeem_sign_in_link(
    conn: &Connection,
    link_hash: &[u8],
    now: DateTime<Utc>,
    session: &NewSession,
) -> StoreResult<Option<i64>> {
    // The UPDATE is the single-use check: of two concurrent redemptions one changes the row.
    let customer: Option<i64> = conn
        .prepare_cached(
            "UPDATE customer_sign_in_links SET used_at = ?2
             WHERE hash = ?1 AND used_at IS NULL AND expires_at > ?2
             RETURNING customer_id",
        )
        .and_then(|mut s| {
            s.query_row(params![link_hash, ms(now)], |r| r.get(0))
                .optional()
        })
        .map_err(db)?;
    let Some(customer) = customer else {
        return Ok(None);
    };
    conn.prepare_cached(
        "INSERT INTO customer_sessions (hash, customer_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
    )
    .and_then(|mut s| {
        s.execute(params![
            session.hash,
            customer,
            ms(session.created_at),
            ms(session.expires_at)
        ])
    })
    .map_err(db)?;
    Ok(Some(customer))
}

pub fn customer_session(
    conn: &Connection,
    hash: &[u8],
    now: DateTime<Utc>,
) -> StoreResult<Option<i64>> {
    conn.prepare_cached(
        "SELECT customer_id FROM customer_sessions WHERE hash = ? AND expires_at > ?",
    )
    .and_then(|mut s| s.query_row(params![hash, ms(now)], |r| r.get(0)).optional())
    .map_err(db)
}

pub fn end_customer_session(conn: &Connection, hash: &[u8]) -> StoreResult<()> {
    conn.prepare_cached("DELETE FROM customer_sessions WHERE hash = ?")
        .and_then(|mut s| s.execute([hash]))
        .map_err(db)?;
    Ok(())
}

/// The customers a lookup names: the exact email, every word given as the start of a
/// word of their name or email, or a phone ending as a key says; each branch through its
/// own index and capped, then by name.
pub fn find_customers(
    conn: &Connection,
    query: &CustomerQuery,
    limit: u32,
) -> StoreResult<Vec<CustomerRecord>> {
    let mut branches: Vec<String> = Vec::new();
    let mut values: Vec<rusqlite::types::Value> = Vec::new();
    let bind = |v: String, values: &mut Vec<rusqlite::types::Value>| {
        values.push(v.into());
        format!("?{}", values.len())
    };
    if let Some(email) = query.email.as_deref().filter(|e| !e.is_empty()) {
        let at = bind(email.to_string(), &mut values);
        branches.push(format!("SELECT id FROM customers WHERE email = {at}"));
    }
    let words: Vec<String> = query
        .words
        .iter()
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
        .collect();
    if !words.is_empty() {
        let at = bind(words.join(" "), &mut values);
        branches.push(format!(
            "SELECT * FROM (SELECT rowid AS id FROM customer_words WHERE customer_words MATCH {at} LIMIT {limit})"
        ));
    }
    for key in query.phone_keys.iter().filter(|k| !k.is_empty()) {
        // ':' sorts right after '9': [key, key:) holds exactly the keys starting with key.
        let from = bind(key.clone(), &mut values);
        let to = bind(format!("{key}:"), &mut values);
        branches.push(format!(
            "SELECT * FROM (SELECT id FROM customers WHERE phone_key >= {from} AND phone_key < {to} LIMIT {limit})"
        ));
    }
    if branches.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id IN ({}) AND merged_into IS NULL \
         ORDER BY name COLLATE NOCASE, email LIMIT {limit}",
        branches.join(" UNION ")
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(db)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(values), customer_record)
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}
