//! Delight experiments: admins set one up, start, pause, resume and end it; new cases of
//! its customers are routed by it ([`routing`]); the report says what it showed.
//! Settings are checked by the domain's rules; a change once started is a new version.

pub mod input;
pub mod routing;

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use roadone_domain::experiment::check_key;
use roadone_domain::{Experiment, ExperimentSettings, Lifecycle, PersonId};
use roadone_store::ExperimentRecord;

impl AppState {
    /// Every experiment with its history, by key.
    pub fn experiments(&self) -> Vec<ExperimentRecord> {
        self.directory.snapshot().experiments.clone()
    }

    /// The experiment `key`, or not found.
    pub fn experiment(&self, key: &str) -> AppResult<ExperimentRecord> {
        self.directory
            .snapshot()
            .experiment(key)
            .cloned()
            .ok_or_else(|| AppError::NotFound(format!("experiment {key:?}")))
    }

    /// The settings checked against the people and categories there are now.
    fn check_settings(&self, settings: &ExperimentSettings) -> AppResult<()> {
        let snapshot = self.directory.snapshot();
        settings.check(&snapshot.hierarchy, |c| snapshot.categories.contains_key(c))?;
        Ok(())
    }

    /// Refuses settings that could take in customers another live experiment takes in:
    /// a customer is in one experiment at a time, or neither result means anything.
    fn check_no_overlap(&self, key: &str, settings: &ExperimentSettings) -> AppResult<()> {
        let snapshot = self.directory.snapshot();
        let others: Vec<Experiment> = snapshot
            .experiments
            .iter()
            .map(|r| r.experiment.clone())
            .collect();
        let candidate = Experiment {
            key: key.to_string(),
            state: roadone_domain::ExperimentState::Running,
            version: 0,
            settings: settings.clone(),
        };
        if let Some(other) = candidate.overlapping(&others) {
            return Err(AppError::invalid(
                "channels",
                format!(
                    "experiment {:?} ({}) is {} and covers the same customers (channels, \
                     categories and dates meet): end it first, or narrow either one",
                    other.key,
                    other.settings.name,
                    other.state.as_str()
                ),
            ));
        }
        Ok(())
    }

    /// Sets up a new experiment as a draft.
    pub async fn create_experiment(
        &self,
        by: PersonId,
        key: &str,
        settings: ExperimentSettings,
    ) -> AppResult<ExperimentRecord> {
        self.create_experiment_at(by, key, settings, self.clock.now())
            .await
    }

    /// [`Self::create_experiment`] at `at` (the demo sets up its history's experiment
    /// at the history's start).
    pub async fn create_experiment_at(
        &self,
        by: PersonId,
        key: &str,
        settings: ExperimentSettings,
        at: chrono::DateTime<chrono::Utc>,
    ) -> AppResult<ExperimentRecord> {
        check_key(key)?;
        self.check_settings(&settings)?;
        let record = self
            .store
            .create_experiment(key.to_string(), settings, by, at)
            .await?;
        self.refresh_directory().await?;
        Ok(record)
    }

    /// Changes an experiment's settings; once started, the change is a new version.
    pub async fn change_experiment(
        &self,
        by: PersonId,
        key: &str,
        expected_version: u32,
        settings: ExperimentSettings,
    ) -> AppResult<ExperimentRecord> {
        let current = self.experiment(key)?;
        self.check_settings(&settings)?;
        if current.experiment.state.live() {
            self.check_no_overlap(key, &settings)?;
        }
        let record = self
            .store
            .change_experiment(
                key.to_string(),
                expected_version,
                settings,
                by,
                self.clock.now(),
            )
            .await?;
        self.refresh_directory().await?;
        Ok(record)
    }

    /// Starts, pauses, resumes or ends an experiment. Starting and resuming check its
    /// settings again (a team member may have left since) and that no live experiment
    /// covers the same customers.
    pub async fn experiment_step(
        &self,
        by: PersonId,
        key: &str,
        step: Lifecycle,
    ) -> AppResult<ExperimentRecord> {
        self.experiment_step_at(by, key, step, self.clock.now())
            .await
    }

    /// [`Self::experiment_step`] at `at`.
    pub async fn experiment_step_at(
        &self,
        by: PersonId,
        key: &str,
        step: Lifecycle,
        at: chrono::DateTime<chrono::Utc>,
    ) -> AppResult<ExperimentRecord> {
        let current = self.experiment(key)?;
        step.apply(current.experiment.state)?;
        if matches!(step, Lifecycle::Start | Lifecycle::Resume) {
            self.check_settings(&current.experiment.settings)?;
            self.check_no_overlap(key, &current.experiment.settings)?;
        }
        let record = self
            .store
            .experiment_step(key.to_string(), step, by, at)
            .await?;
        self.refresh_directory().await?;
        tracing::info!("experiment {key} {} by person {by}", step.as_str());
        Ok(record)
    }
}
