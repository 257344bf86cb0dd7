//! The optional second factor at staff sign-in: a TOTP code from an authenticator app, or
//! one of ten single-use recovery codes. Turning it on shows a secret (as a QR code and as
//! text) and turns on only when a code made from it is typed back; the recovery codes are
//! shown then, once, and only their digests are kept. A right password for a person with
//! the factor on opens no session: it starts a pending sign-in (a secret the browser
//! keeps for a few minutes, its digest stored) that only the second step turns into one.
//! Wrong tries at a code are limited per person (`RateLimits::check_second_factor`).

pub mod qr;
pub mod rules;

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::tokens;
use chrono::{DateTime, Duration, Utc};
use roadone_domain::{Person, PersonId};
use roadone_store::{NewSession, PendingSignIn};
use rules::{Answer, CodeCheck};

/// How long the second step may take after the password.
pub const PENDING_MINUTES: i64 = 5;

/// What a person sees of a factor waiting for its first code: the secret to scan or type.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// The secret in base32, in groups of four, for typing into an app by hand.
    pub secret_text: String,
    pub url: String,
    /// The QR code of `url`, as inline SVG.
    pub qr_svg: Option<String>,
}

/// Where a person's second factor stands.
#[derive(Debug, Clone)]
pub enum SecondFactorState {
    Off,
    /// Turned on as soon as a code from `Enrolment`'s secret is typed back.
    Waiting(Enrolment),
    On {
        since: DateTime<Utc>,
        recovery_codes_left: u32,
    },
}

/// A finished second step.
#[derive(Debug, Clone)]
pub struct SecondStepDone {
    pub person: PersonId,
    /// `Some(left)` when a recovery code was used, with how many are left.
    pub recovery_codes_left: Option<u32>,
}

fn digests(codes: &[String]) -> Vec<Vec<u8>> {
    codes
        .iter()
        .filter_map(|c| rules::recovery_digest(c))
        .collect()
}

fn wrong_password() -> AppError {
    AppError::invalid("current", "is not right")
}

impl AppState {
    pub async fn second_factor_state(&self, person: &Person) -> AppResult<SecondFactorState> {
        let Some(factor) = self.store.second_factor(person.id).await? else {
            return Ok(SecondFactorState::Off);
        };
        Ok(match factor.enabled_at {
            Some(since) => SecondFactorState::On {
                since,
                recovery_codes_left: factor.recovery_codes_left,
            },
            None => {
                let url = rules::otpauth_url(&factor.secret, &person.email);
                SecondFactorState::Waiting(Enrolment {
                    secret_text: rules::secret_text(&factor.secret),
                    qr_svg: qr::svg(&url, "QR code for your authenticator app"),
                    url,
                })
            }
        })
    }

    /// A new secret waiting for its first code (replacing one that waited); refused when
    /// the factor is on already.
    pub async fn begin_second_factor(&self, person: &Person) -> AppResult<()> {
        let now = self.clock.now();
        Ok(self
            .store
            .begin_second_factor(person.id, rules::new_secret(), now)
            .await?)
    }

    /// Turns the waiting factor on if `password` is the person's and `code` is one its
    /// secret makes now; the new recovery codes, to be shown once. The password keeps
    /// someone who has only a session (a browser left open) from enrolling their own
    /// phone and locking the owner out. A wrong password or code changes nothing.
    pub async fn confirm_second_factor(
        &self,
        person: &Person,
        password: String,
        code: &str,
    ) -> AppResult<Vec<String>> {
        self.check_own_password(person, password).await?;
        self.limits.check_second_factor(person.id)?;
        let factor = self
            .store
            .second_factor(person.id)
            .await?
            .filter(|f| !f.is_on())
            .ok_or_else(|| {
                AppError::invalid("code", "has nothing to confirm: start again from this page")
            })?;
        let Answer::Code(code) = rules::read_answer(code) else {
            return Err(AppError::invalid(
                "code",
                "should be the 6 digits your app shows",
            ));
        };
        let now = self.clock.now();
        let CodeCheck::Accepted { step } = rules::check_code(&factor.secret, &code, now, None)
        else {
            return Err(AppError::invalid(
                "code",
                "is not the one your app shows now: check that you added this page's secret, and that your phone's clock is right",
            ));
        };
        let codes = rules::new_recovery_codes();
        let on = self
            .store
            .enable_second_factor(person.id, factor.secret, step, digests(&codes), now)
            .await?;
        if !on {
            return Err(AppError::invalid(
                "code",
                "is for a secret that was replaced meanwhile: use the one on this page",
            ));
        }
        self.limits.second_factor_was_right(person.id);
        Ok(codes)
    }

    /// Forgets a factor that still waits for its first code.
    pub async fn cancel_second_factor(&self, person: &Person) -> AppResult<()> {
        if let Some(factor) = self.store.second_factor(person.id).await? {
            if !factor.is_on() {
                self.store.remove_second_factor(person.id).await?;
            }
        }
        Ok(())
    }

    async fn check_own_password(&self, person: &Person, password: String) -> AppResult<()> {
        self.limits.check_second_factor(person.id)?;
        match self.check_password(&person.email, password).await? {
            Some(id) if id == person.id => {
                self.limits.second_factor_was_right(person.id);
                Ok(())
            }
            _ => Err(wrong_password()),
        }
    }

    /// Turns the factor off, with the person's current password.
    pub async fn turn_off_second_factor(&self, person: &Person, password: String) -> AppResult<()> {
        self.check_own_password(person, password).await?;
        self.store.remove_second_factor(person.id).await?;
        Ok(())
    }

    /// Ten new recovery codes replacing the old, with the person's current password.
    pub async fn new_recovery_codes(
        &self,
        person: &Person,
        password: String,
    ) -> AppResult<Vec<String>> {
        self.check_own_password(person, password).await?;
        let codes = rules::new_recovery_codes();
        let now = self.clock.now();
        if !self
            .store
            .replace_recovery_codes(person.id, digests(&codes), now)
            .await?
        {
            return Err(AppError::invalid(
                "current",
                "cannot make recovery codes: two-step sign-in is off",
            ));
        }
        Ok(codes)
    }

    /// An administrator takes a person's factor away (a lost phone); `by` may not be
    /// the person, who turns their own off with their password. `false` when they had none.
    pub async fn reset_second_factor(&self, person: PersonId, by: PersonId) -> AppResult<bool> {
        if person == by {
            return Err(AppError::invalid(
                "id",
                "turn your own two-step sign-in off on your security page, with your password",
            ));
        }
        let Some(target) = self.directory.snapshot().person(person).cloned() else {
            return Err(AppError::invalid("id", "choose a person"));
        };
        // One administrator's session must not be enough to take over another's account.
        if target.role == roadone_domain::Role::Admin {
            return Err(AppError::Forbidden(format!(
                "{} is an administrator: their two-step sign-in is turned off by themselves, or on the server with `roadone user two-step-off --email {}`",
                target.name, target.email
            )));
        }
        let removed = self.store.remove_second_factor(person).await?;
        if removed {
            tracing::info!("person {by} reset the second factor of person {person}");
        }
        Ok(removed)
    }

    /// Turns a person's factor off from the server's shell (`roadone user two-step-off`),
    /// for an administrator who lost their phone and their recovery codes. `false` when
    /// they had none.
    pub async fn turn_off_second_factor_on_the_server(&self, person: PersonId) -> AppResult<bool> {
        let removed = self.store.remove_second_factor(person).await?;
        if removed {
            tracing::info!("the second factor of person {person} was turned off on the server");
        }
        Ok(removed)
    }

    /// After a right password: `None` when the person has no factor on (open a session
    /// now), else the secret of a pending sign-in that only the second step finishes.
    pub async fn begin_sign_in(&self, person: PersonId) -> AppResult<Option<String>> {
        let on = self
            .store
            .second_factor(person)
            .await?
            .is_some_and(|f| f.is_on());
        if !on {
            return Ok(None);
        }
        let secret = tokens::new_token();
        let now = self.clock.now();
        self.store
            .add_pending_sign_in(PendingSignIn {
                hash: tokens::digest(&secret),
                person,
                created_at: now,
                expires_at: now + Duration::minutes(PENDING_MINUTES),
            })
            .await?;
        Ok(Some(secret))
    }

    /// The person of a pending sign-in still good now.
    pub async fn pending_sign_in(&self, secret: &str) -> AppResult<Option<Person>> {
        let found = self
            .store
            .pending_sign_in(&tokens::digest(secret), self.clock.now())
            .await?;
        let snapshot = self.directory.snapshot();
        Ok(found.and_then(|id| snapshot.person(id).cloned()))
    }

    /// The second step: with a right code (or an unused recovery code), ends the pending
    /// sign-in and opens `session`, ending the browser's earlier one. `None` when the
    /// pending sign-in is over (expired, finished, or its factor or password changed); a
    /// wrong or used code is refused at the field `code` and changes nothing.
    pub async fn finish_sign_in(
        &self,
        pending: &str,
        answer: &str,
        session: NewSession,
        replacing: Option<&[u8]>,
    ) -> AppResult<Option<SecondStepDone>> {
        let Some(person) = self.pending_sign_in(pending).await? else {
            return Ok(None);
        };
        self.limits.check_second_factor(person.id)?;
        let Some(factor) = self
            .store
            .second_factor(person.id)
            .await?
            .filter(|f| f.is_on())
        else {
            return Ok(None);
        };
        let now = self.clock.now();
        let recovery_codes_left = match rules::read_answer(answer) {
            Answer::Code(code) => {
                match rules::check_code(&factor.secret, &code, now, factor.last_step) {
                    CodeCheck::Accepted { step } => {
                        if !self
                            .store
                            .accept_second_factor_step(person.id, step)
                            .await?
                        {
                            return Err(reused());
                        }
                        None
                    }
                    CodeCheck::Reused => return Err(reused()),
                    CodeCheck::Wrong => {
                        return Err(AppError::invalid(
                            "code",
                            "is not the one your app shows now: type the 6 digits it shows, or use a recovery code",
                        ))
                    }
                }
            }
            Answer::Recovery(code) => {
                let used = self
                    .store
                    .use_recovery_code(person.id, tokens::digest(&code), now)
                    .await?;
                match used {
                    Some(left) => Some(left),
                    None => {
                        return Err(AppError::invalid(
                            "code",
                            "is not one of your recovery codes, or it was used already: each works once",
                        ))
                    }
                }
            }
            Answer::Unreadable => {
                return Err(AppError::invalid(
                    "code",
                    "should be the 6 digits your app shows, or a recovery code such as 7kq2m-x9fpa",
                ))
            }
        };
        self.limits.second_factor_was_right(person.id);
        if let Some(old) = replacing {
            self.store.end_staff_session(old).await?;
        }
        let finished = self
            .store
            .finish_pending_sign_in(&tokens::digest(pending), now, session)
            .await?;
        Ok(finished.map(|person| SecondStepDone {
            person,
            recovery_codes_left,
        }))
    }
}

fn reused() -> AppError {
    AppError::invalid(
        "code",
        "was used already: wait for the next one your app shows",
    )
}
