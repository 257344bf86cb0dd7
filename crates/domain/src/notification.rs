//! Who must hear about an event. The outbox stores these in the same transaction as the
//! event; rendering and delivery belong to the mail layer.

use crate::case::Case;
use crate::event::{Event, EventBody};
use crate::person::PersonId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Recipient {
    Customer,
    Person { id: PersonId },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub recipient: Recipient,
    /// Names the template the mail layer renders, e.g. `acknowledgment`.
    pub template: String,
    /// The event that caused it.
    pub event_seq: u32,
}

/// `case` is the state after `event` was applied.
pub fn notifications_for(event: &Event, case: &Case) -> Vec<Notification> {
    let to = |recipient: Recipient, template: &str| Notification {
        recipient,
        template: template.to_string(),
        event_seq: event.seq,
    };
    let person = |id| Recipient::Person { id };
    match &event.body {
        EventBody::Opened { .. } => vec![to(Recipient::Customer, "acknowledgment")],
        EventBody::PassedUp { to: t, .. } => vec![to(person(*t), "passed_up_to_you")],
        EventBody::Taken { from, .. } => vec![to(person(*from), "taken_from_you")],
        EventBody::Upgraded { to: t, .. } => vec![to(person(*t), "upgraded_to_you")],
        EventBody::Escalated { from, to: t } if from != t => vec![
            to(person(*t), "escalated_to_you"),
            to(Recipient::Customer, "escalated_status"),
        ],
        EventBody::Escalated { .. } => vec![],
        EventBody::Tickled { owner, reason } => vec![to(
            person(*owner),
            match reason {
                crate::event::TickleReason::Idle => "tickle_idle",
                crate::event::TickleReason::Deadline => "tickle_deadline",
            },
        )],
        EventBody::MessageSent { .. } => vec![to(Recipient::Customer, "staff_message")],
        // Internal: nobody is mailed about a note.
        EventBody::NoteAdded { .. } | EventBody::FactSupplied { .. } => vec![],
        // A reply to a solved case is followed by `reopened`, which names the owner.
        EventBody::CustomerReplied { .. } if !case.is_open() => vec![],
        EventBody::CustomerReplied { .. } => vec![to(person(case.owner), "customer_replied")],
        EventBody::Reopened { owner, .. } => vec![to(person(*owner), "reopened_to_you")],
        EventBody::Solved { .. } => vec![to(Recipient::Customer, "solved")],
        // Junk is never answered; the owner hears when a mark is undone and the case is back.
        EventBody::MarkedJunk { .. } => vec![],
        EventBody::JunkUndone { owner } => vec![to(person(*owner), "junk_mark_undone")],
        EventBody::Rated { .. } => vec![to(person(case.owner), "rated")],
        // Never answered: answering an auto-reply is how mail loops start.
        EventBody::AutomaticReceived { .. } => vec![],
        // Shown on the case; mailing about a mail failure could fail the same way.
        EventBody::DeliveryFailed { .. } => vec![],
    }
}
