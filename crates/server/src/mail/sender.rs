//! Delivers the outbox over SMTP. A row is claimed with a lease, sent, then marked sent;
//! a relay that is down or answers 4xx gets the row retried with exponential backoff; a
//! permanent 5xx (or no address at all) is recorded on the row and never retried. A crash
//! between sending and marking is the only way a message goes out twice, and then with
//! the same Message-ID.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::mail::compose::{compose, ComposeError};
use crate::mail::templates::Templates;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use roadone_domain::{Actor, AttachmentRef, Case, Command, Recipient};
use roadone_store::{OutboxRow, StoredCase};
use std::sync::Arc;
use std::time::Duration;

const BATCH: u32 = 50;
/// Long enough for a slow relay. A row whose sender died is released sooner, as soon as
/// the dead server's heartbeat is missed (or the same node starts again).
const LEASE_SECONDS: i64 = 300;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

pub struct MailSender {
    state: AppState,
    templates: Arc<Templates>,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl AppState {
    /// Records every waiting message as sent when it was queued, without sending it: for
    /// history loaded after the fact (the demo's three months), whose customers must not
    /// get months of mail at once. Returns how many were marked.
    pub async fn mark_history_delivered(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> AppResult<usize> {
        let mut marked = 0;
        loop {
            let batch = self
                .store
                .claim_outbox(&self.instance.id, now, chrono::Duration::minutes(10), 1000)
                .await?;
            if batch.is_empty() {
                return Ok(marked);
            }
            let mut writes = tokio::task::JoinSet::new();
            for row in batch {
                let store = self.store.clone();
                writes.spawn(async move { store.outbox_sent(row.id, row.created_at).await });
            }
            while let Some(done) = writes.join_next().await {
                done.map_err(|e| AppError::Internal(e.to_string()))??;
                marked += 1;
            }
        }
    }
}

/// At most this many acknowledgments to one address per hour; the cases still open.
pub const ACKS_PER_ADDRESS_PER_HOUR: usize = 5;

/// Refusals that say our login or TLS settings are wrong, not that the message is: the
/// message is kept and retried (and the operator told) instead of given up.
fn relay_refused_us(e: &lettre::transport::smtp::Error) -> bool {
    e.is_tls()
        || e.status()
            .map(u16::from)
            .is_some_and(|code| matches!(code, 530 | 534 | 535 | 538))
}

/// Wait before attempt `n + 1`: 15 s, 30 s, 1 min, … capped at one hour.
pub fn backoff(attempts: u32) -> chrono::Duration {
    let seconds = 15i64.saturating_mul(1i64 << attempts.saturating_sub(1).min(12));
    chrono::Duration::seconds(seconds.min(3600))
}

impl MailSender {
    pub fn new(
        state: AppState,
        templates: Arc<Templates>,
        relay: &str,
    ) -> Result<MailSender, String> {
        let transport = crate::mail::relay::transport(
            relay,
            state.config.smtp_relay_ca_file.as_deref(),
            Duration::from_secs(30),
        )?;
        Ok(MailSender {
            state,
            templates,
            transport,
        })
    }

    /// Sends everything due now; returns what happened.
    pub async fn deliver_due(&self) -> AppResult<DeliveryReport> {
        let mut report = DeliveryReport::default();
        loop {
            let now = self.state.clock.now();
            let rows = self
                .state
                .store
                .claim_outbox(
                    &self.state.instance.id,
                    now,
                    chrono::Duration::seconds(LEASE_SECONDS),
                    BATCH,
                )
                .await?;
            let n = rows.len();
            for row in rows {
                self.deliver(row, &mut report).await?;
            }
            if (n as u32) < BATCH {
                return Ok(report);
            }
        }
    }

    async fn deliver(&self, row: OutboxRow, report: &mut DeliveryReport) -> AppResult<()> {
        let store = &self.state.store;
        let Some(stored) = store.load_case(row.case_id).await? else {
            store
                .outbox_failed(
                    row.id,
                    "the case does not exist",
                    None,
                    self.state.clock.now(),
                )
                .await?;
            report.failed += 1;
            return Ok(());
        };
        let case = Case::from_events(&stored.events)?;
        if row.notification.template == "acknowledgment" {
            let address = case
                .customer
                .email
                .clone()
                .unwrap_or_default()
                .to_lowercase();
            if !address.is_empty() && !self.ack_allowed(&address).await? {
                let why = format!("not sent: more than {ACKS_PER_ADDRESS_PER_HOUR} acknowledgments to {address} within an hour");
                self.give_up(&row, &why).await?;
                report.failed += 1;
                return Ok(());
            }
        }
        let files = self.files_for(&row, &stored).await?;
        let customer = (
            self.state
                .zone_for_customer(stored.head.customer_id)
                .await?,
            self.state
                .customer_language(stored.head.customer_id)
                .await?
                .unwrap_or_default(),
        );
        let message = match compose(
            &self.state,
            &self.templates,
            &row,
            &stored,
            &case,
            &files,
            customer,
        ) {
            Ok(m) => m,
            Err(e @ (ComposeError::NoAddress | ComposeError::Address(_))) => {
                self.give_up(&row, &e.to_string()).await?;
                report.failed += 1;
                return Ok(());
            }
            Err(e) => {
                // A template problem is ours to fix; keep the message and try again later.
                tracing::error!(outbox = row.id, "cannot compose: {e}");
                store
                    .outbox_failed(
                        row.id,
                        &e.to_string(),
                        Some(self.state.clock.now() + backoff(row.attempts)),
                        self.state.clock.now(),
                    )
                    .await?;
                report.retrying += 1;
                return Ok(());
            }
        };
        match self.transport.send(message).await {
            Ok(_) => {
                store.outbox_sent(row.id, self.state.clock.now()).await?;
                report.sent += 1;
            }
            Err(e) if e.is_permanent() && !relay_refused_us(&e) => {
                tracing::warn!(
                    outbox = row.id,
                    case = row.case_id,
                    "refused by the relay for good: {e}"
                );
                self.give_up(&row, &format!("refused by the mail relay: {e}"))
                    .await?;
                report.failed += 1;
            }
            Err(e) => {
                let retry_at = self.state.clock.now() + backoff(row.attempts);
                if relay_refused_us(&e) {
                    tracing::error!(
                        "the mail relay refused our login or TLS ({e}): check smtp_relay; mail waits meanwhile"
                    );
                }
                tracing::info!(
                    outbox = row.id,
                    "mail relay unavailable ({e}); retrying at {retry_at}"
                );
                store
                    .outbox_failed(
                        row.id,
                        &format!("mail relay unavailable: {e}"),
                        Some(retry_at),
                        self.state.clock.now(),
                    )
                    .await?;
                report.retrying += 1;
            }
        }
        Ok(())
    }

    /// Whether another acknowledgment to `address` fits its hourly allowance (counted
    /// in the store, so a restart or a second server does not reset it).
    async fn ack_allowed(&self, address: &str) -> AppResult<bool> {
        let since = self.state.clock.now() - chrono::Duration::hours(1);
        let sent = self
            .state
            .store
            .sent_to_customer(address, "acknowledgment", since)
            .await?;
        Ok((sent as usize) < ACKS_PER_ADDRESS_PER_HOUR)
    }

    /// The attachments a staff message sends the customer, read from the store.
    async fn files_for(
        &self,
        row: &OutboxRow,
        stored: &StoredCase,
    ) -> AppResult<Vec<(AttachmentRef, Vec<u8>)>> {
        if row.notification.template != "staff_message" {
            return Ok(Vec::new());
        }
        let refs: Vec<AttachmentRef> = stored
            .events
            .get(row.notification.event_seq as usize - 1)
            .map(|e| e.body.attachments().to_vec())
            .unwrap_or_default();
        if refs.is_empty() {
            return Ok(Vec::new());
        }
        let store = self.state.attachments.clone();
        tokio::task::spawn_blocking(move || {
            refs.into_iter()
                .map(|r| match store.get(&r.sha256) {
                    Ok(Some(bytes)) => Ok((r, bytes)),
                    Ok(None) => Err(AppError::Internal(format!(
                        "attachment {} is missing from the store",
                        r.sha256
                    ))),
                    Err(e) => Err(AppError::Internal(e.to_string())),
                })
                .collect()
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
    }

    /// Marks a notification undeliverable for good and says so on its case, where staff
    /// see that the customer (or a colleague) never heard from us.
    async fn give_up(&self, row: &OutboxRow, error: &str) -> AppResult<()> {
        self.state
            .store
            .outbox_failed(row.id, error, None, self.state.clock.now())
            .await?;
        let recipient = match row.notification.recipient {
            Recipient::Customer => "customer".to_string(),
            Recipient::Person { id } => format!("person {id}"),
        };
        let command = Command::RecordDeliveryFailure {
            template: row.notification.template.clone(),
            recipient,
            error: error.to_string(),
        };
        if let Err(e) = self.state.act(row.case_id, Actor::System, &command).await {
            tracing::error!(
                case = row.case_id,
                "cannot record the failed delivery on the case: {e}"
            );
        }
        Ok(())
    }

    /// Delivers forever, looking for due mail every `interval`.
    pub async fn run(&self, interval: Duration) {
        loop {
            self.state.faults.check("mail_sender");
            if let Err(e) = self.deliver_due().await {
                tracing::error!("mail delivery failed: {e}");
            }
            tokio::time::sleep(interval).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), chrono::Duration::seconds(15));
        assert_eq!(backoff(2), chrono::Duration::seconds(30));
        assert_eq!(backoff(4), chrono::Duration::seconds(120));
        assert_eq!(backoff(40), chrono::Duration::seconds(3600));
    }
}
