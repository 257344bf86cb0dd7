//! What keeps inbound mail from multiplying: a message delivered twice (an MTA that lost
//! our 250 sends it again) is taken in once, and one sender may open only so many cases
//! an hour — beyond that (an autoresponder that ignores `Auto-Submitted`, forged senders
//! fishing for backscatter) mail is recorded on their latest case and never answered.

use crate::app::AppState;
use crate::error::AppResult;
use crate::mail::inbound::InboundResult;
use roadone_domain::{Actor, Command};
use roadone_store::InboundRecord;

/// The earlier intake of the same message from the same sender within the window, as
/// the answer to give again (`duplicate`, naming its case).
pub async fn seen_before(
    state: &AppState,
    sender: &str,
    key: &str,
) -> AppResult<Option<InboundResult>> {
    let window = chrono::Duration::from_std(state.config.inbound_duplicate_window)
        .unwrap_or(chrono::Duration::MAX);
    let since = state.clock.now() - window;
    let Some(earlier) = state.store.inbound_seen(sender, key, since).await? else {
        return Ok(None);
    };
    state.metrics.inbound_duplicates.inc();
    tracing::info!(
        sender,
        message = key,
        "the same message again: already taken in at {}",
        earlier.received_at
    );
    Ok(Some(InboundResult::new(
        "duplicate",
        earlier.case_id,
        Some(format!(
            "this message was already received at {} ({})",
            earlier.received_at.to_rfc3339(),
            earlier.outcome
        )),
    )))
}

/// Remembers what the intake did with a message. Failing to remember is logged, not
/// returned: the message itself was taken in, and a second delivery would only be
/// taken in again.
pub async fn remember(state: &AppState, sender: &str, key: &str, result: &InboundResult) {
    let record = InboundRecord {
        sender: sender.to_string(),
        message_key: key.to_string(),
        received_at: state.clock.now(),
        case_id: result.case_id,
        outcome: result.outcome.clone(),
    };
    if let Err(e) = state.store.record_inbound(record).await {
        tracing::warn!(sender, "cannot remember an inbound message: {e}");
    }
}

/// When `sender` has already opened their hourly allowance of cases by mail, records this
/// message on the latest of them without answering, and says so.
pub async fn over_allowance(
    state: &AppState,
    sender: &str,
    subject: &str,
    body: &str,
) -> AppResult<Option<InboundResult>> {
    let allowance = state.config.mail_cases_per_sender_per_hour;
    let since = state.clock.now() - chrono::Duration::hours(1);
    let (opened, latest) = state
        .store
        .cases_opened_by_mail(&sender.to_lowercase(), since)
        .await?;
    let Some(latest) = latest.filter(|_| opened >= allowance) else {
        return Ok(None);
    };
    let reason = format!(
        "more than {allowance} new cases from {sender} within an hour: recorded here, not answered"
    );
    tracing::warn!("{reason}");
    state.metrics.inbound_limited.inc();
    let command = Command::RecordAutomatic {
        reason: reason.clone(),
        subject: subject.to_string(),
        body: body.to_string(),
    };
    state.act(latest, Actor::Customer, &command).await?;
    Ok(Some(InboundResult::new(
        "recorded_automatic",
        Some(latest),
        Some(reason),
    )))
}
