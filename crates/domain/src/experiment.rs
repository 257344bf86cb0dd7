//! Delight experiments: a small share of new customers is served by a chosen team, and the
//! rest as usual, so that the company can see what caring is worth. The rules here decide
//! which settings are acceptable, when an experiment takes a customer in, which arm they
//! are in and who of the team serves them; the store keeps the arm once decided.

use crate::assignment::bucket;
use crate::error::DomainError;
use crate::event::Channel;
use crate::hierarchy::Hierarchy;
use crate::person::{Capability, PersonId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Which side of an experiment a customer is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arm {
    /// Served by the experiment's team.
    Treated,
    /// Served as everyone else is.
    Control,
}

impl Arm {
    pub const BOTH: [Arm; 2] = [Arm::Treated, Arm::Control];

    pub fn as_str(self) -> &'static str {
        match self {
            Arm::Treated => "treated",
            Arm::Control => "control",
        }
    }

    pub fn parse(text: &str) -> Option<Arm> {
        match text {
            "treated" => Some(Arm::Treated),
            "control" => Some(Arm::Control),
            _ => None,
        }
    }
}

/// Where an experiment is in its life. Starting, pausing, resuming and ending are events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExperimentState {
    /// Being prepared: settings may change freely, nobody is assigned.
    Draft,
    /// Taking new customers in.
    Running,
    /// Taking nobody in; those assigned keep their arm.
    Paused,
    /// Over for good.
    Ended,
}

impl ExperimentState {
    pub fn as_str(self) -> &'static str {
        match self {
            ExperimentState::Draft => "draft",
            ExperimentState::Running => "running",
            ExperimentState::Paused => "paused",
            ExperimentState::Ended => "ended",
        }
    }

    pub fn parse(text: &str) -> Option<ExperimentState> {
        Some(match text {
            "draft" => ExperimentState::Draft,
            "running" => ExperimentState::Running,
            "paused" => ExperimentState::Paused,
            "ended" => ExperimentState::Ended,
            _ => return None,
        })
    }

    /// Whether customers already assigned are still being served by it (for overlaps).
    pub fn live(self) -> bool {
        matches!(self, ExperimentState::Running | ExperimentState::Paused)
    }
}

/// What happens to an experiment's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    Start,
    Pause,
    Resume,
    End,
}

impl Lifecycle {
    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Start => "started",
            Lifecycle::Pause => "paused",
            Lifecycle::Resume => "resumed",
            Lifecycle::End => "ended",
        }
    }

    pub fn parse(text: &str) -> Option<Lifecycle> {
        Some(match text {
            "start" | "started" => Lifecycle::Start,
            "pause" | "paused" => Lifecycle::Pause,
            "resume" | "resumed" => Lifecycle::Resume,
            "end" | "ended" => Lifecycle::End,
            _ => return None,
        })
    }

    /// The state after this step from `state`, or why it cannot happen.
    pub fn apply(self, state: ExperimentState) -> Result<ExperimentState, DomainError> {
        use ExperimentState::*;
        let refused = |message: &str| {
            Err(DomainError::ExperimentState {
                message: message.to_string(),
            })
        };
        match (self, state) {
            (Lifecycle::Start, Draft) => Ok(Running),
            (Lifecycle::Start, _) => refused("the experiment has already been started"),
            (Lifecycle::Pause, Running) => Ok(Paused),
            (Lifecycle::Pause, _) => refused("only a running experiment can be paused"),
            (Lifecycle::Resume, Paused) => Ok(Running),
            (Lifecycle::Resume, _) => refused("only a paused experiment can be resumed"),
            (Lifecycle::End, Running | Paused) => Ok(Ended),
            (Lifecycle::End, Draft) => refused("a draft has not started, so it cannot end"),
            (Lifecycle::End, Ended) => refused("the experiment has already ended"),
        }
    }
}

/// An experiment's settings, as one version holds them. Once it has started, a change is
/// a new version and the report splits by version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentSettings {
    pub name: String,
    /// What the team expects to see, in a sentence.
    pub hypothesis: String,
    /// The people who serve the treated customers.
    pub team: Vec<PersonId>,
    /// The share of new customers in scope who are treated, strictly between 0 and 1.
    pub fraction: f64,
    /// The channels whose cases take customers in; empty: every channel.
    pub channels: Vec<Channel>,
    /// The categories whose cases take customers in; empty: every category.
    pub categories: Vec<String>,
    pub planned_start: DateTime<Utc>,
    pub planned_end: DateTime<Utc>,
    /// What the team costs a month, for the payback figure (0: not known).
    pub monthly_cost: f64,
    /// The currency of `monthly_cost` and of the sales compared with it.
    pub currency: String,
    /// How many days before assignment a customer's history is read for CUPED.
    pub look_back_days: u32,
}

/// The finest share the hash can tell apart: buckets are in steps of 1/10000.
pub const FINEST_FRACTION: f64 = 0.0001;

/// An experiment as it stands: its key (the hash's seed, never changed), its state and its
/// settings of the version in force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Experiment {
    pub key: String,
    pub state: ExperimentState,
    pub version: u32,
    pub settings: ExperimentSettings,
}

/// Whether `key` may name an experiment: 1–64 lowercase letters, digits, `-` and `_`,
/// so that it reads the same in every tool that recomputes the split.
pub fn check_key(key: &str) -> Result<(), DomainError> {
    let fine = !key.is_empty()
        && key.len() <= 64
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if key == "assignment" {
        return Err(DomainError::invalid(
            "key",
            "\"assignment\" names the API's lookup of a caller's arm: choose another key",
        ));
    }
    if fine {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "key",
            "must be 1 to 64 lowercase letters, digits, '-' or '_' (it seeds the split)",
        ))
    }
}

impl ExperimentSettings {
    /// Checks the settings against the people and categories there are now.
    pub fn check(
        &self,
        people: &Hierarchy,
        category_exists: impl Fn(&str) -> bool,
    ) -> Result<(), DomainError> {
        if self.name.trim().is_empty() {
            return Err(DomainError::invalid("name", "is required"));
        }
        if self.name.chars().count() > 200 {
            return Err(DomainError::invalid(
                "name",
                "is longer than 200 characters",
            ));
        }
        if self.hypothesis.chars().count() > 2000 {
            return Err(DomainError::invalid(
                "hypothesis",
                "is longer than 2000 characters",
            ));
        }
        if self.team.is_empty() {
            return Err(DomainError::invalid(
                "team",
                "an experiment needs at least one person to serve its treated customers",
            ));
        }
        for &id in &self.team {
            match people.get(id) {
                None => {
                    return Err(DomainError::invalid(
                        "team",
                        format!("no person with id {id}"),
                    ))
                }
                Some(p) if !p.active => {
                    return Err(DomainError::invalid(
                        "team",
                        format!("{} is deactivated", p.name),
                    ))
                }
                Some(p) if !p.role.may(Capability::TakeCases) => {
                    return Err(DomainError::invalid(
                        "team",
                        format!("{} may not own cases", p.name),
                    ))
                }
                Some(_) => {}
            }
        }
        if !(self.fraction.is_finite() && self.fraction > 0.0 && self.fraction < 1.0) {
            return Err(DomainError::invalid(
                "fraction",
                "must be more than 0 and less than 1 (0.01 treats 1% of new customers)",
            ));
        }
        if self.fraction < FINEST_FRACTION {
            return Err(DomainError::invalid(
                "fraction",
                "must be at least 0.0001: the split is in steps of one in ten thousand",
            ));
        }
        if let Some(unknown) = self.categories.iter().find(|c| !category_exists(c)) {
            return Err(DomainError::invalid(
                "categories",
                format!("no category with key {unknown:?}"),
            ));
        }
        if self.planned_end <= self.planned_start {
            return Err(DomainError::invalid(
                "planned_end",
                "must be after planned_start",
            ));
        }
        if !(self.monthly_cost.is_finite() && self.monthly_cost >= 0.0) {
            return Err(DomainError::invalid(
                "monthly_cost",
                "must be a number of 0 or more",
            ));
        }
        if self.currency.len() != 3 || !self.currency.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(DomainError::invalid(
                "currency",
                "must be a three-letter code such as EUR or USD",
            ));
        }
        if !(1..=730).contains(&self.look_back_days) {
            return Err(DomainError::invalid(
                "look_back_days",
                "must be between 1 and 730 days",
            ));
        }
        Ok(())
    }

    /// Whether a case on `channel` in `category` is in this experiment's scope.
    pub fn covers(&self, channel: Channel, category: &str) -> bool {
        (self.channels.is_empty() || self.channels.contains(&channel))
            && (self.categories.is_empty() || self.categories.iter().any(|c| c == category))
    }

    /// Whether both could take in the same customer: their channels, categories and
    /// planned times all meet.
    pub fn overlaps(&self, other: &ExperimentSettings) -> bool {
        let meet = |a: &[Channel], b: &[Channel]| {
            a.is_empty() || b.is_empty() || a.iter().any(|x| b.contains(x))
        };
        let categories_meet = self.categories.is_empty()
            || other.categories.is_empty()
            || self.categories.iter().any(|c| other.categories.contains(c));
        meet(&self.channels, &other.channels)
            && categories_meet
            && self.planned_start < other.planned_end
            && other.planned_start < self.planned_end
    }
}

impl Experiment {
    /// Whether a new case on `channel` in `category` at `now` takes its customer in: the
    /// experiment runs, the case is in scope and the planned end has not come.
    pub fn takes_in(&self, channel: Channel, category: &str, now: DateTime<Utc>) -> bool {
        self.state == ExperimentState::Running
            && now < self.settings.planned_end
            && self.settings.covers(channel, category)
    }

    /// The arm of `customer` by the hash: treated when their bucket is below the fraction.
    pub fn arm_for(&self, customer: i64) -> (Arm, f64) {
        let at = bucket(&self.key, &customer.to_string());
        let arm = if at < self.settings.fraction {
            Arm::Treated
        } else {
            Arm::Control
        };
        (arm, at)
    }

    /// The first of `others` still live whose scope meets this one's, if any.
    pub fn overlapping<'a>(&self, others: &'a [Experiment]) -> Option<&'a Experiment> {
        others
            .iter()
            .find(|o| o.key != self.key && o.state.live() && self.settings.overlaps(&o.settings))
    }
}

/// Who of `team` serves a treated customer's new case: the active member who may own
/// cases with the fewest open cases (`load`); among equals, `turn` goes round. None when
/// nobody of the team can take it (the case then goes where it would have gone, and stays
/// in its arm).
pub fn treated_owner(
    team: &[PersonId],
    people: &Hierarchy,
    load: impl Fn(PersonId) -> u64,
    turn: usize,
) -> Option<PersonId> {
    let mut able: Vec<(u64, PersonId)> = team
        .iter()
        .filter_map(|&id| people.get(id))
        .filter(|p| p.active && p.role.may(Capability::TakeCases))
        .map(|p| (load(p.id), p.id))
        .collect();
    able.sort_unstable();
    able.dedup();
    let least = able.first()?.0;
    let tied: Vec<PersonId> = able
        .iter()
        .take_while(|(l, _)| *l == least)
        .map(|(_, id)| *id)
        .collect();
    Some(tied[turn % tied.len()])
}
