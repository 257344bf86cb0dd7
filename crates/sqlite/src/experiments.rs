//! The SQL of experiments: versions of settings, the events of each one's life, and
//! customers' arms.

use crate::convert::*;
use chrono::{DateTime, Utc};
use roadone_domain::{Arm, Experiment, ExperimentSettings, ExperimentState, Lifecycle, PersonId};
use roadone_store::*;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashMap;

fn settings_of(text: &str) -> StoreResult<ExperimentSettings> {
    serde_json::from_str(text).map_err(|e| corrupt(format!("experiment settings: {e}")))
}

fn settings_text(s: &ExperimentSettings) -> StoreResult<String> {
    serde_json::to_string(s).map_err(|e| corrupt(format!("experiment settings: {e}")))
}

pub fn experiments(conn: &Connection) -> StoreResult<Vec<ExperimentRecord>> {
    let mut versions: HashMap<String, Vec<ExperimentVersion>> = HashMap::new();
    let mut stmt = conn
        .prepare_cached(
            "SELECT experiment_key, version, settings, saved_at, saved_by
             FROM experiment_versions ORDER BY experiment_key, version",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, u32>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, PersonId>(4)?,
            ))
        })
        .map_err(db)?;
    for row in rows {
        let (key, version, text, saved_at, saved_by) = row.map_err(db)?;
        versions.entry(key).or_default().push(ExperimentVersion {
            version,
            settings: settings_of(&text)?,
            saved_at: time(saved_at),
            saved_by,
        });
    }
    let mut events: HashMap<String, Vec<ExperimentEvent>> = HashMap::new();
    let mut stmt = conn
        .prepare_cached(
            "SELECT experiment_key, kind, version, at, by_person FROM experiment_events
             ORDER BY experiment_key, id",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                ExperimentEvent {
                    kind: r.get(1)?,
                    version: r.get(2)?,
                    at: time(r.get(3)?),
                    by: r.get(4)?,
                },
            ))
        })
        .map_err(db)?;
    for row in rows {
        let (key, event) = row.map_err(db)?;
        events.entry(key).or_default().push(event);
    }
    let mut stmt = conn
        .prepare_cached(
            "SELECT key, state, version, created_at, created_by FROM experiments ORDER BY key",
        )
        .map_err(db)?;
    let heads = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, u32>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, PersonId>(4)?,
            ))
        })
        .map_err(db)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db)?;
    heads
        .into_iter()
        .map(|(key, state, version, created_at, created_by)| {
            let versions = versions.remove(&key).unwrap_or_default();
            let settings = versions
                .iter()
                .find(|v| v.version == version)
                .map(|v| v.settings.clone())
                .ok_or_else(|| corrupt(format!("experiment {key} has no version {version}")))?;
            let state = ExperimentState::parse(&state)
                .ok_or_else(|| corrupt(format!("experiment {key} is in state {state}")))?;
            Ok(ExperimentRecord {
                events: events.remove(&key).unwrap_or_default(),
                experiment: Experiment {
                    key,
                    state,
                    version,
                    settings,
                },
                created_at: time(created_at),
                created_by,
                versions,
            })
        })
        .collect()
}

/// One experiment with its history, or an error naming the key.
fn one(conn: &Connection, key: &str) -> StoreResult<ExperimentRecord> {
    experiments(conn)?
        .into_iter()
        .find(|e| e.experiment.key == key)
        .ok_or_else(|| StoreError::Invalid {
            field: "key",
            message: format!("there is no experiment {key:?}"),
        })
}

fn add_event(
    conn: &Connection,
    key: &str,
    kind: &str,
    version: u32,
    by: PersonId,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO experiment_events (experiment_key, kind, version, at, by_person)
         VALUES (?, ?, ?, ?, ?)",
    )
    .and_then(|mut s| s.execute(params![key, kind, version, ms(at), by]))
    .map_err(db)?;
    Ok(())
}

pub fn create_experiment(
    conn: &Connection,
    key: &str,
    settings: &ExperimentSettings,
    by: PersonId,
    at: DateTime<Utc>,
) -> StoreResult<ExperimentRecord> {
    crate::settings::person_exists(conn, "by", by)?;
    let inserted = conn
        .execute(
            "INSERT INTO experiments (key, state, version, created_at, created_by)
             VALUES (?, 'draft', 1, ?, ?) ON CONFLICT (key) DO NOTHING",
            params![key, ms(at), by],
        )
        .map_err(db)?;
    if inserted == 0 {
        return Err(StoreError::Duplicate {
            field: "key",
            value: key.to_string(),
        });
    }
    conn.execute(
        "INSERT INTO experiment_versions (experiment_key, version, settings, saved_at, saved_by)
         VALUES (?, 1, ?, ?, ?)",
        params![key, settings_text(settings)?, ms(at), by],
    )
    .map_err(db)?;
    add_event(conn, key, "created", 1, by, at)?;
    one(conn, key)
}

pub fn change_experiment(
    conn: &Connection,
    key: &str,
    expected_version: u32,
    settings: &ExperimentSettings,
    by: PersonId,
    at: DateTime<Utc>,
) -> StoreResult<ExperimentRecord> {
    crate::settings::person_exists(conn, "by", by)?;
    let current = one(conn, key)?.experiment;
    if current.version != expected_version {
        return Err(StoreError::Conflict(format!(
            "experiment {key} is at version {} now, not {expected_version}: someone changed it \
             meanwhile; read it again",
            current.version
        )));
    }
    if current.state == ExperimentState::Ended {
        return Err(StoreError::Conflict(format!(
            "experiment {key} has ended: its settings stay as they were"
        )));
    }
    if current.settings == *settings {
        return one(conn, key);
    }
    let text = settings_text(settings)?;
    let version = match current.state {
        // Nobody was assigned under a draft: its one version is simply replaced.
        ExperimentState::Draft => {
            conn.execute(
                "UPDATE experiment_versions SET settings = ?, saved_at = ?, saved_by = ?
                 WHERE experiment_key = ? AND version = ?",
                params![text, ms(at), by, key, current.version],
            )
            .map_err(db)?;
            current.version
        }
        // Running or paused: customers were assigned under the version in force.
        _ => {
            let next = current.version + 1;
            conn.execute(
                "INSERT INTO experiment_versions (experiment_key, version, settings, saved_at, saved_by)
                 VALUES (?, ?, ?, ?, ?)",
                params![key, next, text, ms(at), by],
            )
            .map_err(db)?;
            conn.execute(
                "UPDATE experiments SET version = ? WHERE key = ?",
                params![next, key],
            )
            .map_err(db)?;
            next
        }
    };
    add_event(conn, key, "changed", version, by, at)?;
    one(conn, key)
}

pub fn experiment_step(
    conn: &Connection,
    key: &str,
    step: Lifecycle,
    by: PersonId,
    at: DateTime<Utc>,
) -> StoreResult<ExperimentRecord> {
    crate::settings::person_exists(conn, "by", by)?;
    let current = one(conn, key)?.experiment;
    // Decided on the state inside the transaction: two people pressing at once get one
    // step and one refusal.
    let next = step
        .apply(current.state)
        .map_err(|e| StoreError::Conflict(e.to_string()))?;
    conn.execute(
        "UPDATE experiments SET state = ? WHERE key = ?",
        params![next.as_str(), key],
    )
    .map_err(db)?;
    add_event(conn, key, step.as_str(), current.version, by, at)?;
    one(conn, key)
}

fn assignment_row(conn: &Connection, key: &str, customer: i64) -> StoreResult<Option<Assignment>> {
    conn.prepare_cached(
        "SELECT arm, bucket, version, assigned_at FROM experiment_assignments
         WHERE experiment_key = ? AND customer_id = ?",
    )
    .and_then(|mut s| {
        s.query_row(params![key, customer], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, f64>(1)?,
                r.get::<_, u32>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })
        .optional()
    })
    .map_err(db)?
    .map(|(arm, bucket, version, at)| {
        Ok(Assignment {
            key: key.to_string(),
            customer_id: customer,
            arm: Arm::parse(&arm).ok_or_else(|| corrupt(format!("arm {arm}")))?,
            bucket,
            version,
            assigned_at: time(at),
            new: false,
        })
    })
    .transpose()
}

pub fn assign_customer(conn: &Connection, r: &AssignmentRequest) -> StoreResult<Assignment> {
    let customer = crate::customers::upsert_customer(conn, &r.customer, r.at, r.on_the_phone)?;
    if let Some(kept) = assignment_row(conn, &r.key, customer)? {
        return Ok(kept);
    }
    let bucket = roadone_domain::assignment::bucket(&r.key, &customer.to_string());
    let arm = if bucket < r.fraction {
        Arm::Treated
    } else {
        Arm::Control
    };
    conn.prepare_cached(
        "INSERT INTO experiment_assignments
             (experiment_key, customer_id, arm, bucket, version, assigned_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .and_then(|mut s| {
        s.execute(params![
            r.key,
            customer,
            arm.as_str(),
            bucket,
            r.version,
            ms(r.at)
        ])
    })
    .map_err(db)?;
    Ok(Assignment {
        key: r.key.clone(),
        customer_id: customer,
        arm,
        bucket,
        version: r.version,
        assigned_at: r.at,
        new: true,
    })
}

pub fn assignment(conn: &Connection, key: &str, customer: i64) -> StoreResult<Option<Assignment>> {
    let kept = crate::customers::kept(conn, customer)?;
    assignment_row(conn, key, kept)
}

/// On a merge: the kept customer has, per experiment, the earlier of the two arms.
pub(crate) fn merge_assignments(conn: &Connection, from: i64, into: i64) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO experiment_assignments
             (experiment_key, customer_id, arm, bucket, version, assigned_at, merged_from)
         SELECT experiment_key, ?2, arm, bucket, version, assigned_at, ?1
         FROM experiment_assignments WHERE customer_id = ?1 AND true
         ON CONFLICT (experiment_key, customer_id) DO UPDATE SET
             arm = excluded.arm, bucket = excluded.bucket, version = excluded.version,
             assigned_at = excluded.assigned_at, merged_from = excluded.merged_from
         WHERE excluded.assigned_at < experiment_assignments.assigned_at",
    )
    .and_then(|mut s| s.execute(params![from, into]))
    .map_err(db)?;
    Ok(())
}

pub fn customer_by_phone(conn: &Connection, phone: &str) -> StoreResult<Option<i64>> {
    let key = roadone_domain::phone::key(phone);
    let found: Option<i64> = conn
        .prepare_cached("SELECT MIN(id) FROM customers WHERE phone_key = ?")
        .and_then(|mut s| s.query_row([key], |r| r.get(0)))
        .map_err(db)?;
    found.map(|id| crate::customers::kept(conn, id)).transpose()
}

pub fn open_cases_of(conn: &Connection, people: &[PersonId]) -> StoreResult<Vec<(PersonId, u64)>> {
    let mut stmt = conn
        .prepare_cached("SELECT COUNT(*) FROM cases WHERE owner = ? AND state = 'open'")
        .map_err(db)?;
    people
        .iter()
        .map(|&p| {
            stmt.query_row([p], |r| r.get::<_, i64>(0))
                .map(|n| (p, n.max(0) as u64))
                .map_err(db)
        })
        .collect()
}
