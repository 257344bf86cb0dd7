//! The portal's sign-in link, mailed at once rather than through the outbox: it is only
//! worth anything for a few minutes, so when the relay is down the customer is told to
//! try again instead of getting a stale link an hour later.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::mail::direct::{self, NotSent};
use roadone_store::CustomerRecord;

pub async fn send_sign_in_link(
    state: &AppState,
    customer: &CustomerRecord,
    link: &str,
    minutes: i64,
) -> AppResult<()> {
    let Some(email) = customer.email.as_deref() else {
        return Ok(());
    };
    let language = state
        .customer_language(customer.id)
        .await?
        .unwrap_or_default();
    let context = minijinja::context! {
        lang => language.code(),
        customer_name => customer.name,
        link => link,
        minutes => minutes,
    };
    let (subject, body) = state
        .templates
        .render("sign_in_link", context)
        .map_err(|e| AppError::Internal(format!("sign-in mail: {e}")))?;
    match direct::send(state, customer.name.as_deref(), email, subject, body).await? {
        Ok(()) => Ok(()),
        Err(NotSent::NoRelay) => {
            // Without a relay nothing can be mailed; say so where the operator looks.
            tracing::warn!(
                "no smtp_relay is set, so this portal sign-in link for {email} was not mailed: {link}"
            );
            Ok(())
        }
        Err(NotSent::Relay(e)) => {
            tracing::warn!("the sign-in link for {email} could not be mailed: {e}");
            Err(AppError::Unavailable(
                "we could not send the sign-in link just now; please try again in a few minutes"
                    .into(),
            ))
        }
    }
}
