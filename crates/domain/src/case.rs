//! A case's current state, derived only by folding its events in order.

use crate::error::DomainError;
use crate::event::{Channel, Customer, Event, EventBody, Road, TickleReason};
use crate::person::PersonId;
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Open,
    Solved,
    /// "Not a customer case": ended without a solve.
    Junk,
}

impl CaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::Solved => "solved",
            CaseStatus::Junk => "junk",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Solution {
    pub resolution: String,
    pub road: Road,
    pub learned: String,
    pub solved_by: PersonId,
    pub solved_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JunkMark {
    pub by: Option<PersonId>,
    pub at: DateTime<Utc>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rating {
    pub score: u8,
    pub delighted_by: String,
    pub would_recommend: bool,
    pub rated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    /// Number of events folded so far; the next event has `seq = version + 1`.
    pub version: u32,
    pub status: CaseStatus,
    /// Exactly one owner, from opening on. After solving it is the solver, who gets
    /// the case back if the customer replies.
    pub owner: PersonId,
    pub category: String,
    pub subject: String,
    pub customer: Customer,
    pub channel: Channel,
    pub opened_at: DateTime<Utc>,
    /// When the current escalation clock started: the opening, or the latest reopening.
    pub clock_started_at: DateTime<Utc>,
    pub escalates_at: DateTime<Utc>,
    pub promised_by: DateTime<Utc>,
    /// A missed call's case: when the owner is reminded to call back.
    pub call_back_by: Option<DateTime<Utc>>,
    /// The escalation happens once per case, ever.
    pub escalated: bool,
    pub deadline_warned: bool,
    pub last_activity_at: DateTime<Utc>,
    pub last_tickle_at: Option<DateTime<Utc>>,
    pub solution: Option<Solution>,
    pub rating: Option<Rating>,
    pub pass_ups: u32,
    pub takes: u32,
    pub upgrades: u32,
    pub reopenings: u32,
    /// The junk mark in force, when the case is marked: who and when.
    pub junk_mark: Option<JunkMark>,
    /// We wrote to the customer and they have not answered since: the case waits on them.
    pub awaiting_customer: bool,
    /// The checklist facts as they stand: given at intake, supplied or corrected later.
    pub facts: std::collections::BTreeMap<String, String>,
    /// Checklist facts the customer did not have, and nobody has supplied since.
    pub missing_facts: Vec<String>,
}

impl Case {
    /// Rebuilds a case from its full event log.
    pub fn from_events(events: &[Event]) -> Result<Case, DomainError> {
        let (first, rest) = events.split_first().ok_or_else(|| DomainError::Corrupt {
            message: "a case has no events".into(),
        })?;
        let mut case = Case::opened(first)?;
        for event in rest {
            case.apply(event)?;
        }
        Ok(case)
    }

    /// The state right after the first event, which must be `opened` with seq 1.
    pub fn opened(event: &Event) -> Result<Case, DomainError> {
        let EventBody::Opened {
            customer,
            category,
            subject,
            channel,
            owner,
            escalates_at,
            promised_by,
            facts,
            missing_facts,
            call_back_by,
            ..
        } = &event.body
        else {
            return Err(DomainError::Corrupt {
                message: format!("first event is {}", event.body.kind()),
            });
        };
        if event.seq != 1 {
            return Err(DomainError::Corrupt {
                message: format!("first event has seq {}", event.seq),
            });
        }
        Ok(Case {
            version: 1,
            status: CaseStatus::Open,
            owner: *owner,
            category: category.clone(),
            subject: subject.clone(),
            customer: customer.clone(),
            channel: *channel,
            opened_at: event.at,
            clock_started_at: event.at,
            escalates_at: *escalates_at,
            promised_by: *promised_by,
            call_back_by: *call_back_by,
            escalated: false,
            deadline_warned: false,
            last_activity_at: event.at,
            last_tickle_at: None,
            solution: None,
            rating: None,
            pass_ups: 0,
            takes: 0,
            upgrades: 0,
            reopenings: 0,
            junk_mark: None,
            awaiting_customer: false,
            facts: facts.clone(),
            missing_facts: missing_facts.clone(),
        })
    }

    /// Folds one more event in. Events were checked by the rules when decided, so
    /// this only refuses what would mean a corrupted log (wrong sequence, second opening).
    pub fn apply(&mut self, event: &Event) -> Result<(), DomainError> {
        if event.seq != self.version + 1 {
            return Err(DomainError::Corrupt {
                message: format!("event seq {} follows version {}", event.seq, self.version),
            });
        }
        self.version = event.seq;
        // Reminders and automatic mail are not activity: they must not hold off a reminder.
        // Nor is someone else's note: only the owner's own work does.
        let others_note = matches!(event.body, EventBody::NoteAdded { .. })
            && event.actor.person() != Some(self.owner);
        if !others_note
            && !matches!(
                event.body,
                EventBody::Tickled { .. }
                    | EventBody::AutomaticReceived { .. }
                    | EventBody::DeliveryFailed { .. }
            )
        {
            self.last_activity_at = event.at;
        }
        match &event.body {
            EventBody::Opened { .. } => {
                return Err(DomainError::Corrupt {
                    message: "a case is opened twice".into(),
                })
            }
            EventBody::PassedUp { to, .. } => {
                self.owner = *to;
                self.pass_ups += 1;
            }
            EventBody::Taken { to, .. } => {
                self.owner = *to;
                self.takes += 1;
            }
            EventBody::Upgraded { to, .. } => {
                self.owner = *to;
                self.upgrades += 1;
            }
            EventBody::Escalated { to, .. } => {
                self.owner = *to;
                self.escalated = true;
            }
            EventBody::Tickled { reason, .. } => {
                self.last_tickle_at = Some(event.at);
                if *reason == TickleReason::Deadline {
                    self.deadline_warned = true;
                }
            }
            EventBody::FactSupplied { key, value, .. } => {
                self.facts.insert(key.clone(), value.clone());
                self.missing_facts.retain(|k| k != key);
            }
            EventBody::MessageSent { .. } => self.awaiting_customer = true,
            EventBody::CustomerReplied { .. } => self.awaiting_customer = false,
            EventBody::NoteAdded { .. }
            | EventBody::AutomaticReceived { .. }
            | EventBody::DeliveryFailed { .. } => {}
            EventBody::Reopened {
                owner,
                escalates_at,
            } => {
                self.status = CaseStatus::Open;
                self.owner = *owner;
                self.clock_started_at = event.at;
                self.escalates_at = *escalates_at;
                self.deadline_warned = false;
                self.solution = None;
                self.rating = None;
                self.reopenings += 1;
                self.awaiting_customer = false;
                self.junk_mark = None;
            }
            EventBody::MarkedJunk { reason, .. } => {
                self.status = CaseStatus::Junk;
                self.awaiting_customer = false;
                self.junk_mark = Some(JunkMark {
                    by: event.actor.person(),
                    at: event.at,
                    reason: reason.clone(),
                });
            }
            // Open again on the clock it had: the mark bought no time.
            EventBody::JunkUndone { owner } => {
                self.status = CaseStatus::Open;
                self.owner = *owner;
                self.junk_mark = None;
            }
            EventBody::Solved {
                resolution,
                road,
                learned,
            } => {
                self.status = CaseStatus::Solved;
                self.awaiting_customer = false;
                self.solution = Some(Solution {
                    resolution: resolution.clone(),
                    road: *road,
                    learned: learned.clone(),
                    solved_by: self.owner,
                    solved_at: event.at,
                });
            }
            EventBody::Rated {
                score,
                delighted_by,
                would_recommend,
            } => {
                self.rating = Some(Rating {
                    score: *score,
                    delighted_by: delighted_by.clone(),
                    would_recommend: *would_recommend,
                    rated_at: event.at,
                });
            }
        }
        Ok(())
    }

    pub fn is_open(&self) -> bool {
        self.status == CaseStatus::Open
    }

    /// When the owner gets the "deadline is near" reminder.
    pub fn deadline_warning_at(&self, fraction: f64) -> DateTime<Utc> {
        let span = (self.escalates_at - self.clock_started_at).num_milliseconds() as f64;
        self.clock_started_at + chrono::Duration::milliseconds((span * fraction) as i64)
    }
}
