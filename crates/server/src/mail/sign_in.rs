//! The portal's sign-in link, mailed at once rather than through the outbox: it is only
//! worth anything for a few minutes, so when the relay is down the customer is told to
//! try again instead of getting a stale link an hour later.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::mail::compose::{mailbox, AutoSubmitted};
use lettre::message::Message;
use lettre::AsyncTransport;
use roadone_store::CustomerRecord;
use std::time::Duration;

pub async fn send_sign_in_link(
    state: &AppState,
    customer: &CustomerRecord,
    link: &str,
    minutes: i64,
) -> AppResult<()> {
    let Some(email) = customer.email.as_deref() else {
        return Ok(());
    };
    let Some(relay) = &state.config.smtp_relay else {
        // Without a relay nothing can be mailed; say so where the operator looks.
        tracing::warn!(
            "no smtp_relay is set, so this portal sign-in link for {email} was not mailed: {link}"
        );
        return Ok(());
    };
    let context = minijinja::context! {
        customer_name => customer.name,
        link => link,
        minutes => minutes,
    };
    let internal = |e: String| AppError::Internal(format!("sign-in mail: {e}"));
    let (subject, body) = state
        .templates
        .render("sign_in_link", context)
        .map_err(|e| internal(e.to_string()))?;
    let to = mailbox(customer.name.as_deref(), email).map_err(|e| internal(e.to_string()))?;
    let from = mailbox(Some("Customer Service"), &state.config.mail_from)
        .map_err(|e| internal(e.to_string()))?;
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .header(AutoSubmitted("auto-generated".into()))
        .body(body)
        .map_err(|e| internal(e.to_string()))?;
    let transport = crate::mail::relay::transport(
        relay,
        state.config.smtp_relay_ca_file.as_deref(),
        Duration::from_secs(15),
    )
    .map_err(internal)?;
    transport.send(message).await.map_err(|e| {
        tracing::warn!("the sign-in link for {email} could not be mailed: {e}");
        AppError::Unavailable(
            "we could not send the sign-in link just now; please try again in a few minutes".into(),
        )
    })?;
    Ok(())
}
