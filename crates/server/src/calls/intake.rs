//! Calls coming in, from whichever door: each caller's number read as E.164 with the
//! company's phone region (so the customer is found or added by it), then stored once per
//! leg. A number that cannot be read (an internal extension, "anonymous") is kept as given
//! and matched to nobody.

use super::record::CallRecord;
use crate::app::AppState;
use crate::error::AppResult;
use roadone_store::{CallsOutcome, NewCall};

/// The most calls one write may carry.
pub const MAX_BATCH: usize = 10_000;

impl AppState {
    /// Stores calls read from `source` (`asterisk`, `freeswitch` or `api`).
    pub async fn add_calls(
        &self,
        records: Vec<CallRecord>,
        source: &str,
    ) -> AppResult<CallsOutcome> {
        let region = self.rules().phone_region;
        let calls = records
            .into_iter()
            .map(|r| {
                let e164 = roadone_domain::phone::normalise(&r.caller, region).ok();
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
                    disposition: r.disposition.as_str().to_string(),
                    source: source.to_string(),
                }
            })
            .collect();
        let outcome = self.store.add_calls(calls, self.clock.now()).await?;
        if outcome.added > 0 {
            self.data_changed();
        }
        Ok(outcome)
    }
}
