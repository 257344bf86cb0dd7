//! Junk mail as a service: judging a new message (the upstream filter's headers and our
//! learning filter), keeping suspended messages, and settling them — a release takes the
//! message in as if it had just arrived and teaches the filter it was a customer's; a
//! deletion teaches it junk. Nothing suspended is ever answered. A case marked "not a
//! customer case" teaches the filter too, and undoing the mark takes the lesson back.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::mail::inbound::{self, InboundResult};
use roadone_domain::junk::{self, Upstream, Verdict};
use roadone_domain::{Case, CaseStatus, Channel, Event, EventBody, Person};
use roadone_store::{Lesson, NewSuspendedMail, Settled, SuspendedMail, SuspendedTally};

impl AppState {
    /// How junk a new message is, and why.
    pub async fn judge_mail(
        &self,
        upstream: &Upstream,
        subject: &str,
        sender: Option<&str>,
        body: &str,
    ) -> AppResult<Verdict> {
        if self.faults.fails("junk_filter") {
            return Err(AppError::Unavailable(
                "a fault injected into the junk filter".into(),
            ));
        }
        let tokens: Vec<String> = junk::tokens(subject, sender, body).into_iter().collect();
        let (filter, counts) = self.store.junk_counts(tokens).await?;
        let rules = self.directory.snapshot().settings.junk;
        Ok(junk::verdict(upstream, filter.score(counts), rules))
    }

    pub async fn suspend_mail(&self, mail: NewSuspendedMail) -> AppResult<i64> {
        Ok(self.store.suspend_mail(mail).await?)
    }

    /// The messages waiting, newest first.
    pub async fn suspended_mail(&self, limit: u32) -> AppResult<Vec<SuspendedMail>> {
        Ok(self.store.suspended_mail(limit).await?)
    }

    pub async fn suspended_tally(&self) -> AppResult<SuspendedTally> {
        Ok(self.store.suspended_tally().await?)
    }

    /// Takes a suspended message in as if it had just arrived (acknowledgment included),
    /// and teaches the filter it was a customer's.
    pub async fn release_suspended(&self, id: i64, by: &Person) -> AppResult<InboundResult> {
        let raw = self.settle(id, Settled::Released, by).await?;
        let incoming = inbound::read(&raw, &self.secret);
        let tokens = incoming.as_ref().map(tokens_of).unwrap_or_default();
        let taken = match incoming {
            Ok(incoming) => inbound::receive_released(self, incoming, &raw).await,
            Err(e) => Err(e),
        };
        match taken {
            Ok(result) => {
                self.teach(tokens, Lesson::Customer).await;
                Ok(result)
            }
            Err(e) => {
                // Settled but not taken in: suspend it again so that nothing is lost.
                tracing::error!(id, "a released message could not be taken in: {e}");
                if let Err(again) = self.keep_again(&raw, &e).await {
                    tracing::error!(id, "and could not be kept again: {again}");
                }
                Err(e)
            }
        }
    }

    /// Deletes a suspended message as junk (its bytes kept for the `junk_kept` setting)
    /// and teaches the filter so.
    pub async fn delete_suspended(&self, id: i64, by: &Person) -> AppResult<()> {
        let raw = self.settle(id, Settled::Deleted, by).await?;
        // A message the filter cannot read is still deleted; it only teaches nothing.
        if let Ok(incoming) = inbound::read(&raw, &self.secret) {
            self.teach(tokens_of(&incoming), Lesson::Junk).await;
        }
        Ok(())
    }

    /// Forgets the bytes of messages deleted longer ago than the retention.
    pub async fn purge_deleted_mail(&self) -> AppResult<u64> {
        let before = self.clock.now() - self.directory.snapshot().settings.junk_kept;
        Ok(self.store.purge_suspended(before).await?)
    }

    async fn settle(&self, id: i64, how: Settled, by: &Person) -> AppResult<Vec<u8>> {
        self.store
            .settle_suspended(id, how, by.id, self.clock.now())
            .await?
            .ok_or_else(|| {
                AppError::NotFound(format!(
                    "suspended message {id} (it may have been released or deleted already)"
                ))
            })
    }

    async fn keep_again(&self, raw: &[u8], why: &AppError) -> AppResult<i64> {
        let incoming = inbound::read(raw, &self.secret)?;
        self.suspend_mail(NewSuspendedMail {
            received_at: self.clock.now(),
            sender: incoming.sender_email,
            subject: incoming.subject,
            score: 0.0,
            why: vec![format!("released, but it could not be taken in: {why}")],
            raw: raw.to_vec(),
        })
        .await
    }

    /// A junk mark teaches the filter that the case's first message was junk; a mark
    /// undone (by a manager, or by the customer writing again) takes the lesson back.
    /// A phone case's words are staff's, not a sender's: it teaches nothing.
    pub(crate) async fn learn_from_junk_marks(&self, before: &Case, log: &[Event], new: &[Event]) {
        let has = |kind: fn(&EventBody) -> bool| new.iter().any(|e| kind(&e.body));
        let lesson = if has(|b| matches!(b, EventBody::MarkedJunk { .. })) {
            Lesson::Junk
        } else if before.status == CaseStatus::Junk
            && has(|b| matches!(b, EventBody::JunkUndone { .. } | EventBody::Reopened { .. }))
        {
            Lesson::NotJunkAfterAll
        } else {
            return;
        };
        let Some(EventBody::Opened {
            subject,
            body,
            customer,
            channel,
            ..
        }) = log.first().map(|e| &e.body)
        else {
            return;
        };
        if *channel == Channel::Phone {
            return;
        }
        let tokens = junk::tokens(subject, customer.email.as_deref(), body);
        self.teach(tokens.into_iter().collect(), lesson).await;
    }

    /// Teaching is a help, not a duty: a message is released or deleted even when the
    /// filter cannot learn from it.
    async fn teach(&self, tokens: Vec<String>, lesson: Lesson) {
        if let Err(e) = self.store.teach_junk_filter(tokens, lesson).await {
            tracing::warn!("the junk filter could not learn from a message: {e}");
        }
    }
}

/// The tokens the filter learns a message by.
fn tokens_of(incoming: &inbound::Incoming) -> Vec<String> {
    junk::tokens(
        &incoming.subject,
        incoming.sender_email.as_deref(),
        &incoming.body,
    )
    .into_iter()
    .collect()
}
