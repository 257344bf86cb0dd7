//! One change to a case, whole: the events the rules decide, the state they fold into, the
//! timers that state needs and the notifications the events send. Everything that writes a
//! case (the server, the demo, the benchmarks, the store's own checks) builds it here, so
//! they all write the same thing for the same command.

use crate::case::Case;
use crate::command::Command;
use crate::error::DomainError;
use crate::event::{Actor, Event};
use crate::intake::Intake;
use crate::notification::{notifications_for, Notification};
use crate::person::PersonId;
use crate::rules::{decide, open, Context, Rules};
use crate::timer::{timers_for, Timer};

#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// What happened, in order (for an opening, the `opened` event alone).
    pub events: Vec<Event>,
    /// The case after the events.
    pub after: Case,
    /// Every timer the case has after the events (it replaces the case's old set).
    pub timers: Vec<Timer>,
    /// What the events tell whom, each decided on the state just after its event.
    pub notifications: Vec<Notification>,
}

/// A new case from `intake`, taken by `by` at `ctx.now`.
pub fn opening(intake: &Intake, by: PersonId, ctx: Context<'_>) -> Result<Transition, DomainError> {
    let opened = open(intake, by, ctx)?;
    let after = Case::opened(&opened)?;
    Ok(Transition {
        timers: timers_for(&after, ctx.rules),
        notifications: notifications_for(&opened, &after),
        events: vec![opened],
        after,
    })
}

/// `command` by `actor` on `case` at `ctx.now`, or the rule that refuses it.
pub fn transition(
    case: &Case,
    command: &Command,
    actor: Actor,
    ctx: Context<'_>,
) -> Result<Transition, DomainError> {
    let events = decide(case, command, actor, ctx)?;
    let mut after = case.clone();
    let mut notifications = Vec::new();
    for event in &events {
        after.apply(event)?;
        notifications.extend(notifications_for(event, &after));
    }
    Ok(Transition {
        timers: timers_for(&after, ctx.rules),
        events,
        after,
        notifications,
    })
}

/// The case as it is, with its timers derived again (for a timer that turned out not to
/// be due, so that it is not claimed again and again).
pub fn resync(case: &Case, rules: &Rules) -> Transition {
    Transition {
        events: Vec::new(),
        after: case.clone(),
        timers: timers_for(case, rules),
        notifications: Vec::new(),
    }
}
