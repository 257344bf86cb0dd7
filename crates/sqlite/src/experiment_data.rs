//! The SQL the experiment report reads: each assigned customer's sales and contacts before
//! and after their assignment, and their cases since.

use crate::convert::*;
use roadone_domain::Arm;
use roadone_store::*;
use rusqlite::{params, Connection};

const DAY_MS: i64 = 86_400_000;

pub fn experiment_data(
    conn: &Connection,
    key: &str,
    currency: &str,
    look_back_days: u32,
    follow_days: u32,
) -> StoreResult<ExperimentData> {
    let look_back = i64::from(look_back_days) * DAY_MS;
    let follow = i64::from(follow_days) * DAY_MS;
    // A merged customer's cases and orders moved to the one kept, whose row counts.
    let mut stmt = conn
        .prepare_cached(
            "SELECT a.customer_id, a.arm, a.version, a.assigned_at,
                COALESCE((SELECT SUM(o.amount_cents) FROM orders o
                    WHERE o.customer_id = a.customer_id AND o.currency = ?2
                      AND o.ordered_at >= a.assigned_at - ?3 AND o.ordered_at < a.assigned_at), 0),
                (SELECT COUNT(*) FROM cases c WHERE c.customer_id = a.customer_id
                      AND c.opened_at >= a.assigned_at - ?3 AND c.opened_at < a.assigned_at),
                COALESCE((SELECT SUM(o.amount_cents) FROM orders o
                    WHERE o.customer_id = a.customer_id AND o.currency = ?2
                      AND o.ordered_at >= a.assigned_at AND o.ordered_at < a.assigned_at + ?4), 0)
             FROM experiment_assignments a
             JOIN customers k ON k.id = a.customer_id AND k.merged_into IS NULL
             WHERE a.experiment_key = ?1
             ORDER BY a.customer_id",
        )
        .map_err(db)?;
    let customers = stmt
        .query_map(params![key, currency, look_back, follow], |r| {
            let arm: String = r.get(1)?;
            Ok(AssignedCustomer {
                customer_id: r.get(0)?,
                arm: if arm == "treated" {
                    Arm::Treated
                } else {
                    Arm::Control
                },
                version: r.get(2)?,
                assigned_at: time(r.get(3)?),
                sales_before_cents: r.get(4)?,
                contacts_before: r.get::<_, i64>(5)?.clamp(0, i64::from(u32::MAX)) as u32,
                sales_after_cents: r.get(6)?,
            })
        })
        .map_err(db)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db)?;
    let mut stmt = conn
        .prepare_cached(
            "SELECT c.id, c.customer_id, c.opened_at, COALESCE(c.intake_owner, c.owner),
                    c.solved_at,
                    c.escalated OR EXISTS (SELECT 1 FROM events u WHERE u.case_id = c.id
                        AND +u.kind IN ('passed_up', 'upgraded')),
                    c.escalated,
                    (SELECT r.data FROM events r WHERE r.case_id = c.id AND +r.kind = 'rated'
                        ORDER BY r.seq DESC LIMIT 1)
             FROM experiment_assignments a
             JOIN customers k ON k.id = a.customer_id AND k.merged_into IS NULL
             JOIN cases c ON c.customer_id = a.customer_id AND c.opened_at >= a.assigned_at
             WHERE a.experiment_key = ?1 AND c.state <> 'junk'
             ORDER BY c.customer_id, c.opened_at, c.id",
        )
        .map_err(db)?;
    let cases = stmt
        .query_map(params![key], |r| {
            let rating: Option<String> = r.get(7)?;
            Ok(ExperimentCase {
                case_id: r.get(0)?,
                customer_id: r.get(1)?,
                opened_at: time(r.get(2)?),
                first_owner: r.get(3)?,
                solved_at: r.get::<_, Option<i64>>(4)?.map(time),
                passed_up: r.get(5)?,
                escalated: r.get(6)?,
                rating: rating.as_deref().and_then(rating_of),
            })
        })
        .map_err(db)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db)?;
    Ok(ExperimentData { customers, cases })
}

pub fn customers_opening_between(
    conn: &Connection,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
    channels: &[String],
    categories: &[String],
) -> StoreResult<u64> {
    let list = |v: &[String]| serde_json::Value::from(v.to_vec()).to_string();
    conn.prepare_cached(
        "SELECT COUNT(DISTINCT customer_id) FROM cases
         WHERE opened_at >= ?1 AND opened_at < ?2
           AND (?3 = '[]' OR channel IN (SELECT value FROM json_each(?3)))
           AND (?4 = '[]' OR category IN (SELECT value FROM json_each(?4)))",
    )
    .and_then(|mut s| {
        s.query_row(
            params![ms(from), ms(to), list(channels), list(categories)],
            |r| r.get::<_, i64>(0),
        )
    })
    .map(|n| n.max(0) as u64)
    .map_err(db)
}

/// Score, would recommend and what delighted, from a `rated` event's stored body.
fn rating_of(data: &str) -> Option<(u8, bool, String)> {
    let v: serde_json::Value = serde_json::from_str(data).ok()?;
    let body = &v["data"];
    let score = body["score"].as_u64()?.min(255) as u8;
    Some((
        score,
        body["would_recommend"].as_bool().unwrap_or(false),
        body["delighted_by"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    ))
}
