//! After calls are stored: no missed call without an owner. A call that no leg answered,
//! from a caller with a real number, opens a case (channel phone) owned as new mail is, with
//! a reminder to call back; another missed call from the same caller while a case of
//! theirs opened within `call_linked_within` is open joins it instead of opening a second.
//! A caller who got through after the missed call gets no case for it. (The other calls a
//! case shows are found when it is read: the customer's calls around its opening.)
//!
//! Only calls that ended within `OPENS_CASES_FOR` before their intake open cases: an import of
//! last quarter's records is history for the report, not a queue of stale call-backs.
//! Opening is idempotent (an idempotency key per call), so a second import, or a retry after
//! a crash between opening and linking, opens nothing twice.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Duration, Utc};
use roadone_domain::{CaseStatus, Channel, Customer, Intake, Realtime};
use roadone_store::{CaseFilter, CaseSort, IdempotencyKey, NewCall, StoredCall};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Missed calls older than this when they are stored open no case.
pub const OPENS_CASES_FOR: Duration = Duration::hours(24);

/// A telephone system's clock may run a little ahead of ours; a call that ends later than
/// this from now is not a call of today (a test record, a wrong time zone).
const CLOCK_AHEAD: Duration = Duration::hours(1);

/// The actor of the idempotency keys of missed calls' cases: no person has id 0.
const CALLS_ACTOR: i64 = 0;

/// What following up a batch of calls did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FollowedUp {
    /// Cases opened for missed calls.
    pub cases_opened: u32,
    /// Calls shown on an existing case.
    pub calls_linked: u32,
    /// Why following up stopped, if it did (the calls are stored all the same; sending
    /// the batch again finishes the follow-up).
    pub problem: Option<String>,
}

/// The calls of a batch that following up must look at: every leg of a call one of whose
/// legs went unanswered recently. The rest (answered calls, history) cost nothing more.
pub fn worth_following(batch: &[NewCall], now: DateTime<Utc>) -> Vec<NewCall> {
    let key = |c: &NewCall| c.linked_id.clone().unwrap_or_else(|| c.call_id.clone());
    let missed: std::collections::HashSet<String> = batch
        .iter()
        .filter(|c| c.answered_at.is_none() && c.ended_at >= now - OPENS_CASES_FOR)
        .map(key)
        .collect();
    if missed.is_empty() {
        return Vec::new();
    }
    batch
        .iter()
        .filter(|c| missed.contains(&key(c)))
        .cloned()
        .collect()
}

impl AppState {
    /// Follows up a batch of calls just stored (see the module's comment). Only missed
    /// recent calls cost a read, so importing a year of records stays fast.
    pub async fn follow_up_calls(&self, batch: &[NewCall]) -> AppResult<FollowedUp> {
        let now = self.clock.now();
        // One call's legs (a queue rings several phones) share their linked id.
        let mut legs: BTreeMap<&str, Vec<&NewCall>> = BTreeMap::new();
        for c in batch {
            let key = c.linked_id.as_deref().unwrap_or(&c.call_id);
            legs.entry(key).or_default().push(c);
        }
        legs.retain(|_, legs| {
            let ended = legs.iter().map(|l| l.ended_at).max().unwrap_or(now);
            legs.iter()
                .all(|l| l.answered_at.is_none() && l.caller_is_e164)
                && ended >= now - OPENS_CASES_FOR
                && ended <= now + CLOCK_AHEAD
        });
        let mut done = FollowedUp::default();
        for (key, legs) in legs {
            let ids: Vec<String> = legs.iter().map(|l| l.call_id.clone()).collect();
            let mut stored = self.store.calls_by_id(ids.clone()).await?;
            stored.sort_by_key(|c| c.call.arrived_at);
            let Some(first) = stored.first() else {
                continue;
            };
            let Some(customer) = first.customer_id else {
                continue; // not a number anyone can call back
            };
            if stored.iter().any(|l| l.case_id.is_some()) {
                continue; // followed up before
            }
            let arrived = first.call.arrived_at;
            // Another missed call while the caller's case is open joins that case; after a
            // solve, a caller nobody answered needs a call-back of their own.
            if let Some(case_id) = self.open_case_of(customer, arrived).await? {
                self.store.link_calls(ids.clone(), case_id).await?;
                done.calls_linked += ids.len() as u32;
                continue;
            }
            if self.got_through_later(customer, arrived).await? {
                continue;
            }
            let case_id = self.open_for_missed_call(key, &stored).await?;
            self.store.link_calls(ids, case_id).await?;
            done.cases_opened += 1;
        }
        Ok(done)
    }

    /// Follows up again every missed call of the last `OPENS_CASES_FOR` that no case owns:
    /// a follow-up that failed (no category, nobody to own it, the store busy) is finished
    /// without anyone sending the batch again. The scheduler runs it now and then; opening
    /// is idempotent, and callers who got through are left alone as before.
    pub async fn follow_up_missed_calls_again(&self) -> AppResult<FollowedUp> {
        let since = self.clock.now() - OPENS_CASES_FOR;
        let legs = self.store.missed_calls_without_case(since).await?;
        if legs.is_empty() {
            return Ok(FollowedUp::default());
        }
        Ok(self.follow_up_or_say(&legs).await)
    }

    /// Follows up, and turns a failure into the problem said: the calls are stored
    /// whatever happens, and the next sweep tries again.
    pub async fn follow_up_or_say(&self, batch: &[NewCall]) -> FollowedUp {
        match self.follow_up_calls(batch).await {
            Ok(f) => f,
            Err(e) => {
                tracing::error!("following up missed calls: {e}");
                FollowedUp {
                    problem: Some(e.to_string()),
                    ..FollowedUp::default()
                }
            }
        }
    }

    /// The customer's latest open case opened within `call_linked_within` before the call.
    async fn open_case_of(&self, customer: i64, arrived: DateTime<Utc>) -> AppResult<Option<i64>> {
        let within = self.directory.snapshot().settings.calls.linked_within;
        let cases = self
            .store
            .list_cases(CaseFilter {
                customer_id: Some(customer),
                status: Some(CaseStatus::Open),
                opened_from: Some(arrived - within),
                opened_before: Some(arrived + Duration::seconds(1)),
                sort: CaseSort::Newest,
                limit: 1,
                ..CaseFilter::default()
            })
            .await?;
        Ok(cases.first().map(|c| c.id))
    }

    /// Whether the caller had an answered call after this one (they got through).
    async fn got_through_later(&self, customer: i64, arrived: DateTime<Utc>) -> AppResult<bool> {
        let theirs = self.store.customer_calls(customer).await?;
        Ok(theirs
            .iter()
            .any(|c| c.call.arrived_at > arrived && c.call.answered_at.is_some()))
    }

    async fn open_for_missed_call(&self, key: &str, legs: &[StoredCall]) -> AppResult<i64> {
        let snapshot = self.directory.snapshot();
        let rules = &snapshot.settings.calls;
        let first = &legs[0].call;
        let chosen = rules
            .category
            .as_ref()
            .or(snapshot.settings.inbound_category.as_ref())
            .and_then(|k| snapshot.categories.get(k))
            .or_else(|| {
                snapshot
                    .categories
                    .values()
                    .min_by(|a, b| a.key.cmp(&b.key))
            });
        let category = chosen.cloned().ok_or_else(|| AppError::Invalid {
            code: "no_category",
            message: "there is no category to open a missed call's case in: add one, or set \
                      missed_call_category"
                .into(),
            field: None,
        })?;
        // Nobody asked the caller anything: the checklist's required facts are missing.
        let missing_facts = category
            .checklist
            .iter()
            .filter(|i| i.required)
            .map(|i| i.key.clone())
            .collect();
        let zone = snapshot.settings.time_zone;
        let rang = legs
            .iter()
            .map(|l| (l.call.ended_at - l.call.arrived_at).num_seconds())
            .max()
            .unwrap_or(0);
        let how = match first.disposition.as_str() {
            "busy" => "the line was busy",
            "failed" | "congestion" => "the call failed in the telephone system",
            "abandoned" => "they hung up before anyone answered",
            _ => "nobody answered",
        };
        let intake = Intake {
            customer: Customer {
                phone: Some(first.caller.clone()),
                name: first.caller_name.clone(),
                ..Customer::default()
            },
            category: category.key,
            subject: format!("Missed call from {}", first.caller),
            body: format!(
                "{} called {} at {}: {how} ({rang} s). Call them back.",
                first.caller_name.as_deref().unwrap_or(&first.caller),
                first.callee,
                zone.when(first.arrived_at),
            ),
            channel: Channel::Phone,
            facts: BTreeMap::new(),
            missing_facts,
            realtime: Realtime::default(),
            attachments: Vec::new(),
            call_back_within: Some(rules.call_back_within),
        };
        let idempotency = IdempotencyKey {
            actor: CALLS_ACTOR,
            key: format!("missed-call:{key}"),
            request_hash: Sha256::digest(key.as_bytes()).to_vec(),
        };
        let outcome = self.open_unattended_case(intake, Some(idempotency)).await?;
        Ok(outcome.head().id)
    }
}
