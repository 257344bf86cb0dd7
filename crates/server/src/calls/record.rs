//! One call as a telephone system reports it, whatever its format: who called whom, when
//! it arrived, when (if ever) it was answered, when it ended, and how it ended.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    Answered,
    NoAnswer,
    Busy,
    Failed,
    Congestion,
    /// The caller hung up while it rang (FreeSWITCH `ORIGINATOR_CANCEL`, Twilio `canceled`).
    Abandoned,
}

impl Disposition {
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Answered => "answered",
            Disposition::NoAnswer => "no_answer",
            Disposition::Busy => "busy",
            Disposition::Failed => "failed",
            Disposition::Congestion => "congestion",
            Disposition::Abandoned => "abandoned",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CallRecord {
    /// The source's id for this leg (Asterisk `uniqueid`, FreeSWITCH `uuid`); derived from
    /// the leg's own fields when the layout has none, so that a second import matches.
    pub call_id: String,
    /// The id joining a call's legs (Asterisk `linkedid`, FreeSWITCH `bleg_uuid`).
    pub linked_id: Option<String>,
    /// The caller's number as the system gave it (normalised later, with the region).
    pub caller: String,
    pub caller_name: Option<String>,
    /// The number, extension or queue called.
    pub callee: String,
    /// The channel or extension that answered (mapped to a person by the admin).
    pub answered_by: Option<String>,
    pub arrived_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ended_at: DateTime<Utc>,
    /// When the first phone rang, where the source says.
    pub rang_at: Option<DateTime<Utc>>,
    /// Where the recording is kept (checked to be an http or https URL).
    pub recording_url: Option<String>,
    pub disposition: Disposition,
}

impl CallRecord {
    /// Seconds from arrival to answer, if answered.
    pub fn ring_seconds(&self) -> Option<i64> {
        self.answered_at
            .map(|a| (a - self.arrived_at).num_seconds())
    }

    /// Seconds of talk, from answer to end.
    pub fn talk_seconds(&self) -> i64 {
        self.answered_at
            .map_or(0, |a| (self.ended_at - a).num_seconds().max(0))
    }
}

/// A row that could not be read: its line in the file (1-based) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub message: String,
}

/// "2024-01-15 10:00:00" in the file's zone. A time that does not exist there (skipped
/// by a change to summer time) is an error; one that happens twice takes the first.
pub fn local_time(text: &str, zone: Tz, field: &str) -> Result<DateTime<Utc>, String> {
    let naive = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S")
        .map_err(|_| format!("{field}: {text:?} is not a time like 2024-01-15 10:00:00"))?;
    zone.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| format!("{field}: {text} does not exist in {zone} (the clocks jumped)"))
}

/// An id for a leg whose layout carries none: the same row always gives the same id.
pub fn derived_id(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0x1f]);
    }
    let digest = h.finalize();
    let hex: String = digest[..10].iter().map(|b| format!("{b:02x}")).collect();
    format!("cdr-{hex}")
}

/// Checks that the times are in order and the durations agree with them.
pub fn check_times(
    arrived: DateTime<Utc>,
    answered: Option<DateTime<Utc>>,
    ended: DateTime<Utc>,
) -> Result<(), String> {
    if ended < arrived {
        return Err("the call ends before it starts".into());
    }
    if let Some(a) = answered {
        if a < arrived || a > ended {
            return Err("the call is answered outside its own start and end".into());
        }
    }
    Ok(())
}

/// A value trimmed, or none when empty or absent.
pub fn optional(v: Option<&str>) -> Option<String> {
    v.map(str::trim).filter(|v| !v.is_empty()).map(String::from)
}
