//! The reads of reports: whole histories of the cases active in a period.

use crate::convert::{corrupt, db, ms};
use chrono::{DateTime, Utc};
use roadone_domain::{CaseId, Event};
use roadone_store::StoreResult;
use rusqlite::{params_from_iter, types::Value, Connection};

/// Events of `kinds` of every case with one of them in `[from, to)`, by case then seq.
/// The active cases come from `events_by_kind`; their histories from the primary key.
pub fn events_of_active_cases(
    conn: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    kinds: &[roadone_domain::EventKind],
) -> StoreResult<Vec<(CaseId, Event)>> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; kinds.len()].join(", ");
    let sql = format!(
        "WITH active AS (SELECT DISTINCT case_id FROM events \
             WHERE kind IN ({marks}) AND at >= ? AND at < ?) \
         SELECT e.case_id, e.data FROM active JOIN events e ON e.case_id = active.case_id \
         WHERE e.kind IN ({marks}) ORDER BY e.case_id, e.seq"
    );
    let mut values: Vec<Value> = kinds
        .iter()
        .map(|k| Value::Text(k.as_str().into()))
        .collect();
    values.push(Value::Integer(ms(from)));
    values.push(Value::Integer(ms(to)));
    values.extend(kinds.iter().map(|k| Value::Text(k.as_str().into())));
    let mut stmt = conn.prepare(&sql).map_err(db)?;
    let mut rows = stmt.query(params_from_iter(values)).map_err(db)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(db)? {
        let case: CaseId = row.get(0).map_err(db)?;
        let data: String = row.get(1).map_err(db)?;
        let event: Event = serde_json::from_str(&data)
            .map_err(|e| corrupt(format!("event of case {case}: {e}")))?;
        out.push((case, event));
    }
    Ok(out)
}
