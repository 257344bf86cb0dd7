//! Outbox delivery for the demo's history: each notification is marked sent when it happened.

use anyhow::Result;
use chrono::{DateTime, Duration, Utc};
use roadone_server::AppState;

/// The demo's notifications belong to the past: a mail sender starting on the demo must
/// not deliver three months of acknowledgments at once. Each is claimed and recorded as
/// sent at the time of the event that caused it, through the store's outbox interface.
pub(super) async fn mark_history_sent(state: &AppState, now: DateTime<Utc>) -> Result<usize> {
    let mut sent = 0;
    loop {
        let batch = state
            .store
            .claim_outbox(&state.instance.id, now, Duration::minutes(10), 1000)
            .await?;
        if batch.is_empty() {
            return Ok(sent);
        }
        let mut writes = tokio::task::JoinSet::new();
        for row in batch {
            let store = state.store.clone();
            writes.spawn(async move { store.outbox_sent(row.id, row.created_at).await });
        }
        while let Some(done) = writes.join_next().await {
            done??;
            sent += 1;
        }
    }
}
