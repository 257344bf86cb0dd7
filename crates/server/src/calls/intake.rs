//! Calls coming in, from whichever door: each caller's number read as E.164 with the
//! company's phone region (so the customer is found or added by it), then stored once per
//! leg. A number that cannot be read (an internal extension, "anonymous") is kept as given
//! and matched to nobody.

use super::missed::FollowedUp;
use super::record::CallRecord;
use crate::app::AppState;
use crate::error::AppResult;
use roadone_store::{CallsOutcome, NewCall};

/// The most calls one write may carry.
pub const MAX_BATCH: usize = 10_000;

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
            .collect::<Vec<_>>();
        let outcome = self
            .store
            .add_calls(calls.clone(), self.clock.now())
            .await?;
        if outcome.added > 0 {
            self.data_changed();
        }
        // The calls are stored whatever happens next: a failed follow-up is said, not
        // turned into a failed write that a client would think lost its calls.
        let followed = match self.follow_up_calls(&calls).await {
            Ok(f) => f,
            Err(e) => {
                tracing::error!("following up missed calls: {e}");
                FollowedUp {
                    problem: Some(e.to_string()),
                    ..FollowedUp::default()
                }
            }
        };
        Ok((outcome, followed))
    }
}
