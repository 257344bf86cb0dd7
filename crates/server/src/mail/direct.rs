//! Mail sent at once rather than through the outbox: messages only worth anything now (a
//! sign-in link, an administrator's test message), so a relay that is down is reported to
//! whoever asked instead of retried for an hour.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::mail::compose::{automatic, mail_domain, mailbox};
use lettre::message::{Message, SinglePart};
use lettre::AsyncTransport;
use std::time::Duration;

/// Why a message could not be sent now.
#[derive(Debug)]
pub enum NotSent {
    /// No relay is configured.
    NoRelay,
    /// The relay is unreachable or refused it (the relay's words).
    Relay(String),
}

/// Sends one automatic message from the support address to `to`.
pub async fn send(
    state: &AppState,
    to_name: Option<&str>,
    to_email: &str,
    subject: String,
    body: String,
) -> AppResult<Result<(), NotSent>> {
    let Some(relay) = &state.config.smtp_relay else {
        return Ok(Err(NotSent::NoRelay));
    };
    let internal = |e: String| AppError::Internal(format!("direct mail: {e}"));
    let snapshot = state.directory.snapshot();
    let settings = &snapshot.settings;
    let from = mailbox(Some(&settings.mail_sender_name), &settings.mail_from)
        .map_err(|e| internal(e.to_string()))?;
    let to = mailbox(to_name, to_email).map_err(|e| internal(e.to_string()))?;
    let domain = mail_domain(&settings.mail_from);
    let message = automatic(Message::builder(), "auto-generated")
        .from(from)
        .to(to)
        .subject(subject)
        .message_id(Some(format!(
            "<roadone.direct.{:032x}@{domain}>",
            rand::random::<u128>()
        )))
        .singlepart(SinglePart::plain(body))
        .map_err(|e| internal(e.to_string()))?;
    let transport = crate::mail::relay::transport(
        relay,
        state.config.smtp_relay_ca_file.as_deref(),
        Duration::from_secs(15),
    )
    .map_err(internal)?;
    Ok(transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| NotSent::Relay(e.to_string())))
}
