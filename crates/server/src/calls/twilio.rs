//! A telephony platform's status callbacks, in Twilio's form: `POST` form fields `CallSid`,
//! `CallStatus`, `From`, `To`, `Direction`, `Timestamp`, `SequenceNumber`, `CallDuration`,
//! `ParentCallSid`, signed in `X-Twilio-Signature` (base64 of HMAC-SHA1, keyed with the
//! account's auth token, over the full URL followed by every field's name and value in
//! the order of the names). Callbacks may come out of order or twice: each is kept once by
//! its call and sequence number, and when the call has ended the call is put together from
//! all of them and taken in as any other call.

use super::record::{CallRecord, Disposition};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use roadone_store::TwilioCallback;

/// A callback whose `Timestamp` is further than this from our clock is refused: a signed
/// request replayed later must not count again.
pub const TOLERANCE: Duration = Duration::minutes(15);

const ENDED: [&str; 5] = ["completed", "busy", "failed", "no-answer", "canceled"];
const STATUSES: [&str; 9] = [
    "queued",
    "initiated",
    "ringing",
    "in-progress",
    "completed",
    "busy",
    "failed",
    "no-answer",
    "canceled",
];

/// Whether `signature` is the platform's signature of `url` and `fields` under `token`.
pub fn signed(token: &str, url: &str, fields: &[(String, String)], signature: &str) -> bool {
    let Ok(given) = base64::engine::general_purpose::STANDARD.decode(signature.trim()) else {
        return false;
    };
    let mut sorted: Vec<&(String, String)> = fields.iter().collect();
    sorted.sort();
    let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(token.as_bytes()) else {
        return false;
    };
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    // Compared in constant time.
    mac.verify_slice(&given).is_ok()
}

/// The callback's fields read, each error naming its field.
pub fn read(fields: &[(String, String)]) -> AppResult<TwilioCallback> {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let need = |name: &str| {
        get(name)
            .map(str::to_string)
            .ok_or_else(|| AppError::invalid(name, "is required"))
    };
    let status = need("CallStatus")?;
    if !STATUSES.contains(&status.as_str()) {
        return Err(AppError::invalid(
            "CallStatus",
            format!("{status:?} is not one of {}", STATUSES.join(", ")),
        ));
    }
    let stamp = need("Timestamp")?;
    let at = DateTime::parse_from_rfc2822(&stamp)
        .map_err(|_| {
            AppError::invalid(
                "Timestamp",
                format!("{stamp:?} is not a date like \"Tue, 03 Mar 2026 09:15:04 +0000\""),
            )
        })?
        .with_timezone(&Utc);
    let number = |name: &str| -> AppResult<Option<i64>> {
        get(name)
            .map(|v| {
                v.parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 0)
                    .ok_or_else(|| AppError::invalid(name, format!("{v:?} is not a whole number")))
            })
            .transpose()
    };
    Ok(TwilioCallback {
        call_sid: need("CallSid")?,
        sequence: number("SequenceNumber")?.unwrap_or(0),
        status,
        at,
        caller: need("From")?,
        caller_name: get("CallerName").map(str::to_string),
        callee: need("To")?,
        direction: get("Direction").unwrap_or("inbound").to_string(),
        duration: number("CallDuration")?,
        parent_sid: get("ParentCallSid").map(str::to_string),
    })
}

/// The call put together from its callbacks, once one says it ended and every callback
/// before that one has come (sequence numbers count from 0 without gaps): a call is taken
/// in once, complete, however its callbacks were shuffled on the way.
pub fn assemble(callbacks: &[TwilioCallback]) -> Option<CallRecord> {
    let end = callbacks
        .iter()
        .filter(|c| ENDED.contains(&c.status.as_str()))
        .max_by_key(|c| c.sequence)?;
    let before = callbacks
        .iter()
        .filter(|c| c.sequence < end.sequence)
        .count();
    if i64::try_from(before).ok() != Some(end.sequence) {
        return None; // an earlier callback is still on its way
    }
    let first = callbacks.iter().min_by_key(|c| c.at)?;
    let began = callbacks
        .iter()
        .filter(|c| matches!(c.status.as_str(), "queued" | "initiated" | "ringing"))
        .map(|c| c.at)
        .min();
    let answered = callbacks
        .iter()
        .filter(|c| c.status == "in-progress")
        .map(|c| c.at)
        .min()
        .or_else(|| {
            // A completed call's duration is its talk: answered that long before the end.
            (end.status == "completed")
                .then(|| end.duration.filter(|d| *d > 0))
                .flatten()
                .map(|d| end.at - Duration::seconds(d))
        });
    let arrived = began.unwrap_or(first.at).min(answered.unwrap_or(end.at));
    let disposition = match end.status.as_str() {
        "completed" if answered.is_some() => Disposition::Answered,
        "busy" => Disposition::Busy,
        "failed" => Disposition::Failed,
        "canceled" => Disposition::Abandoned,
        _ => Disposition::NoAnswer,
    };
    Some(CallRecord {
        call_id: end.call_sid.clone(),
        // A dialled leg names its parent; the parent is its own call.
        linked_id: Some(
            end.parent_sid
                .clone()
                .unwrap_or_else(|| end.call_sid.clone()),
        ),
        caller: first.caller.clone(),
        caller_name: first.caller_name.clone(),
        callee: first.callee.clone(),
        answered_by: (disposition == Disposition::Answered).then(|| end.callee.clone()),
        arrived_at: arrived,
        answered_at: answered.filter(|_| disposition == Disposition::Answered),
        ended_at: end.at.max(arrived),
        rang_at: callbacks
            .iter()
            .filter(|c| c.status == "ringing")
            .map(|c| c.at)
            .min(),
        recording_url: None,
        disposition,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_platforms_published_example_is_signed() {
        let fields: Vec<(String, String)> = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert!(signed(
            "12345",
            url,
            &fields,
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        ));
        assert!(!signed(
            "12346",
            url,
            &fields,
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        ));
        assert!(!signed(
            "12345",
            "https://mycompany.com/myapp.php",
            &fields,
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        ));
        assert!(!signed("12345", url, &fields, "not base64!"));
    }
}

/// What a callback did.
#[derive(Debug, PartialEq, Eq)]
pub enum Received {
    /// Kept; the call has not ended yet.
    Kept,
    /// Kept, and the call it ended was taken in.
    CallTaken,
    /// Seen before (a retry or a replay): nothing changed.
    Repeated,
}

impl AppState {
    /// A signed callback (see `signed`), its `Timestamp` within `TOLERANCE` of now.
    pub async fn twilio_callback(&self, callback: TwilioCallback) -> AppResult<Received> {
        let now = self.clock.now();
        if (callback.at - now).abs() > TOLERANCE {
            return Err(AppError::Forbidden(format!(
                "the callback's Timestamp is more than {} minutes from this server's clock: \
                 a stale or replayed callback (or a clock to set right)",
                TOLERANCE.num_minutes()
            )));
        }
        let (new, all) = self.store.add_twilio_callback(callback).await?;
        if !new {
            return Ok(Received::Repeated);
        }
        let Some(call) = assemble(&all) else {
            return Ok(Received::Kept);
        };
        let (_, followed) = self.add_calls(vec![call], "twilio").await?;
        if let Some(problem) = followed.problem {
            tracing::warn!("a call from the telephony callback was not followed up: {problem}");
        }
        Ok(Received::CallTaken)
    }
}
