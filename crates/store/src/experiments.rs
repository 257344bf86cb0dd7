//! What the store keeps of experiments: each one's versions of settings and the events of
//! its life, and each customer's arm, decided once and kept (merged customers keep the
//! earliest).

use crate::error::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use roadone_domain::{Arm, Customer, Experiment, ExperimentSettings, Lifecycle, PersonId};

/// An experiment with its whole history.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentRecord {
    /// As it stands: state, version in force and its settings.
    pub experiment: Experiment,
    pub created_at: DateTime<Utc>,
    pub created_by: PersonId,
    /// Every version of its settings, the first first.
    pub versions: Vec<ExperimentVersion>,
    /// What happened to it, in order: `created`, `changed`, `started`, `paused`,
    /// `resumed`, `ended`.
    pub events: Vec<ExperimentEvent>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentVersion {
    pub version: u32,
    pub settings: ExperimentSettings,
    pub saved_at: DateTime<Utc>,
    pub saved_by: PersonId,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExperimentEvent {
    pub kind: String,
    /// The version in force after it.
    pub version: u32,
    pub at: DateTime<Utc>,
    pub by: PersonId,
}

impl ExperimentRecord {
    /// The times it was running, each from a start or resume to the next pause or end
    /// (`None`: still running).
    pub fn running_periods(&self) -> Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> {
        let mut periods: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> = Vec::new();
        for e in &self.events {
            match e.kind.as_str() {
                "started" | "resumed" => periods.push((e.at, None)),
                "paused" | "ended" => {
                    if let Some(last) = periods.last_mut().filter(|p| p.1.is_none()) {
                        last.1 = Some(e.at);
                    }
                }
                _ => {}
            }
        }
        periods
    }
}

/// A customer to place in an experiment as their case opens.
#[derive(Debug, Clone, PartialEq)]
pub struct AssignmentRequest {
    pub key: String,
    /// The version in force, kept with the arm.
    pub version: u32,
    pub fraction: f64,
    /// Found or created as `open_case` finds or creates them.
    pub customer: Customer,
    /// Staff took the customer's call (see `upsert_customer`'s rule for callers).
    pub on_the_phone: bool,
    pub at: DateTime<Utc>,
}

/// A customer's arm, as first decided.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub key: String,
    pub customer_id: i64,
    pub arm: Arm,
    /// Where the hash put them in [0, 1).
    pub bucket: f64,
    /// The experiment's version when they were assigned.
    pub version: u32,
    pub assigned_at: DateTime<Utc>,
    /// Whether this call decided it (false: it was stored already).
    pub new: bool,
}

/// One assigned customer as the report reads them: their arm and their sales and contacts
/// before and after, in the experiment's currency.
#[derive(Debug, Clone, PartialEq)]
pub struct AssignedCustomer {
    pub customer_id: i64,
    pub arm: Arm,
    pub version: u32,
    pub assigned_at: DateTime<Utc>,
    /// Sales in the look-back before assignment, in hundredths.
    pub sales_before_cents: i64,
    /// Cases opened in the look-back before assignment.
    pub contacts_before: u32,
    /// Sales in the follow-up window from assignment on, in hundredths.
    pub sales_after_cents: i64,
}

/// A case of an assigned customer, opened at or after their assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExperimentCase {
    pub case_id: i64,
    pub customer_id: i64,
    pub opened_at: DateTime<Utc>,
    /// The owner it opened with.
    pub first_owner: PersonId,
    pub solved_at: Option<DateTime<Utc>>,
    /// Whether it was ever passed up or escalated.
    pub passed_up: bool,
    pub escalated: bool,
    /// The latest rating: score, would recommend, what delighted.
    pub rating: Option<(u8, bool, String)>,
}

/// What the experiment report reads.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExperimentData {
    pub customers: Vec<AssignedCustomer>,
    pub cases: Vec<ExperimentCase>,
}

#[async_trait]
pub trait ExperimentStore: Send + Sync {
    /// Every experiment with its history, by key.
    async fn experiments(&self) -> StoreResult<Vec<ExperimentRecord>>;
    /// Creates a draft; a key already taken is refused at `key`.
    async fn create_experiment(
        &self,
        key: String,
        settings: ExperimentSettings,
        by: PersonId,
        at: DateTime<Utc>,
    ) -> StoreResult<ExperimentRecord>;
    /// Changes its settings: a draft's in place, a started one's as a new version. An
    /// ended one is refused. `expected_version` guards against a change made meanwhile.
    async fn change_experiment(
        &self,
        key: String,
        expected_version: u32,
        settings: ExperimentSettings,
        by: PersonId,
        at: DateTime<Utc>,
    ) -> StoreResult<ExperimentRecord>;
    /// Takes a step in its life, if its state is still the one the step was decided on.
    async fn experiment_step(
        &self,
        key: String,
        step: Lifecycle,
        by: PersonId,
        at: DateTime<Utc>,
    ) -> StoreResult<ExperimentRecord>;
    /// The customer's arm: the stored one, or decided now by the hash and stored, in one
    /// transaction with finding or creating the customer.
    async fn assign_customer(&self, request: AssignmentRequest) -> StoreResult<Assignment>;
    /// Finds or creates these customers in order, in one transaction, as `open_case`
    /// finds or creates a case's customer; their ids (the ones kept, after merges). For
    /// placing customers ahead of their cases (the demo, imports).
    async fn find_or_add_customers(
        &self,
        customers: Vec<Customer>,
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<i64>>;
    /// The customer's stored arm in the experiment (following merges), if any.
    async fn assignment(&self, key: String, customer_id: i64) -> StoreResult<Option<Assignment>>;
    /// The customer with this telephone number (by its key, following merges), if any.
    async fn customer_by_phone(&self, phone: String) -> StoreResult<Option<i64>>;
    /// How many customers opened a case in `[from, to)` on these channels and in these
    /// categories (empty: any), for planning from recent traffic.
    async fn customers_opening_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        channels: Vec<String>,
        categories: Vec<String>,
    ) -> StoreResult<u64>;
    /// Open cases per owner, for the least-loaded choice.
    async fn open_cases_of(&self, people: Vec<PersonId>) -> StoreResult<Vec<(PersonId, u64)>>;
    /// The assigned customers (not merged away) and their cases since assignment, with
    /// sales in `currency` and contacts over `look_back_days` before, and sales over
    /// `follow_days` from it.
    async fn experiment_data(
        &self,
        key: String,
        currency: String,
        look_back_days: u32,
        follow_days: u32,
    ) -> StoreResult<ExperimentData>;
}
