//! The demo's telephone: a quarter of inbound calls, so the calls report has a story.
//!
//! The story, in numbers the report will find: outside the rush hours most calls are
//! answered within one ring; at 09:00–10:59 and 13:00–13:59 answers slow down and more
//! callers give up; Saturday mornings are staffed thinly. Each frontline person answers on
//! their own extension with their own pace of talk: some keep customers on the line for
//! ten minutes, some for three; the admin pages say whose each extension is. The callers
//! are the demo's own customers' numbers (+44 7700 900000–999), so their calls show on
//! their pages. Every call ended more than a day ago: history for the report, not a queue
//! of call-backs. Besides, every phone case was a call first: the customer rang, the
//! case's first owner answered on their extension and opened it while they talked, so the
//! report's operators have cases that came of their calls.

use anyhow::Result;
use chrono::{DateTime, Datelike, Duration, Timelike, Utc, Weekday};
use rand::prelude::*;
use rand::rngs::StdRng;
use roadone_domain::{PersonId, Role};
use roadone_server::calls::record::{CallRecord, Disposition};
use roadone_server::AppState;

const SEED: u64 = 0x00CA_11ED;
const DAYS: i64 = 91;

/// A phone case as it was taken: the caller's number, when it opened, and by whom.
pub struct Taken {
    pub phone: String,
    pub opened_at: DateTime<Utc>,
    pub by: PersonId,
}

/// Writes the calls (the quarter's, and one for each phone case in `taken`) and puts each
/// frontline person on an extension of their own; returns how many calls.
pub async fn load(state: &AppState, now: DateTime<Utc>, taken: &[Taken]) -> Result<usize> {
    let mut rng = StdRng::seed_from_u64(SEED);
    let frontline: Vec<PersonId> = state
        .people()
        .await?
        .into_iter()
        .filter(|p| p.role == Role::Frontline && p.active)
        .map(|p| p.id)
        .collect();
    let mut lines = std::collections::HashMap::new();
    let mut operators: Vec<(String, f64)> = Vec::new();
    for (i, id) in frontline.into_iter().enumerate() {
        let line = format!("PJSIP/{}", 201 + i);
        let (line, _) = state.set_phone_line(&line, Some(id)).await?;
        lines.insert(id, line.clone());
        operators.push((line, 0.0));
    }
    if operators.is_empty() {
        return Ok(0);
    }
    // Each operator's usual conversation, in seconds: from three to ten minutes.
    for (i, op) in operators.iter_mut().enumerate() {
        op.1 = 180.0 + 420.0 * (i as f64 / 5.0).fract();
    }
    let end = now - Duration::hours(26);
    let start = end - Duration::days(DAYS);
    let mut calls = Vec::new();
    for day in 0..DAYS {
        let date = start + Duration::days(day);
        let per_day = match date.weekday() {
            Weekday::Sun => 0,
            Weekday::Sat => 14,
            _ => 55,
        };
        for n in 0..per_day {
            let hour = if date.weekday() == Weekday::Sat {
                rng.gen_range(9..13)
            } else {
                *[8, 9, 9, 9, 10, 10, 11, 12, 13, 13, 14, 15, 16, 17]
                    .choose(&mut rng)
                    .unwrap_or(&12)
            };
            let arrived = date
                .date_naive()
                .and_hms_opt(hour, 0, 0)
                .unwrap_or_default()
                .and_utc()
                + Duration::seconds(rng.gen_range(0..3600));
            if arrived >= end {
                continue;
            }
            let rush = matches!(arrived.hour(), 9 | 10 | 13) || date.weekday() == Weekday::Sat;
            let ring = if rush {
                rng.gen_range(3..45)
            } else if rng.gen_bool(0.85) {
                rng.gen_range(1..6)
            } else {
                rng.gen_range(6..20)
            };
            let gives_up = rng.gen_bool(if rush { 0.14 } else { 0.03 });
            let caller = format!("+447700900{:03}", rng.gen_range(0..1000));
            // Who answered, when, when it ended, and how.
            let (answered_by, answered_at, ended_at, disposition) = if gives_up {
                let ended = arrived + Duration::seconds(ring + rng.gen_range(5..40));
                (None, None, ended, Disposition::Abandoned)
            } else {
                let (who, usual) = operators.choose(&mut rng).cloned().unwrap_or_default();
                let talk = (usual * rng.gen_range(0.4..1.8)) as i64;
                let answered = arrived + Duration::seconds(ring);
                let ended = answered + Duration::seconds(talk);
                (Some(who), Some(answered), ended, Disposition::Answered)
            };
            let record = CallRecord {
                call_id: format!("demo-{day:03}-{n:02}"),
                linked_id: None,
                caller,
                caller_name: None,
                callee: "support".into(),
                answered_by,
                arrived_at: arrived,
                answered_at,
                ended_at,
                rang_at: None,
                recording_url: None,
                disposition,
            };
            calls.push(record);
        }
    }
    for (n, t) in taken.iter().enumerate() {
        let Some(line) = lines.get(&t.by) else {
            continue; // opened by someone who answers no phone
        };
        let arrived = t.opened_at - Duration::seconds(rng.gen_range(60..420));
        let answered = arrived + Duration::seconds(rng.gen_range(1..12));
        calls.push(CallRecord {
            call_id: format!("demo-taken-{n:04}"),
            linked_id: None,
            caller: t.phone.clone(),
            caller_name: None,
            callee: "support".into(),
            answered_by: Some(line.clone()),
            arrived_at: arrived,
            answered_at: Some(answered),
            ended_at: t.opened_at + Duration::seconds(rng.gen_range(30..600)),
            rang_at: None,
            recording_url: None,
            disposition: Disposition::Answered,
        });
    }
    let total = calls.len();
    for batch in calls.chunks(2_000) {
        state.add_calls(batch.to_vec(), "api").await?;
    }
    Ok(total)
}
