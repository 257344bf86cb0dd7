//! What people (and the scheduler) ask to do to an open case.

use crate::attachment::AttachmentRef;
use crate::event::TickleReason;
use crate::person::PersonId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Hand the case up: to `to`, or by default to the owner's manager.
    PassUp {
        to: Option<PersonId>,
        reason: String,
    },
    /// Pull the case up from below.
    Take,
    /// Hand the case to the category's manager, so they learn from the customer.
    Upgrade { reason: String },
    /// Road is checked here rather than typed so the refusal can name the field.
    Solve {
        resolution: String,
        road: i64,
        learned: String,
    },
    Rate {
        score: i64,
        delighted_by: String,
        would_recommend: bool,
    },
    /// A staff reply to the customer.
    SendMessage {
        body: String,
        attachments: Vec<AttachmentRef>,
    },
    /// An internal note: for the people on the case, never shown or sent to the customer.
    AddNote {
        body: String,
        attachments: Vec<AttachmentRef>,
    },
    /// A message from the customer; reopens a solved case.
    CustomerReply {
        body: String,
        attachments: Vec<AttachmentRef>,
    },
    /// An automatic message (out-of-office, bounce, list mail) that arrived on the case:
    /// kept on the record, but it neither reopens the case nor gets an answer.
    RecordAutomatic {
        reason: String,
        subject: String,
        body: String,
    },
    /// A notification could never be delivered (the relay refused it for good, or there is
    /// no address): staff must know the customer did not hear from us.
    RecordDeliveryFailure {
        template: String,
        recipient: String,
        error: String,
    },
    /// "Not a customer case": spam or a pitch that ends without a solve.
    MarkJunk { reason: String },
    /// A manager's correction of a junk mark: the case is open again with its owner.
    UndoJunk,
    /// A checklist fact given after intake (the customer found it) or corrected.
    SupplyFact { key: String, value: String },
    /// The scheduler's escalation at the deadline.
    Escalate,
    /// The scheduler's reminder to the owner.
    Tickle { reason: TickleReason },
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::PassUp { .. } => "pass_up",
            Command::Take => "take",
            Command::Upgrade { .. } => "upgrade",
            Command::Solve { .. } => "solve",
            Command::Rate { .. } => "rate",
            Command::SendMessage { .. } => "send_message",
            Command::AddNote { .. } => "add_note",
            Command::CustomerReply { .. } => "customer_reply",
            Command::RecordAutomatic { .. } => "record_automatic",
            Command::RecordDeliveryFailure { .. } => "record_delivery_failure",
            Command::MarkJunk { .. } => "mark_junk",
            Command::UndoJunk => "undo_junk",
            Command::SupplyFact { .. } => "supply_fact",
            Command::Escalate => "escalate",
            Command::Tickle { .. } => "tickle",
        }
    }
}
