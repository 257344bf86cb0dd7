//! The mails that carry a link to set a password: an invitation from an administrator,
//! and a reset the person asked for. Both are sent at once rather than through the
//! outbox, like the portal's sign-in link: the link is a secret only the mail may hold
//! (the outbox would have to keep it), and whoever asked hears at once when the relay
//! is down.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::mail::direct::{self, NotSent};
use roadone_domain::Person;

/// An invitation from `inviter` to `person`, whose link works for `days`.
pub async fn send_invite(
    state: &AppState,
    person: &Person,
    inviter: &str,
    link: &str,
    days: i64,
) -> AppResult<Result<(), NotSent>> {
    let sender_name = state.directory.snapshot().settings.mail_sender_name.clone();
    let sign_in = format!(
        "{}/staff/sign-in",
        state.config.public_url.trim_end_matches('/')
    );
    let context = minijinja::context! {
        person_name => person.name,
        inviter_name => inviter,
        sender_name,
        link,
        days,
        sign_in,
    };
    send(state, person, "staff_invite", context).await
}

/// A reset link for `person`, working for `minutes`.
pub async fn send_reset(
    state: &AppState,
    person: &Person,
    link: &str,
    minutes: i64,
) -> AppResult<Result<(), NotSent>> {
    let sender_name = state.directory.snapshot().settings.mail_sender_name.clone();
    let context = minijinja::context! {
        person_name => person.name,
        sender_name,
        link,
        minutes,
    };
    send(state, person, "password_reset", context).await
}

async fn send(
    state: &AppState,
    person: &Person,
    template: &str,
    context: minijinja::Value,
) -> AppResult<Result<(), NotSent>> {
    let (subject, body) = state
        .templates
        .render(template, context)
        .map_err(|e| AppError::Internal(format!("{template} mail: {e}")))?;
    direct::send(state, Some(&person.name), &person.email, subject, body).await
}
