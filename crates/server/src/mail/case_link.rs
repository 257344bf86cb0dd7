//! The customer's link to their case: it lets whoever holds it read, reply to and rate the
//! case, so it is only ever mailed to the customer — never shown to staff, whose rating
//! would then count as the customer's. Staff who need the customer to have it again send
//! it to the customer's address.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::mail::direct::{self, NotSent};
use roadone_domain::Case;
use roadone_store::{CaseHead, StoredCase};

/// The page of the case, signed in by its token.
pub fn case_link(public_url: &str, head: &CaseHead) -> String {
    format!(
        "{}/portal/cases/{}?token={}",
        public_url.trim_end_matches('/'),
        head.id,
        head.customer_token
    )
}

/// Mails the link to the case's customer at once, on behalf of `sender_name`; returns
/// the address it went to.
pub async fn send_case_link(
    state: &AppState,
    stored: &StoredCase,
    case: &Case,
    sender_name: &str,
) -> AppResult<String> {
    let email = case.customer.email.clone().ok_or_else(|| {
        AppError::invalid(
            "customer.email",
            "the customer has no email address, so the link cannot be sent",
        )
    })?;
    let language = state
        .customer_language(stored.head.customer_id)
        .await?
        .unwrap_or_default();
    let context = minijinja::context! {
        lang => language.code(),
        ref => stored.head.reference,
        subject => roadone_domain::rules::one_line(&case.subject),
        customer_name => case.customer.name,
        sender_name => sender_name,
        link => case_link(&state.config.public_url, &stored.head),
    };
    let (subject, body) = state
        .templates
        .render("case_link", context)
        .map_err(|e| AppError::Internal(format!("case link mail: {e}")))?;
    match direct::send(state, case.customer.name.as_deref(), &email, subject, body).await? {
        Ok(()) => {
            tracing::info!(
                case = stored.head.id,
                "the case link was mailed to the customer"
            );
            Ok(email)
        }
        Err(NotSent::NoRelay) => Err(AppError::Unavailable(
            "no mail relay is configured (smtp_relay), so nothing can be mailed".into(),
        )),
        Err(NotSent::Relay(e)) => {
            tracing::warn!("the case link could not be mailed: {e}");
            Err(AppError::Unavailable(
                "the mail relay did not take the message just now; please try again in a few minutes".into(),
            ))
        }
    }
}
