//! Calls belong to the customer relationship: which calls a customer's page and a case's
//! page show.

use crate::app::AppState;
use crate::error::AppResult;
use chrono::{DateTime, Duration, Utc};
use roadone_store::StoredCall;

/// At most this many calls on a customer's page, the latest first.
pub const CUSTOMER_CALLS_SHOWN: usize = 20;

/// A call this long before a case opened may be the one that led to it.
const BEFORE_OPENING: Duration = Duration::hours(1);

impl AppState {
    /// The customer's latest calls.
    pub async fn customer_calls(&self, customer: i64) -> AppResult<Vec<StoredCall>> {
        let mut calls = self.store.customer_calls(customer).await?;
        calls.truncate(CUSTOMER_CALLS_SHOWN);
        Ok(calls)
    }

    /// The calls a case was about, by arrival: those linked to it (a missed call's case)
    /// and the customer's calls from an hour before it opened to `call_linked_within`
    /// after (the call that led to it, and the caller calling back).
    pub async fn case_calls(
        &self,
        case_id: i64,
        customer: i64,
        opened_at: DateTime<Utc>,
    ) -> AppResult<Vec<StoredCall>> {
        let within = self.directory.snapshot().settings.calls.linked_within;
        let mut calls = self.store.case_calls(case_id).await?;
        for call in self.store.customer_calls(customer).await? {
            let at = call.call.arrived_at;
            let near = at >= opened_at - BEFORE_OPENING && at < opened_at + within;
            let theirs = call.case_id.is_none_or(|c| c == case_id);
            if near && theirs && !calls.iter().any(|c| c.call.call_id == call.call.call_id) {
                calls.push(call);
            }
        }
        calls.sort_by_key(|c| c.call.arrived_at);
        Ok(calls)
    }
}
