//! Calls coming in, from whichever door: each caller's number read as E.164 with the
//! company's phone region (so the customer is found or added by it), then stored once per
//! leg. A number that cannot be read (an internal extension, "anonymous") is kept as given
//! and matched to nobody.

use super::missed::FollowedUp;
use super::record::CallRecord;
use crate::app::AppState;
use crate::error::AppResult;
use roadone_domain::PhoneRegion;
use roadone_store::{CallsOutcome, NewCall};
use std::collections::HashMap;
use std::sync::Mutex;

/// The most calls one write may carry.
pub const MAX_BATCH: usize = 10_000;

/// Numbers already read, by what the telephone system wrote and the region: reading a
/// number is the dearest step of taking a call in (most of an import's time, before this),
/// and the same callers call again and again. Forgotten when it grows past `REMEMBERED`.
static READ_NUMBERS: Mutex<Option<ReadNumbers>> = Mutex::new(None);
/// (as written, region) → the number in E.164, or none when it cannot be read.
type ReadNumbers = HashMap<(String, String), Option<String>>;
const REMEMBERED: usize = 200_000;

fn e164(caller: &str, region: Option<PhoneRegion>) -> Option<String> {
    let key = (
        caller.to_string(),
        region.map(|r| r.to_string()).unwrap_or_default(),
    );
    // A poisoned lock only means another thread panicked mid-insert: the map is still
    // a valid cache of pure results.
    let mut guard = READ_NUMBERS.lock().unwrap_or_else(|p| p.into_inner());
    let known = guard.get_or_insert_with(HashMap::new);
    if let Some(found) = known.get(&key) {
        return found.clone();
    }
    let read = roadone_domain::phone::normalise(caller, region).ok();
    if known.len() >= REMEMBERED {
        known.clear();
    }
    known.insert(key, read.clone());
    read
}

impl AppState {
    /// Stores calls read from `source` (`asterisk`, `freeswitch` or `api`), then follows
    /// up the missed ones (`missed.rs`).
    pub async fn add_calls(
        &self,
        records: Vec<CallRecord>,
        source: &str,
    ) -> AppResult<(CallsOutcome, FollowedUp)> {
        let region = self.rules().phone_region;
        let calls = records
            .into_iter()
            .map(|r| {
                let e164 = e164(&r.caller, region);
                NewCall {
                    call_id: r.call_id,
                    linked_id: r.linked_id,
                    caller_is_e164: e164.is_some(),
                    caller: e164.unwrap_or(r.caller),
                    caller_name: r.caller_name,
                    callee: r.callee,
                    answered_by: r.answered_by,
                    arrived_at: r.arrived_at,
                    answered_at: r.answered_at,
                    ended_at: r.ended_at,
                    rang_at: r.rang_at,
                    recording_url: r.recording_url,
                    disposition: r.disposition.as_str().to_string(),
                    source: source.to_string(),
                }
            })
            .collect::<Vec<_>>();
        let to_follow = super::missed::worth_following(&calls, self.clock.now());
        let outcome = self.store.add_calls(calls, self.clock.now()).await?;
        if outcome.added > 0 {
            self.data_changed();
        }
        // The calls are stored whatever happens next: a failed follow-up is said, not
        // turned into a failed write that a client would think lost its calls.
        Ok((outcome, self.follow_up_or_say(&to_follow).await))
    }
}
