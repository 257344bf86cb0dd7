//! Which arm a new case's customer is in, and who serves them: a treated customer's case
//! goes to the least loaded member of the experiment's team, a control customer's as every
//! case goes (avoiding the team where someone else can take it, so that control customers
//! are not served by the treatment). A telephone system asks the same before anyone picks
//! up ([`AppState::assignment_for_caller`]).

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use roadone_domain::experiment::treated_owner;
use roadone_domain::{Arm, Channel, Experiment, Intake, PersonId};
use roadone_store::{Assignment, AssignmentRequest};
use std::collections::HashMap;
use std::sync::atomic::Ordering;

/// Who a telephone system should ring for a caller, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct CallerAssignment {
    /// The running experiment that takes in phone cases, if any.
    pub experiment: Option<String>,
    pub customer_id: Option<i64>,
    pub arm: Option<Arm>,
    /// Whether the arm is stored (false: the hash's answer, stored when their first case
    /// opens).
    pub stored: bool,
    /// The person to ring: a treated caller's member of the team; None: ring as usual.
    pub ring: Option<PersonId>,
    /// In words, for the log of the telephone system.
    pub reason: String,
}

impl AppState {
    /// The running experiment that takes in a case on `channel` in `category` now (at most
    /// one: overlapping experiments are refused).
    pub fn experiment_taking_in(&self, channel: Channel, category: &str) -> Option<Experiment> {
        self.experiment_taking_in_at(channel, category, self.clock.now())
    }

    fn experiment_taking_in_at(
        &self,
        channel: Channel,
        category: &str,
        now: DateTime<Utc>,
    ) -> Option<Experiment> {
        self.directory
            .snapshot()
            .experiments
            .iter()
            .map(|r| &r.experiment)
            .find(|e| e.takes_in(channel, category, now))
            .cloned()
    }

    /// Places the intake's customer in the experiment that takes the case in: their stored
    /// arm, or one decided now by the hash and stored. None when no experiment takes it in
    /// (or the case names nobody to find the customer by).
    pub async fn place_in_experiment(
        &self,
        intake: &Intake,
    ) -> AppResult<Option<(Experiment, Assignment)>> {
        self.place_in_experiment_at(intake, self.clock.now()).await
    }

    /// [`Self::place_in_experiment`] for a case opened at `at` (the demo's history).
    pub async fn place_in_experiment_at(
        &self,
        intake: &Intake,
        at: DateTime<Utc>,
    ) -> AppResult<Option<(Experiment, Assignment)>> {
        let Some(experiment) = self.experiment_taking_in_at(intake.channel, &intake.category, at)
        else {
            return Ok(None);
        };
        // The customer as the case will keep them (the phone in E.164), so that this finds
        // the one the case is opened for; an intake the rules refuse places nobody.
        let Ok(c) = intake.customer_as_kept(self.rules().phone_region) else {
            return Ok(None);
        };
        let placed = self
            .store
            .assign_customer(AssignmentRequest {
                key: experiment.key.clone(),
                version: experiment.version,
                fraction: experiment.settings.fraction,
                customer: c,
                on_the_phone: intake.channel == Channel::Phone,
                at,
            })
            .await?;
        if placed.new {
            tracing::debug!(
                "experiment {}: customer {} is {}",
                experiment.key,
                placed.customer_id,
                placed.arm.as_str()
            );
        }
        Ok(Some((experiment, placed)))
    }

    /// Finds or creates these customers, in order (the demo places its customers ahead of
    /// their cases, so that their ids and so their arms are known when its plans are made).
    pub async fn find_or_add_customers(
        &self,
        customers: Vec<roadone_domain::Customer>,
        at: DateTime<Utc>,
    ) -> AppResult<Vec<i64>> {
        let region = self.rules().phone_region;
        let kept = customers
            .into_iter()
            .map(|c| roadone_domain::intake::customer_as_kept(&c, region))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.store.find_or_add_customers(kept, at).await?)
    }

    /// Who of the experiment's team serves a treated customer now: the least loaded able
    /// member, in turn among equals; None when nobody of the team can.
    pub async fn treated_owner(&self, experiment: &Experiment) -> AppResult<Option<PersonId>> {
        let loads: HashMap<PersonId, u64> = self
            .store
            .open_cases_of(experiment.settings.team.clone())
            .await?
            .into_iter()
            .collect();
        let turn = self.next_in_turn.fetch_add(1, Ordering::Relaxed);
        let snapshot = self.directory.snapshot();
        Ok(treated_owner(
            &experiment.settings.team,
            &snapshot.hierarchy,
            |p| loads.get(&p).copied().unwrap_or(0),
            turn,
        ))
    }

    /// The owner of a case that arrives with nobody taking it in (mail, the web form, a
    /// missed call), by the experiment that takes its customer in, if any.
    pub async fn route_unattended(&self, intake: &Intake) -> AppResult<PersonId> {
        let Some((experiment, placed)) = self.place_in_experiment(intake).await? else {
            return crate::intake::unattended_owner(self);
        };
        let team = &experiment.settings.team;
        if placed.arm == Arm::Treated {
            if let Some(owner) = self.treated_owner(&experiment).await? {
                return Ok(owner);
            }
            // Intention to treat: the customer stays treated; the report counts the case
            // as not served by the team.
            tracing::warn!(
                "experiment {}: nobody of its team can own a case now (deactivated?); \
                 treated customer {}'s case goes as every case goes",
                experiment.key,
                placed.customer_id
            );
            return crate::intake::unattended_owner(self);
        }
        // A control customer is served as if there were no experiment, by someone else
        // than the team where the turn offers anyone else.
        let first = crate::intake::unattended_owner(self)?;
        let mut owner = first;
        for _ in 0..self.directory.snapshot().hierarchy.people().count() {
            if !team.contains(&owner) {
                break;
            }
            owner = crate::intake::unattended_owner(self)?;
            if owner == first {
                break;
            }
        }
        Ok(owner)
    }

    /// What a telephone system should do with a caller (`phone` as they dial in, or a
    /// customer's id): which arm they are in and whom to ring, in the experiment named or
    /// else the running one that takes in phone calls. Nothing is written: an arm
    /// not yet stored is the hash's answer, and is stored when their first case opens.
    pub async fn assignment_for_caller(
        &self,
        experiment: Option<&str>,
        phone: Option<&str>,
        customer: Option<i64>,
    ) -> AppResult<CallerAssignment> {
        let named = experiment.map(|k| self.experiment(k)).transpose()?;
        let customer_id = match (phone, customer) {
            (Some(_), Some(_)) => {
                return Err(AppError::invalid(
                    "phone",
                    "give either phone or customer, not both",
                ))
            }
            (None, None) => {
                return Err(AppError::invalid(
                    "phone",
                    "is required: the caller's number (or give customer, their id)",
                ))
            }
            (Some(phone), None) => {
                let e164 = roadone_domain::phone::normalise(phone, self.rules().phone_region)
                    .map_err(|why| AppError::invalid("phone", why))?;
                self.store.customer_by_phone(e164).await?
            }
            (None, Some(id)) => {
                let found = self.store.customer(id).await?;
                let Some(found) = found else {
                    return Err(AppError::NotFound(format!("customer {id}")));
                };
                Some(found.merged_into.unwrap_or(found.id))
            }
        };
        let now = self.clock.now();
        let running = |e: &Experiment| {
            e.state == roadone_domain::ExperimentState::Running && now < e.settings.planned_end
        };
        let experiment = match named {
            Some(record) => Some(record.experiment),
            None => self
                .directory
                .snapshot()
                .experiments
                .iter()
                .map(|r| &r.experiment)
                .find(|e| {
                    running(e)
                        && (e.settings.channels.is_empty()
                            || e.settings.channels.contains(&Channel::Phone))
                })
                .cloned(),
        };
        let mut answer = CallerAssignment {
            experiment: experiment.as_ref().map(|e| e.key.clone()),
            customer_id,
            arm: None,
            stored: false,
            ring: None,
            reason: String::new(),
        };
        let Some(experiment) = experiment else {
            answer.reason = "no experiment takes in phone calls now: ring as usual".into();
            return Ok(answer);
        };
        let Some(id) = customer_id else {
            answer.reason = "not a customer yet: ring as usual; their arm is decided when \
                             their first case opens"
                .into();
            return Ok(answer);
        };
        let (arm, stored) = match self.store.assignment(experiment.key.clone(), id).await? {
            Some(a) => (a.arm, true),
            None => (experiment.arm_for(id).0, false),
        };
        answer.arm = Some(arm);
        answer.stored = stored;
        if arm == Arm::Control {
            answer.reason = "control: ring as usual".into();
            return Ok(answer);
        }
        if !running(&experiment) {
            answer.reason = format!(
                "treated, but the experiment is {}: ring as usual",
                experiment.state.as_str()
            );
            return Ok(answer);
        }
        answer.ring = self.treated_owner(&experiment).await?;
        answer.reason = match answer.ring {
            Some(_) => "treated: ring this member of the experiment's team".into(),
            None => "treated, but nobody of the team can take calls now: ring as usual".into(),
        };
        Ok(answer)
    }
}
