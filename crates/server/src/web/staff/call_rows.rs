//! Calls as the customer and case pages list them: when, what happened, for how long, who
//! answered (by name when a phone line or their email says who) and the recording.

use crate::directory::Snapshot;
use crate::time_zones::Zone;
use roadone_store::StoredCall;

#[derive(Debug)]
pub struct CallRow {
    pub at: String,
    /// "answered after 4 s by SIP/2000", "missed: rang 40 s", "busy".
    pub what: String,
    /// Talk time of an answered call, else empty.
    pub talk: String,
    pub missed: bool,
    pub case_href: Option<String>,
    /// An http or https address (checked when the call came in).
    pub recording: Option<String>,
}

pub fn call_rows(calls: &[StoredCall], zone: Zone, snapshot: &Snapshot) -> Vec<CallRow> {
    let operators = snapshot.operators();
    let who = |line: &str| match operators.get(&line.trim().to_lowercase()) {
        Some(id) => snapshot.person_name(*id),
        None => line.to_string(),
    };
    calls
        .iter()
        .map(|s| {
            let c = &s.call;
            let secs = |d: chrono::Duration| d.num_seconds().max(0);
            let (what, talk) = match c.answered_at {
                Some(a) => (
                    format!(
                        "answered after {} s{}",
                        secs(a - c.arrived_at),
                        c.answered_by
                            .as_deref()
                            .map(|b| format!(" by {}", who(b)))
                            .unwrap_or_default()
                    ),
                    format!(
                        "{} min {:02} s",
                        secs(c.ended_at - a) / 60,
                        secs(c.ended_at - a) % 60
                    ),
                ),
                None => (
                    match c.disposition.as_str() {
                        "busy" => "busy".to_string(),
                        "failed" | "congestion" => "failed in the telephone system".into(),
                        _ => format!("missed: rang {} s", secs(c.ended_at - c.arrived_at)),
                    },
                    String::new(),
                ),
            };
            CallRow {
                at: zone.when(c.arrived_at),
                what: format!("{} to {}: {what}", c.caller, c.callee),
                talk,
                missed: c.answered_at.is_none(),
                case_href: s.case_id.map(|id| format!("/staff/cases/{id}")),
                recording: c.recording_url.clone(),
            }
        })
        .collect()
}
