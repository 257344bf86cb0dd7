//! The use cases: every change to a case, by a person, a customer or the scheduler,
//! goes through `open_case` or `act` — one command path, checked by the domain rules,
//! written with its timers and notifications in one transaction.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::tokens;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use roadone_domain::AttachmentRef;
use roadone_domain::{
    available_actions, opening, resync, transition, Actions, Actor, Case, CaseId, Command, Context,
    DomainError, Intake, PersonId, Transition,
};
use roadone_store::{
    Append, CaseHead, IdempotencyKey, NewCase, OpenOutcome, StoreError, StoredCase,
};

/// How often a command is retried when another writer changed the case meanwhile.
const MAX_ATTEMPTS: usize = 8;

impl AppState {
    /// Whether `intake` taken by `by` would open a case now; nothing is written.
    pub fn check_intake(&self, by: PersonId, intake: &Intake) -> AppResult<()> {
        self.decide_at(&intake.category, self.clock.now(), |ctx| {
            opening(intake, by, ctx)
        })
        .map(|_| ())
    }

    /// Runs a rule with the context of a case of `category` at `at`: the hierarchy, the
    /// category and the rules as the directory holds them now. The demo decides at its
    /// simulated times through this too, so it writes what the server writes.
    pub fn decide_at<T>(
        &self,
        category: &str,
        at: DateTime<Utc>,
        rule: impl FnOnce(Context<'_>) -> Result<T, DomainError>,
    ) -> AppResult<T> {
        let snapshot = self.directory.snapshot();
        let category =
            snapshot
                .categories
                .get(category)
                .ok_or_else(|| DomainError::UnknownCategory {
                    key: category.to_string(),
                })?;
        Ok(rule(Context {
            hierarchy: &snapshot.hierarchy,
            category,
            rules: &snapshot.settings.rules,
            now: at,
        })?)
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

    /// The rules' change for `command` by `actor` on `case`, now.
    fn decided(&self, case: &Case, actor: Actor, command: &Command) -> AppResult<Transition> {
        self.decide_at(&case.category, self.clock.now(), |ctx| {
            transition(case, command, actor, ctx)
        })
        // A stored case whose category is gone is our fault, not the caller's.
        .map_err(|e| match e {
            AppError::Domain(DomainError::UnknownCategory { key }) => {
                AppError::Internal(format!("a case has unknown category {key}"))
            }
            other => other,
        })
    }

    /// Opens a case taken in by `by`, who owns it; its customer is placed in the
    /// experiment that takes the case in, if any (the taker still owns it).
    pub async fn open_case(
        &self,
        by: PersonId,
        intake: Intake,
        idempotency: Option<IdempotencyKey>,
    ) -> AppResult<OpenOutcome> {
        self.check_intake(by, &intake)?;
        self.place_in_experiment(&intake).await?;
        self.open_case_owned_by(by, intake, idempotency).await
    }

    /// Opens a case that arrived with nobody taking it in (mail, the web form, a missed
    /// call): its owner is chosen by the rules and the experiment its customer is in.
    pub async fn open_unattended_case(
        &self,
        intake: Intake,
        idempotency: Option<IdempotencyKey>,
    ) -> AppResult<OpenOutcome> {
        let owner = self.route_unattended(&intake).await?;
        self.open_case_owned_by(owner, intake, idempotency).await
    }

    async fn open_case_owned_by(
        &self,
        by: PersonId,
        intake: Intake,
        idempotency: Option<IdempotencyKey>,
    ) -> AppResult<OpenOutcome> {
        let opened = self.decide_at(&intake.category, self.clock.now(), |ctx| {
            opening(&intake, by, ctx)
        })?;
        self.write_opening(opened, idempotency).await
    }

    /// Writes a new case as `roadone_domain::opening` made it, with its timers and
    /// notifications, in one transaction.
    pub async fn write_opening(
        &self,
        opened: Transition,
        idempotency: Option<IdempotencyKey>,
    ) -> AppResult<OpenOutcome> {
        let new = NewCase::from_opening(opened, tokens::new_case_token(), idempotency);
        let outcome = self.store.open_case(new).await?;
        self.data_changed();
        self.live.opened(&outcome);
        Ok(outcome)
    }

    /// Writes `change`, decided on case `case_id` at `expected_version`, with its timers
    /// and notifications, in one transaction. Another writer's change meanwhile is a
    /// `VersionConflict`: decide again on the new state.
    pub async fn write_change(
        &self,
        case_id: CaseId,
        expected_version: u32,
        change: Transition,
    ) -> Result<CaseHead, StoreError> {
        let head = self
            .store
            .append(Append::from_transition(case_id, expected_version, change))
            .await?;
        self.data_changed();
        self.live.changed(&head);
        Ok(head)
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
            let change = self.decided(&case, actor, command)?;
            let events = change.events.clone();
            match self.write_change(case_id, case.version, change).await {
                Ok(head) => {
                    self.learn_from_junk_marks(&case, &stored.events, &events)
                        .await;
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

    /// What `actor` may do to `case` now (the buttons of the case page), as the rules say.
    pub fn available_actions(&self, case: &Case, actor: Actor) -> AppResult<Actions> {
        self.decide_at(&case.category, self.clock.now(), |ctx| {
            Ok(available_actions(case, actor, ctx))
        })
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
        let unchanged = resync(&case, &self.rules());
        match self.write_change(case_id, case.version, unchanged).await {
            Ok(_) | Err(StoreError::VersionConflict { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
