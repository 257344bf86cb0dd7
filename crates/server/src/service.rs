//! The use cases: every change to a case, by a person, a customer or the scheduler,
//! goes through `open_case` or `act` — one command path, checked by the domain rules,
//! written with its timers and notifications in one transaction.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::tokens;
use bytes::Bytes;
use roadone_domain::notification::notifications_for;
use roadone_domain::AttachmentRef;
use roadone_domain::{
    decide, open, timers_for, Actor, Case, CaseId, Command, Context, DomainError, Event, Intake,
    PersonId,
};
use roadone_store::{Append, IdempotencyKey, NewCase, OpenOutcome, StoreError, StoredCase};

/// How often a command is retried when another writer changed the case meanwhile.
const MAX_ATTEMPTS: usize = 8;

impl AppState {
    /// Whether `intake` taken by `by` would open a case now; nothing is written.
    pub fn check_intake(&self, by: PersonId, intake: &Intake) -> AppResult<()> {
        self.opening(by, intake).map(|_| ())
    }

    /// The rules' opening event for `intake` taken by `by`, now.
    fn opening(&self, by: PersonId, intake: &Intake) -> AppResult<Event> {
        let snapshot = self.directory.snapshot();
        let category = snapshot.categories.get(&intake.category).ok_or_else(|| {
            DomainError::UnknownCategory {
                key: intake.category.clone(),
            }
        })?;
        let ctx = Context {
            hierarchy: &snapshot.hierarchy,
            category,
            rules: &snapshot.settings.rules,
            now: self.clock.now(),
        };
        Ok(open(intake, by, ctx)?)
    }

    /// A case's log and its state now; an unknown case is not found.
    async fn current(&self, case_id: CaseId) -> AppResult<(StoredCase, Case)> {
        let stored = self
            .store
            .load_case(case_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("case {case_id}")))?;
        let case = Case::from_events(&stored.events)?;
        Ok((stored, case))
    }

    /// The rules' events for `command` by `actor` on `case`, now.
    fn decided(&self, case: &Case, actor: Actor, command: &Command) -> AppResult<Vec<Event>> {
        let snapshot = self.directory.snapshot();
        let category = snapshot.categories.get(&case.category).ok_or_else(|| {
            AppError::Internal(format!("a case has unknown category {}", case.category))
        })?;
        let ctx = Context {
            hierarchy: &snapshot.hierarchy,
            category,
            rules: &snapshot.settings.rules,
            now: self.clock.now(),
        };
        Ok(decide(case, command, actor, ctx)?)
    }

    pub async fn open_case(
        &self,
        by: PersonId,
        intake: Intake,
        idempotency: Option<IdempotencyKey>,
    ) -> AppResult<OpenOutcome> {
        let opened = self.opening(by, &intake)?;
        let case = Case::opened(&opened)?;
        let timers = timers_for(&case, &self.rules());
        let outbox = notifications_for(&opened, &case);
        let new = NewCase {
            opened,
            case,
            customer: intake.customer,
            customer_token: tokens::new_case_token(),
            idempotency,
            timers,
            outbox,
        };
        let outcome = self.store.open_case(new).await?;
        self.data_changed();
        Ok(outcome)
    }

    /// Applies a command to a case and returns the case with its new events.
    pub async fn act(
        &self,
        case_id: CaseId,
        actor: Actor,
        command: &Command,
    ) -> AppResult<StoredCase> {
        for _ in 0..MAX_ATTEMPTS {
            let (stored, case) = self.current(case_id).await?;
            let events = self.decided(&case, actor, command)?;
            let mut after = case.clone();
            let mut outbox = Vec::new();
            for event in &events {
                after.apply(event)?;
                outbox.extend(notifications_for(event, &after));
            }
            let append = Append {
                case_id,
                expected_version: case.version,
                events: events.clone(),
                timers: timers_for(&after, &self.rules()),
                case: after,
                outbox,
            };
            match self.store.append(append).await {
                Ok(head) => {
                    self.data_changed();
                    let mut all = stored.events;
                    all.extend(events);
                    return Ok(StoredCase { head, events: all });
                }
                Err(StoreError::VersionConflict { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Store(StoreError::Unavailable(format!(
            "case {case_id} kept changing; gave up after {MAX_ATTEMPTS} attempts"
        ))))
    }

    /// Whether `command` by `actor` would be accepted on `case` now; nothing is written.
    /// The staff pages offer only the actions this allows, decided by the rules themselves.
    pub fn allows(&self, case: &Case, actor: Actor, command: &Command) -> bool {
        self.check(case, actor, command).is_ok()
    }

    /// The rules' answer to `command` on `case` now, without writing anything.
    pub fn check(&self, case: &Case, actor: Actor, command: &Command) -> AppResult<()> {
        self.decided(case, actor, command)?;
        Ok(())
    }

    /// Writes files to the attachment store (each fsynced) and returns their refs.
    pub async fn store_files(&self, files: Vec<(String, Bytes)>) -> AppResult<Vec<AttachmentRef>> {
        if files.is_empty() {
            return Ok(Vec::new());
        }
        let store = self.attachments.clone();
        tokio::task::spawn_blocking(move || {
            files
                .into_iter()
                .map(|(name, bytes)| store.put(&name, &bytes))
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::from)
    }

    /// A command that carries files: the rules are asked first, with the files described
    /// but not yet stored, so a refused command (or a caller who may not act) leaves no
    /// file behind; then the files are stored and fsynced before the event commits.
    pub async fn act_with_files(
        &self,
        case_id: CaseId,
        actor: Actor,
        files: Vec<(String, Bytes)>,
        command: impl Fn(Vec<AttachmentRef>) -> Command,
    ) -> AppResult<StoredCase> {
        if !files.is_empty() {
            let (_, case) = self.current(case_id).await?;
            let planned = files
                .iter()
                .map(|(name, bytes)| AttachmentRef {
                    sha256: String::new(),
                    name: name.clone(),
                    content_type: String::new(),
                    size: bytes.len() as u64,
                })
                .collect();
            self.check(&case, actor, &command(planned))?;
        }
        let attachments = self.store_files(files).await?;
        self.act(case_id, actor, &command(attachments)).await
    }

    /// Re-derives a case's timers from its events (used when a claimed timer turns out
    /// not to be due, so it is not claimed again and again).
    pub async fn resync_timers(&self, case_id: CaseId) -> AppResult<()> {
        let Some(stored) = self.store.load_case(case_id).await? else {
            return Ok(());
        };
        let case = Case::from_events(&stored.events)?;
        let append = Append {
            case_id,
            expected_version: case.version,
            events: Vec::new(),
            timers: timers_for(&case, &self.rules()),
            case,
            outbox: Vec::new(),
        };
        match self.store.append(append).await {
            Ok(_) | Err(StoreError::VersionConflict { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
