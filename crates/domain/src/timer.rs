//! Timers are derived from a case's state, so the store can replace a case's timers
//! in the same transaction as the events that changed them, and a sweep only ever
//! looks at timers that are due.

use crate::case::Case;
use crate::command::Command;
use crate::event::TickleReason;
use crate::rules::Rules;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TimerKind {
    Escalate,
    TickleIdle,
    TickleDeadline,
}

impl TimerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TimerKind::Escalate => "escalate",
            TimerKind::TickleIdle => "tickle_idle",
            TimerKind::TickleDeadline => "tickle_deadline",
        }
    }

    pub fn parse(s: &str) -> Option<TimerKind> {
        Some(match s {
            "escalate" => TimerKind::Escalate,
            "tickle_idle" => TimerKind::TickleIdle,
            "tickle_deadline" => TimerKind::TickleDeadline,
            _ => return None,
        })
    }

    /// The command the scheduler issues when this timer is due.
    pub fn command(self) -> Command {
        match self {
            TimerKind::Escalate => Command::Escalate,
            TimerKind::TickleIdle => Command::Tickle {
                reason: TickleReason::Idle,
            },
            TimerKind::TickleDeadline => Command::Tickle {
                reason: TickleReason::Deadline,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timer {
    pub kind: TimerKind,
    pub due_at: DateTime<Utc>,
}

/// The complete set of timers a case should have right now. A solved case has none.
pub fn timers_for(case: &Case, rules: &Rules) -> Vec<Timer> {
    if !case.is_open() {
        return Vec::new();
    }
    let mut timers = vec![Timer {
        kind: TimerKind::TickleIdle,
        due_at: idle_tickle_due(case, rules),
    }];
    if !case.escalated {
        timers.push(Timer {
            kind: TimerKind::Escalate,
            due_at: case.escalates_at,
        });
        if !case.deadline_warned
            && case.deadline_warning_at(rules.deadline_warning) < case.escalates_at
        {
            timers.push(Timer {
                kind: TimerKind::TickleDeadline,
                due_at: case.deadline_warning_at(rules.deadline_warning),
            });
        }
    }
    timers
}

/// Idle reminders repeat every `tickle_after` while nothing happens. A missed call's case
/// has its first reminder at its call-back time instead, if nothing was done before it.
pub fn idle_tickle_due(case: &Case, rules: &Rules) -> DateTime<Utc> {
    let since = match case.last_tickle_at {
        Some(t) if t > case.last_activity_at => t,
        _ => case.last_activity_at,
    };
    let usual = since + rules.tickle_after;
    match case.call_back_by {
        Some(by) if case.last_tickle_at.is_none() && case.last_activity_at <= case.opened_at => {
            usual.min(by)
        }
        _ => usual,
    }
}
