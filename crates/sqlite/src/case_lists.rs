//! The lists of cases staff read: one filter (`CaseFilter`) gives both a page in its order
//! and the count of all its pages, from the same conditions.

use crate::convert::*;
use roadone_domain::CaseStatus;
use roadone_store::*;
use rusqlite::Connection;

/// The `FROM … WHERE …` of a filter and its arguments, shared by the list and its count.
fn filtered(f: &CaseFilter, columns: &str) -> (String, Vec<rusqlite::types::Value>) {
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    // A search starts from the few cases whose words match (CROSS JOIN keeps that order);
    // everything else walks the cases table by its indexes.
    let mut sql = match f.search.as_deref().and_then(crate::search::fts_query) {
        Some(query) => {
            args.push(query.into());
            format!(
                "SELECT {columns} FROM (SELECT DISTINCT {} AS case_id FROM search.case_text WHERE case_text MATCH ?) matched CROSS JOIN cases ON cases.id = matched.case_id WHERE 1 = 1",
                crate::search::CASE_OF_ROW
            )
        }
        None => format!("SELECT {columns} FROM cases WHERE 1 = 1"),
    };
    if let Some(id) = f.id {
        sql.push_str(" AND id = ?");
        args.push(id.into());
    }
    if let Some(owner) = f.owner {
        sql.push_str(" AND owner = ?");
        args.push(owner.into());
    }
    if !f.owners.is_empty() {
        sql.push_str(&format!(
            " AND owner IN ({})",
            vec!["?"; f.owners.len()].join(", ")
        ));
        args.extend(f.owners.iter().map(|o| (*o).into()));
    }
    if let Some(status) = f.status {
        sql.push_str(" AND state = ?");
        args.push(status_str(status).to_string().into());
    }
    if let Some(category) = &f.category {
        sql.push_str(" AND category = ?");
        args.push(category.clone().into());
    }
    if let Some(channel) = f.channel {
        sql.push_str(" AND channel = ?");
        args.push(channel.as_str().to_string().into());
    }
    if let Some(customer) = f.customer_id {
        sql.push_str(" AND customer_id = ?");
        args.push(customer.into());
    }
    if let Some(escalated) = f.escalated {
        sql.push_str(" AND escalated = ?");
        args.push(i64::from(escalated).into());
    }
    if let Some(awaiting) = f.awaiting_customer {
        sql.push_str(" AND awaiting_customer = ?");
        args.push(i64::from(awaiting).into());
    }
    if let Some(from) = f.opened_from {
        sql.push_str(" AND opened_at >= ?");
        args.push(ms(from).into());
    }
    if let Some(before) = f.opened_before {
        sql.push_str(" AND opened_at < ?");
        args.push(ms(before).into());
    }
    if let Some(text) = f.text.as_deref().filter(|t| !t.trim().is_empty()) {
        let pattern = format!(
            "%{}%",
            text.trim()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        sql.push_str(
            " AND (subject LIKE ? ESCAPE '\\' OR customer_id IN (SELECT id FROM customers WHERE email LIKE ? ESCAPE '\\'))",
        );
        args.push(pattern.clone().into());
        args.push(pattern.into());
    }
    (sql, args)
}

/// A page of the cases `f` names, in its order. The long lists' orders are index walks:
/// open and solved cases together by urgency are the open ones' page, then the solved
/// ones' (two walks, never a sort of every case); a team's cases by their last change are
/// each person's newest few, merged (never a sort of all the team's cases).
pub fn list_cases(conn: &Connection, f: &CaseFilter) -> StoreResult<Vec<CaseHead>> {
    let limit = f.limit.clamp(1, 1000);
    // A customer's cases, a search's or one named case are few: one sorted query.
    let few = f.customer_id.is_some() || f.search.is_some() || f.id.is_some();
    match (f.sort, f.status) {
        (CaseSort::Urgency, None) if few => {
            let (mut sql, args) = filtered(f, CASE_COLUMNS);
            sql.push_str(
                " ORDER BY state <> 'open', CASE WHEN state = 'open' THEN escalates_at ELSE -updated_at END, CASE WHEN state = 'open' THEN id ELSE -id END",
            );
            page_of(conn, sql, args, limit, f.offset)
        }
        (CaseSort::Urgency, None) => {
            // Open cases first, then solved, then junk: one walk each, skipping whole
            // walks the offset passes (counted only when there is an offset to pass).
            let mut heads = Vec::new();
            let mut skip = u64::from(f.offset);
            for status in [CaseStatus::Open, CaseStatus::Solved, CaseStatus::Junk] {
                if heads.len() >= limit as usize {
                    break;
                }
                let part = CaseFilter {
                    status: Some(status),
                    ..f.clone()
                };
                if skip > 0 {
                    let count = count_cases(
                        conn,
                        &CaseFilter {
                            count_up_to: None,
                            ..part.clone()
                        },
                    )?;
                    if skip >= count {
                        skip -= count;
                        continue;
                    }
                }
                let rest = limit - heads.len() as u32;
                heads.extend(one_walk(conn, &part, rest, skip as u32)?);
                skip = 0;
            }
            Ok(heads)
        }
        _ => one_walk(conn, f, limit, f.offset),
    }
}

/// The order of one walk: what the indexes give without sorting.
fn order_of(f: &CaseFilter) -> &'static str {
    match (f.sort, f.status) {
        (CaseSort::Urgency, Some(CaseStatus::Open)) => " ORDER BY escalates_at, id",
        // `id DESC` with `updated_at DESC`: an index on `updated_at` gives both.
        (CaseSort::Urgency, _) | (CaseSort::LastChange, _) => " ORDER BY updated_at DESC, id DESC",
        (CaseSort::Newest, _) => " ORDER BY opened_at DESC, id DESC",
        (CaseSort::Oldest, _) => " ORDER BY opened_at, id",
    }
}

/// At most this many people's cases are merged from one walk each (a larger team's
/// are sorted once, as any other filter).
const MERGED_OWNERS: usize = 64;

fn one_walk(
    conn: &Connection,
    f: &CaseFilter,
    limit: u32,
    offset: u32,
) -> StoreResult<Vec<CaseHead>> {
    let by_change = matches!(
        (f.sort, f.status),
        (CaseSort::LastChange, _)
            | (
                CaseSort::Urgency,
                Some(CaseStatus::Solved | CaseStatus::Junk)
            )
    );
    let (sql, args) =
        if by_change && f.owners.len() > 1 && f.owners.len() <= MERGED_OWNERS && f.search.is_none()
        {
            // Each person's newest `offset + limit` by `cases(owner, updated_at)`, then merged.
            let wanted = i64::from(offset) + i64::from(limit);
            let mut parts = Vec::new();
            let mut args = Vec::new();
            for owner in &f.owners {
                let one = CaseFilter {
                    owner: Some(*owner),
                    owners: vec![],
                    ..f.clone()
                };
                let (sql, part_args) = filtered(&one, CASE_COLUMNS);
                parts.push(format!(
                    "SELECT * FROM ({sql} ORDER BY updated_at DESC, id DESC LIMIT ?)"
                ));
                args.extend(part_args);
                args.push(wanted.into());
            }
            (
                format!(
                    "SELECT * FROM ({}) ORDER BY updated_at DESC, id DESC",
                    parts.join(" UNION ALL ")
                ),
                args,
            )
        } else {
            let (mut sql, args) = filtered(f, CASE_COLUMNS);
            sql.push_str(order_of(f));
            (sql, args)
        };
    page_of(conn, sql, args, limit, offset)
}

/// The rows of `sql` from `offset`, at most `limit` of them.
fn page_of(
    conn: &Connection,
    sql: String,
    mut args: Vec<rusqlite::types::Value>,
    limit: u32,
    offset: u32,
) -> StoreResult<Vec<CaseHead>> {
    let sql = format!("{sql} LIMIT ? OFFSET ?");
    args.push(i64::from(limit).into());
    args.push(i64::from(offset).into());
    let mut stmt = conn.prepare_cached(&sql).map_err(db)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args), case_head)
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

/// How many cases `f` names; with `count_up_to`, at most one more than that (counting a
/// million cases to say "1–50 of 985,940" costs more than the page).
pub fn count_cases(conn: &Connection, f: &CaseFilter) -> StoreResult<u64> {
    let (sql, args) = match f.count_up_to {
        Some(cap) => {
            let (sql, mut args) = filtered(f, "1");
            args.push(
                i64::try_from(cap.saturating_add(1))
                    .unwrap_or(i64::MAX)
                    .into(),
            );
            (format!("SELECT COUNT(*) FROM ({sql} LIMIT ?)"), args)
        }
        None => filtered(f, "COUNT(*)"),
    };
    conn.prepare_cached(&sql)
        .and_then(|mut s| s.query_row(rusqlite::params_from_iter(args), |r| r.get::<_, i64>(0)))
        .map(|n| n as u64)
        .map_err(db)
}
