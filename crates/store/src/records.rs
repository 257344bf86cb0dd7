//! What goes in and out of the store.

use chrono::{DateTime, Utc};
use roadone_domain::{
    Case, CaseId, CaseStatus, Customer, Event, Notification, PersonId, Role, Timer, TimerKind,
    Transition,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerson {
    pub name: String,
    pub email: String,
    pub role: Role,
    pub reports_to: Option<PersonId>,
}

/// An API token as stored: its digest (the token itself is never kept) and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub hash: Vec<u8>,
    pub person_id: PersonId,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What may change about a person (`None`: unchanged).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonUpdate {
    pub reports_to: Option<Option<PersonId>>,
    pub active: Option<bool>,
    pub name: Option<String>,
    /// Must stay unique among people.
    pub email: Option<String>,
    pub role: Option<roadone_domain::Role>,
}

/// What a password link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordLinkPurpose {
    /// A first password, for someone an administrator added.
    Invite,
    /// A new password, for someone who forgot theirs.
    Reset,
}

impl PasswordLinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            PasswordLinkPurpose::Invite => "invite",
            PasswordLinkPurpose::Reset => "reset",
        }
    }

    pub fn parse(text: &str) -> Option<PasswordLinkPurpose> {
        match text {
            "invite" => Some(PasswordLinkPurpose::Invite),
            "reset" => Some(PasswordLinkPurpose::Reset),
            _ => None,
        }
    }
}

/// A single-use link to set a password, as stored: the digest of its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordLink {
    pub hash: Vec<u8>,
    pub person: PersonId,
    pub purpose: PasswordLinkPurpose,
    /// The administrator who sent an invitation; `None` for a reset asked for by the person.
    pub created_by: Option<PersonId>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Whether a person can sign in yet, for the administrator's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountState {
    pub person: PersonId,
    pub has_password: bool,
    /// When the latest unused invitation runs out, if one is waiting.
    pub invite_expires_at: Option<DateTime<Utc>>,
    /// Whether signing in asks for a second factor (a code from an authenticator app).
    pub second_factor: bool,
}

/// The projection row of a case, kept in step with its events for listing and lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseHead {
    pub id: CaseId,
    /// The reference read to a customer: `RD-` and the id.
    pub reference: String,
    pub customer_id: i64,
    /// The capability that lets a customer see, reply to and rate their case.
    pub customer_token: String,
    pub category: String,
    pub subject: String,
    pub status: CaseStatus,
    pub owner: PersonId,
    pub version: u32,
    pub opened_at: DateTime<Utc>,
    pub escalates_at: DateTime<Utc>,
    pub promised_by: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A case as stored: its row and its full event log.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCase {
    pub head: CaseHead,
    pub events: Vec<Event>,
}

/// Makes a repeated case creation return the first one instead of a duplicate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub actor: PersonId,
    pub key: String,
    /// A digest of the request body: the same key with another body is refused.
    pub request_hash: Vec<u8>,
}

/// A new case: its first event and everything written with it.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub opened: Event,
    /// The state after `opened`, for the projection row.
    pub case: Case,
    pub customer: Customer,
    pub customer_token: String,
    pub idempotency: Option<IdempotencyKey>,
    pub timers: Vec<Timer>,
    pub outbox: Vec<Notification>,
}

impl NewCase {
    /// What opening `opened` (made by `roadone_domain::opening`) writes.
    /// The case an opening made; its customer is the one the `Opened` event keeps (as the
    /// rules checked and normalised them).
    pub fn from_opening(
        mut opened: Transition,
        customer_token: String,
        idempotency: Option<IdempotencyKey>,
    ) -> NewCase {
        let event = opened.events.swap_remove(0);
        let customer = match &event.body {
            roadone_domain::EventBody::Opened { customer, .. } => customer.clone(),
            other => unreachable!("an opening's first event is Opened, not {other:?}"),
        };
        NewCase {
            opened: event,
            case: opened.after,
            customer,
            customer_token,
            idempotency,
            timers: opened.timers,
            outbox: opened.notifications,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenOutcome {
    Created(CaseHead),
    /// The idempotency key was seen before with the same request: this is that case.
    Replayed(CaseHead),
}

impl OpenOutcome {
    pub fn head(&self) -> &CaseHead {
        match self {
            OpenOutcome::Created(h) | OpenOutcome::Replayed(h) => h,
        }
    }
}

/// New events for an existing case, written only if nobody else appended meanwhile.
#[derive(Debug, Clone)]
pub struct Append {
    pub case_id: CaseId,
    pub expected_version: u32,
    pub events: Vec<Event>,
    /// The state after the events, for the projection row.
    pub case: Case,
    /// The case's complete timer set after the events (replaces the old set).
    pub timers: Vec<Timer>,
    pub outbox: Vec<Notification>,
}

impl Append {
    /// What `change` writes to case `case_id`, whose state it was decided on was at
    /// `expected_version` (a write that finds another version is refused).
    pub fn from_transition(case_id: CaseId, expected_version: u32, change: Transition) -> Append {
        Append {
            case_id,
            expected_version,
            events: change.events,
            case: change.after,
            timers: change.timers,
            outbox: change.notifications,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    /// Only this case (a reference typed into a search), if the other conditions allow it.
    pub id: Option<CaseId>,
    pub owner: Option<PersonId>,
    /// Owned by any of these (a team); empty: anyone.
    pub owners: Vec<PersonId>,
    pub status: Option<CaseStatus>,
    pub category: Option<String>,
    pub channel: Option<roadone_domain::Channel>,
    pub customer_id: Option<i64>,
    /// Whether the case went through its escalation.
    pub escalated: Option<bool>,
    /// Whether we wrote last and the customer has not answered.
    pub awaiting_customer: Option<bool>,
    /// Opened at or after / before these times (a case's age).
    pub opened_from: Option<DateTime<Utc>>,
    pub opened_before: Option<DateTime<Utc>>,
    /// Matches subject or customer email, case-insensitively.
    pub text: Option<String>,
    /// Full-text: every word (or a word's start) appears somewhere the case says
    /// something: subject, customer, facts, messages, notes, reasons, resolution.
    pub search: Option<String>,
    pub sort: CaseSort,
    pub limit: u32,
    pub offset: u32,
    /// Counting stops past this many: the count is then `count_up_to + 1`, "more than".
    pub count_up_to: Option<u64>,
}

/// A view of the case list a person saved under a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedView {
    pub name: String,
    /// The view's query string (`view=team&state=open&…`).
    pub query: String,
}

/// A text staff insert into a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedReply {
    pub id: i64,
    /// `None`: shared with everyone; else the one person it belongs to.
    pub owner: Option<PersonId>,
    /// `None`: for every category.
    pub category: Option<String>,
    pub title: String,
    pub body: String,
}

/// The order of a list of cases.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CaseSort {
    /// Open ones first, the least time before the executive first; then solved ones,
    /// the latest change first.
    #[default]
    Urgency,
    /// The latest change first.
    LastChange,
    /// The newest first.
    Newest,
    /// The oldest first.
    Oldest,
}

impl CaseSort {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseSort::Urgency => "urgency",
            CaseSort::LastChange => "changed",
            CaseSort::Newest => "newest",
            CaseSort::Oldest => "oldest",
        }
    }

    pub fn parse(text: &str) -> Option<CaseSort> {
        [
            CaseSort::Urgency,
            CaseSort::LastChange,
            CaseSort::Newest,
            CaseSort::Oldest,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// Which events a feed wants, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Event kinds (`solved`, `upgraded`, `escalated`, …); at least one.
    pub kinds: Vec<roadone_domain::EventKind>,
    pub category: Option<String>,
    /// Only events that moved the case to this person.
    pub to: Option<PersonId>,
    /// Only events of cases that are open and owned by this person now.
    pub open_and_owned_by: Option<PersonId>,
    /// Only events of this customer's cases.
    pub customer_id: Option<i64>,
    pub since: Option<DateTime<Utc>>,
    pub limit: u32,
}

/// A timer claimed by a scheduler; the lease keeps other schedulers off it meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueTimer {
    pub case_id: CaseId,
    pub kind: TimerKind,
    pub due_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: i64,
    pub case_id: CaseId,
    pub notification: Notification,
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
}

/// A lookup of customers: any customer matching any part is found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerQuery {
    /// The whole email address, exactly.
    pub email: Option<String>,
    /// Words that must each start a word of the name or the email (all of them, any case,
    /// accents ignored).
    pub words: Vec<String>,
    /// Phone keys (`roadone_domain::phone::key`): a customer whose key starts with one.
    pub phone_keys: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRecord {
    pub id: i64,
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub external_id: Option<String>,
    /// Set when this customer was merged into another, who is the one kept.
    pub merged_into: Option<i64>,
}

/// What merging one customer into another moved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeOutcome {
    pub cases: u64,
    pub orders: u64,
}

/// A portal sign-in link as stored: the digest of its secret and whom it signs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInLink {
    pub hash: Vec<u8>,
    pub customer_id: i64,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A session as stored (a customer's in the portal, a person's in the staff pages): the
/// digest of its cookie and its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub hash: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// The reference shown to customers for a case id.
pub fn case_reference(id: CaseId) -> String {
    format!("RD-{id:06}")
}

/// The case a person means when they type its reference as it was read to them:
/// `RD-003001`, `rd 3001`, `RD3001`, `#3001` or just `3001` (leading zeros, spaces and case
/// do not matter). `None` for anything else.
pub fn reference_in(text: &str) -> Option<CaseId> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("rd")
        .map(|r| r.trim_start_matches([' ', '-', '_', '.']))
        .or_else(|| lower.strip_prefix('#'))
        .unwrap_or(&lower);
    if rest.is_empty() || rest.len() > 18 || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    rest.parse::<CaseId>().ok().filter(|id| *id > 0)
}

/// A setting an admin changed on the pages: it overrides the configuration of that name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingRecord {
    pub key: String,
    pub value: String,
    pub changed_by: PersonId,
    pub changed_at: DateTime<Utc>,
}

/// Whose order it is: the shop's own id for the customer, or their email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerRef {
    ExternalId(String),
    Email(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    pub order_id: String,
    pub customer: CustomerRef,
    pub ordered_at: DateTime<Utc>,
    /// Hundredths of the currency.
    pub amount_cents: i64,
    /// ISO 4217, upper case.
    pub currency: String,
}

/// What a batch of orders did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrdersOutcome {
    pub added: u32,
    /// Sent again exactly as stored: nothing to do.
    pub already_known: u32,
    /// Indexes (in the batch) of orders whose id is stored with other details; not changed.
    pub conflicts: Vec<usize>,
}

/// One order as customer math reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderAmount {
    pub customer_id: i64,
    pub ordered_at: DateTime<Utc>,
    pub amount_cents: i64,
}

/// What one customer bought in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderSummary {
    pub currency: String,
    pub orders: u64,
    pub total_cents: i64,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
}

/// What customer math needs of a case: whose it was, when it was opened and (last) solved,
/// by whom, on which road, who took it in, and whether it went through an escalation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseOutcome {
    pub case_id: CaseId,
    pub customer_id: i64,
    pub category: String,
    pub opened_at: DateTime<Utc>,
    /// The owner the case was opened with.
    pub intake_owner: PersonId,
    /// The last solve: when, by whom, on which road (1–4). None while open.
    pub solved: Option<(DateTime<Utc>, PersonId, u8)>,
    pub escalated: bool,
}

/// A running server, as other servers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// Unique per process start.
    pub id: String,
    /// Which server it is (a host name, or what the configuration calls it): a new
    /// instance on the same node knows the earlier one is gone.
    pub node: String,
}

/// Claims released because the instance holding them stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Released {
    pub instances: u32,
    pub timers: u32,
    /// Outbox rows: each may have been sent before its sender died.
    pub outbox: u32,
}

/// How much work is waiting (`/metrics`, `/readyz`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backlog {
    /// Notifications neither sent nor given up.
    pub outbox_pending: u64,
    /// When the oldest of them was written.
    pub oldest_pending: Option<DateTime<Utc>>,
    /// Timers due now and not fired.
    pub timers_due: u64,
}

/// An inbound message as taken in, by sender and key (its Message-ID, or a digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundRecord {
    pub sender: String,
    pub message_key: String,
    pub received_at: DateTime<Utc>,
    pub case_id: Option<CaseId>,
    /// What the intake did with it (`opened`, `replied`, …).
    pub outcome: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_is_found_however_it_was_typed() {
        for typed in [
            "RD-003001",
            "rd-3001",
            "RD 003001",
            "RD3001",
            "#3001",
            " 3001 ",
            "Rd_3001",
        ] {
            assert_eq!(reference_in(typed), Some(3001), "{typed:?}");
        }
        assert_eq!(reference_in(&case_reference(42)), Some(42));
        for other in [
            "",
            "RD-",
            "RD-12a",
            "refund",
            "0",
            "3001 3002",
            "+447700900442",
            "-5",
        ] {
            assert_eq!(reference_in(other), None, "{other:?}");
        }
    }
}
