//! Events: the immutable record of everything that happened to a case.

use crate::attachment::AttachmentRef;
use crate::person::PersonId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Who did it. The scheduler acts as `system`; a customer acts through their case link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Actor {
    Person { id: PersonId },
    Customer,
    System,
}

impl Actor {
    pub fn person(&self) -> Option<PersonId> {
        match self {
            Actor::Person { id } => Some(*id),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Web,
    Portal,
    Api,
    Phone,
}

impl Channel {
    pub fn parse(s: &str) -> Option<Channel> {
        Some(match s {
            "email" => Channel::Email,
            "web" => Channel::Web,
            "portal" => Channel::Portal,
            "api" => Channel::Api,
            "phone" => Channel::Phone,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Customer {
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub external_id: Option<String>,
}

/// Whether intake offered a realtime option (call transfer, callback now) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Realtime {
    pub offered: bool,
    pub reason: Option<String>,
}

/// The road a case took to its solution (docs/design.md §2.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum Road {
    LearnFromYou = 1,
    EmpathyAndCare = 2,
    Teach = 3,
    GoAway = 4,
}

impl Road {
    pub const ALL: [Road; 4] = [
        Road::LearnFromYou,
        Road::EmpathyAndCare,
        Road::Teach,
        Road::GoAway,
    ];

    /// Its name on the pages and in reports.
    pub fn label(self) -> &'static str {
        match self {
            Road::LearnFromYou => "Learn from you",
            Road::EmpathyAndCare => "Empathy and care",
            Road::Teach => "Teach",
            Road::GoAway => "Go away",
        }
    }

    /// One line that says when a solver should choose it.
    pub fn meaning(self) -> &'static str {
        match self {
            Road::LearnFromYou => "the customer showed us something we did wrong or did not know",
            Road::EmpathyAndCare => "we made it right and took care of the person",
            Road::Teach => "we showed the customer how to help themselves (self-service)",
            Road::GoAway => "we could not or would not help; say why in what we learned",
        }
    }
}

impl TryFrom<u8> for Road {
    type Error = String;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        Ok(match n {
            1 => Road::LearnFromYou,
            2 => Road::EmpathyAndCare,
            3 => Road::Teach,
            4 => Road::GoAway,
            _ => return Err(format!("road must be 1, 2, 3 or 4, got {n}")),
        })
    }
}

impl From<Road> for u8 {
    fn from(r: Road) -> u8 {
        r as u8
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TickleReason {
    /// Nothing happened on the case for `tickle_after`.
    Idle,
    /// The executive deadline is near.
    Deadline,
}

/// One event as stored: its position in the case, when, by whom, and what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub seq: u32,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    #[serde(flatten)]
    pub body: EventBody,
}

// `Opened` carries the whole intake and is much larger than the rest; events are made
// once and stored, so boxing it would only make every match on it clumsier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum EventBody {
    Opened {
        customer: Customer,
        category: String,
        subject: String,
        body: String,
        channel: Channel,
        facts: BTreeMap<String, String>,
        missing_facts: Vec<String>,
        realtime: Realtime,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attachments: Vec<AttachmentRef>,
        owner: PersonId,
        escalates_at: DateTime<Utc>,
        promised_by: DateTime<Utc>,
    },
    PassedUp {
        from: PersonId,
        to: PersonId,
        reason: String,
    },
    Taken {
        from: PersonId,
        to: PersonId,
    },
    Upgraded {
        from: PersonId,
        to: PersonId,
        reason: String,
    },
    Escalated {
        from: PersonId,
        to: PersonId,
    },
    Tickled {
        owner: PersonId,
        reason: TickleReason,
    },
    MessageSent {
        body: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attachments: Vec<AttachmentRef>,
    },
    /// Internal: never shown or sent to the customer.
    NoteAdded {
        body: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attachments: Vec<AttachmentRef>,
    },
    CustomerReplied {
        body: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attachments: Vec<AttachmentRef>,
    },
    AutomaticReceived {
        reason: String,
        subject: String,
        body: String,
    },
    DeliveryFailed {
        template: String,
        recipient: String,
        error: String,
    },
    Reopened {
        owner: PersonId,
        escalates_at: DateTime<Utc>,
    },
    Solved {
        resolution: String,
        road: Road,
        learned: String,
    },
    Rated {
        score: u8,
        delighted_by: String,
        would_recommend: bool,
    },
}

impl EventBody {
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::Opened { .. } => "opened",
            EventBody::PassedUp { .. } => "passed_up",
            EventBody::Taken { .. } => "taken",
            EventBody::Upgraded { .. } => "upgraded",
            EventBody::Escalated { .. } => "escalated",
            EventBody::Tickled { .. } => "tickled",
            EventBody::MessageSent { .. } => "message_sent",
            EventBody::NoteAdded { .. } => "note_added",
            EventBody::CustomerReplied { .. } => "customer_replied",
            EventBody::AutomaticReceived { .. } => "automatic_received",
            EventBody::DeliveryFailed { .. } => "delivery_failed",
            EventBody::Reopened { .. } => "reopened",
            EventBody::Solved { .. } => "solved",
            EventBody::Rated { .. } => "rated",
        }
    }

    /// The new owner when this event moves the case, if it does.
    /// The files this event brought to the case.
    pub fn attachments(&self) -> &[AttachmentRef] {
        match self {
            EventBody::Opened { attachments, .. }
            | EventBody::MessageSent { attachments, .. }
            | EventBody::NoteAdded { attachments, .. }
            | EventBody::CustomerReplied { attachments, .. } => attachments,
            _ => &[],
        }
    }

    pub fn new_owner(&self) -> Option<PersonId> {
        match self {
            EventBody::Opened { owner, .. } | EventBody::Reopened { owner, .. } => Some(*owner),
            EventBody::PassedUp { to, .. }
            | EventBody::Taken { to, .. }
            | EventBody::Upgraded { to, .. }
            | EventBody::Escalated { to, .. } => Some(*to),
            _ => None,
        }
    }
}
