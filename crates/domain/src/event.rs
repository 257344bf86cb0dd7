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
    pub const ALL: [Channel; 5] = [
        Channel::Email,
        Channel::Web,
        Channel::Portal,
        Channel::Api,
        Channel::Phone,
    ];

    /// Its name in the API and the store (`email`, `phone`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Web => "web",
            Channel::Portal => "portal",
            Channel::Api => "api",
            Channel::Phone => "phone",
        }
    }

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
    /// The language the customer is written to in (a code such as `fr`), where known:
    /// the one their browser asked for when they wrote in, or the one they chose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
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
        /// A missed call's case: when its owner is reminded to call back.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call_back_by: Option<DateTime<Utc>>,
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
    /// "Not a customer case": it ends without a solve. `owner` is who held it then.
    MarkedJunk {
        owner: PersonId,
        reason: String,
    },
    /// A junk mark taken back: the case is open again with `owner`, on its old deadline.
    JunkUndone {
        owner: PersonId,
    },
    /// A checklist fact given after intake, or corrected; the value it replaced is kept.
    FactSupplied {
        key: String,
        value: String,
        /// What the case said before: `None` when the fact was missing.
        previous: Option<String>,
    },
}

/// What kind of event it is: the name the API, the trail and the store use for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Opened,
    PassedUp,
    Taken,
    Upgraded,
    Escalated,
    Tickled,
    MessageSent,
    NoteAdded,
    CustomerReplied,
    AutomaticReceived,
    DeliveryFailed,
    Reopened,
    Solved,
    Rated,
    FactSupplied,
    MarkedJunk,
    JunkUndone,
}

impl EventKind {
    pub const ALL: [EventKind; 17] = [
        EventKind::Opened,
        EventKind::PassedUp,
        EventKind::Taken,
        EventKind::Upgraded,
        EventKind::Escalated,
        EventKind::Tickled,
        EventKind::MessageSent,
        EventKind::NoteAdded,
        EventKind::CustomerReplied,
        EventKind::AutomaticReceived,
        EventKind::DeliveryFailed,
        EventKind::Reopened,
        EventKind::Solved,
        EventKind::Rated,
        EventKind::FactSupplied,
        EventKind::MarkedJunk,
        EventKind::JunkUndone,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Opened => "opened",
            EventKind::PassedUp => "passed_up",
            EventKind::Taken => "taken",
            EventKind::Upgraded => "upgraded",
            EventKind::Escalated => "escalated",
            EventKind::Tickled => "tickled",
            EventKind::MessageSent => "message_sent",
            EventKind::NoteAdded => "note_added",
            EventKind::CustomerReplied => "customer_replied",
            EventKind::AutomaticReceived => "automatic_received",
            EventKind::DeliveryFailed => "delivery_failed",
            EventKind::Reopened => "reopened",
            EventKind::Solved => "solved",
            EventKind::Rated => "rated",
            EventKind::FactSupplied => "fact_supplied",
            EventKind::MarkedJunk => "marked_junk",
            EventKind::JunkUndone => "junk_undone",
        }
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<EventKind> for String {
    fn from(kind: EventKind) -> String {
        kind.as_str().to_string()
    }
}

impl std::str::FromStr for EventKind {
    type Err = String;
    fn from_str(text: &str) -> Result<EventKind, String> {
        EventKind::ALL
            .into_iter()
            .find(|k| k.as_str() == text)
            .ok_or_else(|| format!("{text:?} is not a kind of event"))
    }
}

impl EventBody {
    pub fn kind(&self) -> EventKind {
        match self {
            EventBody::Opened { .. } => EventKind::Opened,
            EventBody::PassedUp { .. } => EventKind::PassedUp,
            EventBody::Taken { .. } => EventKind::Taken,
            EventBody::Upgraded { .. } => EventKind::Upgraded,
            EventBody::Escalated { .. } => EventKind::Escalated,
            EventBody::Tickled { .. } => EventKind::Tickled,
            EventBody::MessageSent { .. } => EventKind::MessageSent,
            EventBody::NoteAdded { .. } => EventKind::NoteAdded,
            EventBody::CustomerReplied { .. } => EventKind::CustomerReplied,
            EventBody::AutomaticReceived { .. } => EventKind::AutomaticReceived,
            EventBody::DeliveryFailed { .. } => EventKind::DeliveryFailed,
            EventBody::Reopened { .. } => EventKind::Reopened,
            EventBody::Solved { .. } => EventKind::Solved,
            EventBody::Rated { .. } => EventKind::Rated,
            EventBody::FactSupplied { .. } => EventKind::FactSupplied,
            EventBody::MarkedJunk { .. } => EventKind::MarkedJunk,
            EventBody::JunkUndone { .. } => EventKind::JunkUndone,
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
