//! Who may do what to a case, and what happens when they do (docs/design.md §2).
//!
//! The rules, and where each is enforced:
//! 1. A case opens with a customer who can be reached, a known category, a subject and the
//!    category's required facts (given, or marked as missing); whoever takes it owns it.
//!    [`open`]
//! 2. A case always has exactly one owner: every event that moves it names the new owner
//!    (`Case::apply`).
//! 3. The owner solves it or passes it up, to the person they report to or anyone above;
//!    never sideways or down. `may_pass_up`, `Command::PassUp` in `decide_bodies`
//! 4. Anyone above the owner may take it. `may_take`
//! 5. Frontline may upgrade it to the category's manager at once. Unlike a pass-up it needs
//!    no reason: it is one click during a live call, and its point is learning. `may_upgrade`
//! 6. Unsolved `escalate_after` after opening, it goes to the category's executive (or the
//!    top of the hierarchy), once. `Command::Escalate`, `escalation_target`
//! 7. The owner is reminded after `tickle_after` without activity and once before the
//!    deadline. `Command::Tickle`
//! 8. Only the owner solves, with the answer, the road and what was learned; only the
//!    customer rates, once, a solved case; a customer's reply reopens a solved case to its
//!    solver. `may_solve`, `Command::Rate`, `Command::CustomerReply`
//! 9. The owner and anyone above may write to the customer; any active member of staff may
//!    add a note. `may_send_message`, `may_add_note`
//! 10. A case that arrives with nobody taking it in (mail, the web form) is owned by the
//!     named `inbound_owner`, else by frontline in turn, else by anyone but administrators,
//!     who own no cases. `Hierarchy::unattended_owner`
//! 11. The hierarchy stays a tree: nobody is put above themselves, so a case passed up
//!     always reaches the top; and one active administrator always remains.
//!     `Hierarchy::check_move`, `Hierarchy::check_deactivation` (the store checks them again
//!     inside its write)
//! 12. Whoever may write to the customer may supply a checklist fact later or correct one;
//!     the event keeps the value it replaced. `facts::supply`
//! 13. The owner or anyone above may mark an open case "not a customer case" (junk): it
//!     ends without a solve and loses its timers. Anyone above the owner, or an
//!     administrator, may undo the mark: open again, same owner, same deadline. A
//!     customer's reply reopens it as it reopens a solved case. `junk_mark`
//!
//! Every accepted command becomes events stamped with `ctx.now` and the actor ([`decide`]).

use crate::case::{Case, CaseStatus};
use crate::category::Category;
use crate::command::Command;
use crate::error::DomainError;
use crate::event::{Actor, Event, EventBody, Road, TickleReason};
use crate::hierarchy::Hierarchy;
use crate::intake::Intake;
use crate::person::PersonId;
use crate::phone::PhoneRegion;
use crate::timer::idle_tickle_due;
use chrono::{DateTime, Duration, Utc};

/// The configurable rules (docs/design.md §6: `escalate_after`, `tickle_after`).
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// An unsolved case goes to the executive this long after it was opened.
    pub escalate_after: Duration,
    /// The owner is reminded after this long without activity.
    pub tickle_after: Duration,
    /// The owner is reminded once when this fraction of the escalation time has passed.
    pub deadline_warning: f64,
    /// The time promised to the customer in the acknowledgment.
    pub promise_within: Duration,
    /// Whose national phone numbers are understood without a country code.
    pub phone_region: Option<PhoneRegion>,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            escalate_after: Duration::hours(20),
            tickle_after: Duration::hours(4),
            deadline_warning: 0.8,
            promise_within: Duration::hours(24),
            phone_region: None,
        }
    }
}

/// Everything outside the case that a decision depends on.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub hierarchy: &'a Hierarchy,
    pub category: &'a Category,
    pub rules: &'a Rules,
    pub now: DateTime<Utc>,
}

/// A subject is one line: line breaks and other control characters become spaces, so no
/// subject can start a line of its own in a message built from it.
pub fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_control())
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Opens a case from an intake; `by` is the person who took it in and becomes its owner.
pub fn open(intake: &Intake, by: PersonId, ctx: Context<'_>) -> Result<Event, DomainError> {
    active_person(ctx.hierarchy, by, "actor")?;
    let subject = one_line(&intake.subject);
    let subject = subject.as_str();
    if subject.is_empty() {
        return Err(DomainError::required("subject"));
    }
    if subject.chars().count() > 500 {
        return Err(DomainError::invalid(
            "subject",
            "must be at most 500 characters",
        ));
    }
    let customer = intake.customer_as_kept(ctx.rules.phone_region)?;
    for key in intake.facts.keys() {
        if ctx.category.item(key).is_none() {
            return Err(DomainError::UnknownFact { key: key.clone() });
        }
    }
    for key in &intake.missing_facts {
        if ctx.category.item(key).is_none() {
            return Err(DomainError::UnknownFact { key: key.clone() });
        }
        if intake.facts.contains_key(key) {
            return Err(DomainError::FactBothGivenAndMissing { key: key.clone() });
        }
    }
    for item in ctx.category.checklist.iter().filter(|i| i.required) {
        let given = intake
            .facts
            .get(&item.key)
            .is_some_and(|v| !v.trim().is_empty());
        if !given && !intake.missing_facts.contains(&item.key) {
            return Err(DomainError::MissingFact {
                key: item.key.clone(),
            });
        }
    }
    if intake.realtime.offered
        && intake
            .realtime
            .reason
            .as_deref()
            .is_none_or(|r| r.trim().is_empty())
    {
        return Err(DomainError::invalid(
            "realtime.reason",
            "a realtime option was offered, so the reason for offering it must be recorded",
        ));
    }
    if intake
        .call_back_within
        .is_some_and(|d| d <= Duration::zero())
    {
        return Err(DomainError::invalid(
            "call_back_within",
            "must be a positive length of time, like 2h",
        ));
    }
    Ok(Event {
        seq: 1,
        at: ctx.now,
        actor: Actor::Person { id: by },
        body: EventBody::Opened {
            customer,
            category: ctx.category.key.clone(),
            subject: subject.to_string(),
            body: intake.body.clone(),
            channel: intake.channel,
            facts: intake.facts.clone(),
            missing_facts: intake.missing_facts.clone(),
            realtime: intake.realtime.clone(),
            attachments: intake.attachments.clone(),
            owner: by,
            escalates_at: ctx.now + ctx.rules.escalate_after,
            promised_by: ctx.now + ctx.rules.promise_within,
            call_back_by: intake.call_back_within.map(|d| ctx.now + d),
        },
    })
}

pub(crate) fn active_person(h: &Hierarchy, id: PersonId, field: &str) -> Result<(), DomainError> {
    match h.get(id) {
        None => Err(DomainError::UnknownPerson {
            field: field.into(),
            id,
        }),
        Some(p) if !p.active => Err(DomainError::InactivePerson {
            field: field.into(),
            id,
        }),
        Some(_) => Ok(()),
    }
}

fn non_empty(value: &str, field: &str) -> Result<String, DomainError> {
    let v = value.trim();
    if v.is_empty() {
        Err(DomainError::required(field))
    } else {
        Ok(v.to_string())
    }
}

/// A message needs text, unless it carries files (a photo alone says enough).
fn text_or_files(
    body: &str,
    attachments: &[crate::attachment::AttachmentRef],
) -> Result<String, DomainError> {
    if attachments.is_empty() {
        non_empty(body, "body")
    } else {
        Ok(body.trim().to_string())
    }
}

/// Checks `command` by `actor` against the case and returns the events it causes.
pub fn decide(
    case: &Case,
    command: &Command,
    actor: Actor,
    ctx: Context<'_>,
) -> Result<Vec<Event>, DomainError> {
    let bodies = decide_bodies(case, command, actor, ctx)?;
    Ok(bodies
        .into_iter()
        .enumerate()
        .map(|(i, body)| Event {
            seq: case.version + 1 + i as u32,
            at: ctx.now,
            actor,
            body,
        })
        .collect())
}

fn require_open(case: &Case) -> Result<(), DomainError> {
    if case.is_open() {
        Ok(())
    } else {
        Err(crate::junk_mark::closed(case))
    }
}

pub(crate) fn require_person(actor: Actor) -> Result<PersonId, DomainError> {
    actor.person().ok_or(DomainError::WrongActor {
        who: "a member of staff",
    })
}

fn require_owner(case: &Case, actor: Actor) -> Result<PersonId, DomainError> {
    let id = require_person(actor)?;
    if id == case.owner {
        Ok(id)
    } else {
        Err(DomainError::NotOwner { owner: case.owner })
    }
}

// Who may give each command to a case as it is, apart from what the command says. The
// rules below call these before they look at the command's fields, and the pages ask
// them (through `available_actions`) which buttons to show.

/// The owner passing up (or the system, for an owner who is gone), and the nearest
/// active person above them.
pub(crate) fn may_pass_up(
    case: &Case,
    actor: Actor,
    ctx: Context<'_>,
) -> Result<(PersonId, PersonId), DomainError> {
    let h = ctx.hierarchy;
    require_open(case)?;
    // A deactivated owner cannot act: the system passes their cases up for them.
    let owner_gone = !h.get(case.owner).is_some_and(|p| p.active);
    let owner = match actor {
        Actor::System if owner_gone => case.owner,
        _ => require_owner(case, actor)?,
    };
    // A deactivated manager is skipped, not a dead end.
    let nearest = h
        .chain_above(owner)
        .into_iter()
        .find(|id| h.get(*id).is_some_and(|p| p.active))
        .ok_or(DomainError::TopOfHierarchy { owner })?;
    Ok((owner, nearest))
}

/// The person taking the case: active, and above its owner.
pub(crate) fn may_take(
    case: &Case,
    actor: Actor,
    ctx: Context<'_>,
) -> Result<PersonId, DomainError> {
    let h = ctx.hierarchy;
    require_open(case)?;
    let taker = require_person(actor)?;
    active_person(h, taker, "actor")?;
    if taker == case.owner {
        return Err(DomainError::AlreadyOwner { person: taker });
    }
    if !h.is_above(taker, case.owner) {
        return Err(DomainError::TakeNotFromAbove { owner: case.owner });
    }
    Ok(taker)
}

/// The owner upgrading, and the category's manager who will own the case.
pub(crate) fn may_upgrade(
    case: &Case,
    actor: Actor,
    ctx: Context<'_>,
) -> Result<(PersonId, PersonId), DomainError> {
    let h = ctx.hierarchy;
    require_open(case)?;
    let owner = require_owner(case, actor)?;
    let manager = ctx.category.manager;
    active_person(h, manager, "category.manager")?;
    if manager == owner {
        return Err(DomainError::AlreadyOwner { person: manager });
    }
    if h.is_above(owner, manager) {
        return Err(DomainError::UpgradeWouldPassDown { manager });
    }
    Ok((owner, manager))
}

pub(crate) fn may_solve(case: &Case, actor: Actor) -> Result<PersonId, DomainError> {
    require_open(case)?;
    require_owner(case, actor)
}

/// The owner, or anyone above them, writes to the customer.
pub(crate) fn may_send_message(
    case: &Case,
    actor: Actor,
    ctx: Context<'_>,
) -> Result<PersonId, DomainError> {
    let sender = require_person(actor)?;
    if sender != case.owner && !ctx.hierarchy.is_above(sender, case.owner) {
        return Err(DomainError::NotOwner { owner: case.owner });
    }
    Ok(sender)
}

/// Any active member of staff may note something on any case.
pub(crate) fn may_add_note(actor: Actor, ctx: Context<'_>) -> Result<PersonId, DomainError> {
    active_staff(actor, ctx)
}

/// The actor as an active member of staff.
pub(crate) fn active_staff(actor: Actor, ctx: Context<'_>) -> Result<PersonId, DomainError> {
    let id = require_person(actor)?;
    active_person(ctx.hierarchy, id, "actor")?;
    Ok(id)
}

fn decide_bodies(
    case: &Case,
    command: &Command,
    actor: Actor,
    ctx: Context<'_>,
) -> Result<Vec<EventBody>, DomainError> {
    let h = ctx.hierarchy;
    match command {
        Command::PassUp { to, reason } => {
            let (owner, nearest) = may_pass_up(case, actor, ctx)?;
            let reason = non_empty(reason, "reason")?;
            let target = match to {
                Some(to) => {
                    active_person(h, *to, "to")?;
                    if !h.chain_above(owner).contains(to) {
                        return Err(DomainError::PassNotUp { to: *to, owner });
                    }
                    *to
                }
                None => nearest,
            };
            Ok(vec![EventBody::PassedUp {
                from: owner,
                to: target,
                reason,
            }])
        }
        Command::Take => {
            let taker = may_take(case, actor, ctx)?;
            Ok(vec![EventBody::Taken {
                from: case.owner,
                to: taker,
            }])
        }
        Command::Upgrade { reason } => {
            let (owner, manager) = may_upgrade(case, actor, ctx)?;
            Ok(vec![EventBody::Upgraded {
                from: owner,
                to: manager,
                reason: reason.trim().to_string(),
            }])
        }
        Command::Solve {
            resolution,
            road,
            learned,
        } => {
            may_solve(case, actor)?;
            let resolution = non_empty(resolution, "resolution")?;
            let road = u8::try_from(*road)
                .map_err(|_| format!("road must be 1, 2, 3 or 4, got {road}"))
                .and_then(Road::try_from)
                .map_err(|m| DomainError::invalid("road", m))?;
            let learned = non_empty(learned, "learned")?;
            Ok(vec![EventBody::Solved {
                resolution,
                road,
                learned,
            }])
        }
        Command::Rate {
            score,
            delighted_by,
            would_recommend,
        } => {
            if actor != Actor::Customer {
                return Err(DomainError::WrongActor {
                    who: "the case's customer",
                });
            }
            if case.status != CaseStatus::Solved {
                return Err(DomainError::CaseNotSolved);
            }
            if case.rating.is_some() {
                return Err(DomainError::AlreadyRated);
            }
            let score = u8::try_from(*score)
                .ok()
                .filter(|s| (1..=5).contains(s))
                .ok_or_else(|| {
                    DomainError::invalid("score", format!("must be 1 to 5, got {score}"))
                })?;
            Ok(vec![EventBody::Rated {
                score,
                delighted_by: delighted_by.trim().to_string(),
                would_recommend: *would_recommend,
            }])
        }
        Command::MarkJunk { reason } => Ok(vec![crate::junk_mark::mark(case, reason, actor, ctx)?]),
        Command::UndoJunk => Ok(vec![crate::junk_mark::undo(case, actor, ctx)?]),
        Command::SupplyFact { key, value } => {
            Ok(vec![crate::facts::supply(case, key, value, actor, ctx)?])
        }
        Command::SendMessage { body, attachments } => {
            may_send_message(case, actor, ctx)?;
            let body = text_or_files(body, attachments)?;
            Ok(vec![EventBody::MessageSent {
                body,
                attachments: attachments.clone(),
            }])
        }
        Command::AddNote { body, attachments } => {
            may_add_note(actor, ctx)?;
            let body = text_or_files(body, attachments)?;
            Ok(vec![EventBody::NoteAdded {
                body,
                attachments: attachments.clone(),
            }])
        }
        Command::CustomerReply { body, attachments } => {
            if actor != Actor::Customer {
                return Err(DomainError::WrongActor {
                    who: "the case's customer",
                });
            }
            let body = text_or_files(body, attachments)?;
            let mut events = vec![EventBody::CustomerReplied {
                body,
                attachments: attachments.clone(),
            }];
            if !case.is_open() {
                // Back to the person who solved it (or marked it junk, wrongly: a customer
                // answered), with a fresh escalation clock.
                events.push(EventBody::Reopened {
                    owner: case.owner,
                    escalates_at: ctx.now + ctx.rules.escalate_after,
                });
            }
            Ok(events)
        }
        Command::RecordAutomatic {
            reason,
            subject,
            body,
        } => {
            if actor != Actor::Customer {
                return Err(DomainError::WrongActor {
                    who: "the case's customer channel",
                });
            }
            Ok(vec![EventBody::AutomaticReceived {
                reason: non_empty(reason, "reason")?,
                subject: one_line(subject),
                body: body.clone(),
            }])
        }
        Command::RecordDeliveryFailure {
            template,
            recipient,
            error,
        } => {
            if actor != Actor::System {
                return Err(DomainError::WrongActor {
                    who: "the mail sender",
                });
            }
            Ok(vec![EventBody::DeliveryFailed {
                template: non_empty(template, "template")?,
                recipient: recipient.clone(),
                error: non_empty(error, "error")?,
            }])
        }
        Command::Escalate => {
            if actor != Actor::System {
                return Err(DomainError::WrongActor {
                    who: "the scheduler",
                });
            }
            require_open(case)?;
            if case.escalated {
                return Err(DomainError::AlreadyEscalated);
            }
            if ctx.now < case.escalates_at {
                return Err(DomainError::NotDue {
                    what: "escalation",
                    due: case.escalates_at.to_rfc3339(),
                });
            }
            Ok(vec![EventBody::Escalated {
                from: case.owner,
                to: escalation_target(case, ctx),
            }])
        }
        Command::Tickle { reason } => {
            if actor != Actor::System {
                return Err(DomainError::WrongActor {
                    who: "the scheduler",
                });
            }
            require_open(case)?;
            let due = match reason {
                TickleReason::Idle => idle_tickle_due(case, ctx.rules),
                TickleReason::Deadline => {
                    if case.escalated {
                        return Err(DomainError::AlreadyEscalated);
                    }
                    if case.deadline_warned {
                        return Err(DomainError::AlreadyReminded);
                    }
                    // Once the deadline itself has come, the escalation speaks instead.
                    if ctx.now >= case.escalates_at {
                        return Err(DomainError::AlreadyReminded);
                    }
                    case.deadline_warning_at(ctx.rules.deadline_warning)
                }
            };
            if ctx.now < due {
                return Err(DomainError::NotDue {
                    what: "reminder",
                    due: due.to_rfc3339(),
                });
            }
            Ok(vec![EventBody::Tickled {
                owner: case.owner,
                reason: *reason,
            }])
        }
    }
}

/// The category's executive, or the highest active person above the owner when that
/// executive is gone. A case already owned at or above the target stays where it is: escalation
/// never moves a case down.
fn escalation_target(case: &Case, ctx: Context<'_>) -> PersonId {
    let h = ctx.hierarchy;
    let exec = ctx.category.executive;
    let active = |id: &PersonId| h.get(*id).is_some_and(|p| p.active);
    // Fallback: the highest active person above the owner (a deactivated top is skipped).
    let target = if active(&exec) {
        exec
    } else {
        h.chain_above(case.owner)
            .into_iter()
            .rev()
            .find(active)
            .unwrap_or(case.owner)
    };
    if target == case.owner || h.is_above(case.owner, target) {
        case.owner
    } else {
        target
    }
}
