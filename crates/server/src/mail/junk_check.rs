//! Whether a new message may open a case: a message from someone we do not know, that
//! answers no case, is judged; above the threshold it waits among the suspended and
//! nobody is answered. A known customer's mail and a reply to a case are never judged,
//! and a message that cannot be judged is taken in.

use crate::app::AppState;
use crate::error::AppResult;
use crate::mail::inbound::{InboundResult, Incoming};
use mail_parser::Message;
use roadone_domain::junk::upstream;
use roadone_store::NewSuspendedMail;

/// The headers upstream filters write their say in.
const JUNK_HEADERS: [&str; 5] = [
    "x-spam-flag",
    "x-spam-status",
    "x-spam",
    "x-spamd-result",
    "authentication-results",
];

/// The upstream filters' headers of a message, as (name, value), in order.
pub fn junk_headers(msg: &Message<'_>) -> Vec<(String, String)> {
    let raw = msg.raw_message();
    msg.headers()
        .iter()
        .filter(|h| JUNK_HEADERS.contains(&h.name().to_ascii_lowercase().as_str()))
        .filter_map(|h| {
            let value = raw.get(h.offset_start as usize..h.offset_end as usize)?;
            let value = String::from_utf8_lossy(value).replace(['\r', '\n'], " ");
            Some((h.name().to_string(), value.trim().to_string()))
        })
        .take(20)
        .collect()
}

/// Suspends the message if it is junk: what the intake answers then, or `None` to take
/// it in.
pub async fn suspend_if_junk(
    state: &AppState,
    incoming: &Incoming,
    raw: &[u8],
) -> AppResult<Option<InboundResult>> {
    if incoming.case.is_some() || incoming.automatic.is_some() {
        return Ok(None);
    }
    let Some(sender) = incoming.sender_email.as_deref() else {
        return Ok(None);
    };
    if state.customer_by_email(sender).await?.is_some() {
        return Ok(None);
    }
    let said = upstream::read(
        incoming
            .junk_headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str())),
    );
    let verdict = match state
        .judge_mail(&said, &incoming.subject, Some(sender), &incoming.body)
        .await
    {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(sender, "a message could not be judged; it is taken in: {e}");
            return Ok(None);
        }
    };
    if !verdict.suspend {
        return Ok(None);
    }
    let why = verdict.why.join("; ");
    let id = state
        .suspend_mail(NewSuspendedMail {
            received_at: state.clock.now(),
            sender: Some(sender.to_string()),
            subject: incoming.subject.chars().take(500).collect(),
            score: verdict.score,
            why: verdict.why,
            raw: raw.to_vec(),
        })
        .await?;
    tracing::info!(sender, id, "suspended as junk: {why}");
    Ok(Some(InboundResult::new("suspended", None, Some(why))))
}
