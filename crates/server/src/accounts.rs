//! Getting staff in: invitations from an administrator, "forgot password" links, and
//! setting a password with either. A link is a random secret mailed to the person; only
//! its digest is stored, it works once, and a newer link of the same kind replaces it.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::mail::direct::NotSent;
use crate::mail::password_link;
use crate::{passwords, tokens};
use chrono::Duration;
use roadone_domain::{Person, PersonId};
use roadone_store::{AccountState, PasswordLink, PasswordLinkPurpose};

/// How long an invitation works: long enough for a new colleague's first week.
pub const INVITE_DAYS: i64 = 7;
/// How long a reset link works: it is asked for by someone waiting for it.
pub const RESET_MINUTES: i64 = 60;

/// What became of an invitation's mail.
#[derive(Debug)]
pub enum Invitation {
    Mailed,
    /// Not mailed (no relay, or the relay refused): the administrator is shown the link
    /// to pass on themselves, as they could set a password for the person anyway.
    NotMailed {
        link: String,
        why: String,
    },
}

impl AppState {
    /// Sends `person` a link to choose a password (a first one, or a new one when they
    /// have one already), from administrator `by`.
    pub async fn invite(&self, person: PersonId, by: PersonId) -> AppResult<Invitation> {
        let snapshot = self.directory.snapshot();
        let invitee = snapshot
            .person(person)
            .filter(|p| p.active)
            .cloned()
            .ok_or_else(|| AppError::invalid("id", "choose an active person"))?;
        let inviter = snapshot.person_name(by);
        let has_password = self
            .store
            .password_hash(&invitee.email)
            .await?
            .is_some_and(|(_, hash)| hash.is_some());
        let purpose = if has_password {
            PasswordLinkPurpose::Reset
        } else {
            PasswordLinkPurpose::Invite
        };
        self.limits.check_address(&invitee.email)?;
        let link = self
            .new_password_link(&invitee, purpose, Some(by), Duration::days(INVITE_DAYS))
            .await?;
        let sent = password_link::send_invite(self, &invitee, &inviter, &link, INVITE_DAYS).await?;
        Ok(match sent {
            Ok(()) => Invitation::Mailed,
            Err(NotSent::NoRelay) => Invitation::NotMailed {
                link,
                why: "no mail relay is set up, so nothing can be mailed".into(),
            },
            Err(NotSent::Relay(e)) => Invitation::NotMailed {
                link,
                why: format!("the mail relay did not take the message ({e})"),
            },
        })
    }

    /// Mails a reset link if `email` is an active person's; otherwise does nothing. The
    /// caller answers the same either way, and the mail goes in the background so the
    /// time taken does not tell either.
    pub async fn request_password_reset(&self, email: &str) -> AppResult<()> {
        self.limits.check_address(email)?;
        let Some(person) = self.store.person_by_email(email.trim()).await? else {
            return Ok(());
        };
        if !person.active {
            return Ok(());
        }
        let link = self
            .new_password_link(
                &person,
                PasswordLinkPurpose::Reset,
                None,
                Duration::minutes(RESET_MINUTES),
            )
            .await?;
        let state = self.clone();
        tokio::spawn(async move {
            match password_link::send_reset(&state, &person, &link, RESET_MINUTES).await {
                Ok(Ok(())) => {}
                Ok(Err(NotSent::NoRelay)) => tracing::warn!(
                    "no smtp_relay is set, so the password reset link for {} was not mailed: {link}",
                    person.email
                ),
                Ok(Err(NotSent::Relay(e))) => tracing::warn!(
                    "the password reset link for {} could not be mailed: {e}",
                    person.email
                ),
                Err(e) => tracing::error!("the password reset mail failed: {e}"),
            }
        });
        Ok(())
    }

    /// Whose link this is and what for, while it is still good.
    pub async fn password_link(
        &self,
        secret: &str,
    ) -> AppResult<Option<(Person, PasswordLinkPurpose)>> {
        let found = self
            .store
            .password_link(&tokens::digest(secret), self.clock.now())
            .await?;
        let snapshot = self.directory.snapshot();
        Ok(found.and_then(|(id, purpose)| snapshot.person(id).cloned().map(|p| (p, purpose))))
    }

    /// Sets the password of the link's person and spends the link; `None` when the link
    /// was used, replaced or has expired. A password too short or too long is refused
    /// before the link is touched, so the person can try again with it.
    pub async fn set_password_with_link(
        &self,
        secret: &str,
        password: String,
    ) -> AppResult<Option<PersonId>> {
        let hash = passwords::hash(password).await?;
        Ok(self
            .store
            .redeem_password_link(&tokens::digest(secret), self.clock.now(), &hash)
            .await?)
    }

    /// Whether each person can sign in yet, and whether an invitation is waiting.
    pub async fn accounts(&self) -> AppResult<Vec<AccountState>> {
        Ok(self.store.accounts(self.clock.now()).await?)
    }

    async fn new_password_link(
        &self,
        person: &Person,
        purpose: PasswordLinkPurpose,
        by: Option<PersonId>,
        valid_for: Duration,
    ) -> AppResult<String> {
        let secret = tokens::new_token();
        let now = self.clock.now();
        self.store
            .add_password_link(PasswordLink {
                hash: tokens::digest(&secret),
                person: person.id,
                purpose,
                created_by: by,
                created_at: now,
                expires_at: now + valid_for,
            })
            .await?;
        Ok(format!(
            "{}/staff/password/{secret}",
            self.config.public_url.trim_end_matches('/')
        ))
    }
}
