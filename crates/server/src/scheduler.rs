//! Fires due timers (escalations and reminders) through the same command path as people,
//! as the actor `system`. A deadline that passed while the server was down is due at
//! start and fires then. Exactly once: a timer is claimed with a lease, and the append
//! checks the case's version, so two schedulers racing on one case cannot both escalate
//! it — the loser's command is re-decided against the new state and refused.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use roadone_domain::{Actor, DomainError, ErrorKind};
use std::time::Duration;

const BATCH: u32 = 500;
/// How often mail deleted as junk past its retention is forgotten.
const PURGE_EVERY: Duration = Duration::from_secs(3600);
/// How often missed calls no case owns yet are followed up again.
const FOLLOW_UP_EVERY: Duration = Duration::from_secs(300);

pub struct Scheduler {
    state: AppState,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    pub fired: usize,
    pub skipped: usize,
}

impl Scheduler {
    pub fn new(state: AppState) -> Self {
        Scheduler { state }
    }

    /// Fires every timer due now; returns what happened.
    pub async fn sweep(&self) -> AppResult<SweepReport> {
        let mut report = SweepReport::default();
        loop {
            let now = self.state.clock.now();
            let due = self
                .state
                .store
                .claim_due_timers(
                    &self.state.instance.id,
                    now,
                    chrono::Duration::seconds(60),
                    BATCH,
                )
                .await?;
            let n = due.len();
            for timer in due {
                match self
                    .state
                    .act(timer.case_id, Actor::System, &timer.kind.command())
                    .await
                {
                    Ok(_) => report.fired += 1,
                    Err(AppError::Domain(e)) if e.kind() == ErrorKind::Conflict => {
                        // Solved, already escalated, or no longer due: the state moved on.
                        tracing::debug!(
                            case = timer.case_id,
                            timer = timer.kind.as_str(),
                            "timer skipped: {e}"
                        );
                        self.state.resync_timers(timer.case_id).await?;
                        report.skipped += 1;
                    }
                    Err(AppError::Domain(e @ DomainError::Corrupt { .. })) => {
                        tracing::error!(case = timer.case_id, "cannot fire timer: {e}");
                        report.skipped += 1;
                    }
                    Err(e) => return Err(e),
                }
            }
            if (n as u32) < BATCH {
                return Ok(report);
            }
        }
    }

    /// Sweeps forever: now, then whenever the next timer falls due (at most `interval` apart).
    pub async fn run(self, interval: Duration) {
        let mut purged_at: Option<std::time::Instant> = None;
        let mut followed_at: Option<std::time::Instant> = None;
        loop {
            self.state.faults.check("scheduler");
            if let Err(e) = self.sweep().await {
                tracing::error!("scheduler sweep failed: {e}");
            }
            if purged_at.is_none_or(|at| at.elapsed() >= PURGE_EVERY) {
                purged_at = Some(std::time::Instant::now());
                match self.state.purge_deleted_mail().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!("forgot {n} message(s) deleted as junk"),
                    Err(e) => tracing::error!("purging deleted junk failed: {e}"),
                }
            }
            if followed_at.is_none_or(|at| at.elapsed() >= FOLLOW_UP_EVERY) {
                followed_at = Some(std::time::Instant::now());
                match self.state.follow_up_missed_calls_again().await {
                    Ok(done) if done.problem.is_some() => tracing::error!(
                        "missed calls still have no owner: {}",
                        done.problem.unwrap_or_default()
                    ),
                    Ok(done) if done.cases_opened + done.calls_linked > 0 => tracing::info!(
                        "followed up missed calls again: {} case(s) opened, {} call(s) joined open cases",
                        done.cases_opened,
                        done.calls_linked
                    ),
                    Ok(_) => {}
                    Err(e) => tracing::error!("following up missed calls again failed: {e}"),
                }
            }
            let wait = match self.state.store.next_timer_due().await {
                Ok(Some(next)) => (next - self.state.clock.now())
                    .to_std()
                    .unwrap_or(Duration::ZERO)
                    .min(interval),
                _ => interval,
            };
            tokio::time::sleep(wait.max(Duration::from_millis(20))).await;
        }
    }
}
