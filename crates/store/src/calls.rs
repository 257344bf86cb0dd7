//! What the store keeps of telephone calls: each leg once, by its source's id, with the
//! customer it was from (matched by phone number, created if new).

use crate::error::StoreResult;
use crate::records::OrdersOutcome;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use roadone_domain::PersonId;

/// A call as it comes in, its caller's number already in E.164 where it could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCall {
    pub call_id: String,
    pub linked_id: Option<String>,
    pub caller: String,
    pub caller_name: Option<String>,
    /// Whether `caller` is a number in E.164 (then the customer is found or created by it).
    pub caller_is_e164: bool,
    pub callee: String,
    pub answered_by: Option<String>,
    pub arrived_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ended_at: DateTime<Utc>,
    /// When the first phone began to ring, where the source says (after a queue or a menu).
    pub rang_at: Option<DateTime<Utc>>,
    /// Where the conversation's recording is kept, if it was recorded (http or https).
    pub recording_url: Option<String>,
    /// `answered`, `no_answer`, `busy`, `failed`, `congestion` or `abandoned`.
    pub disposition: String,
    /// Where it came from: `asterisk`, `freeswitch` or `api`.
    pub source: String,
}

/// A stored call, with the customer it was matched to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCall {
    pub call: NewCall,
    pub customer_id: Option<i64>,
    /// The case the call was about, once linked.
    pub case_id: Option<i64>,
}

/// How a call can end, as stored.
pub const DISPOSITIONS: [&str; 6] = [
    "answered",
    "no_answer",
    "busy",
    "failed",
    "congestion",
    "abandoned",
];

/// The stored disposition as one of `DISPOSITIONS`, or `unknown`.
pub fn disposition(text: &str) -> &'static str {
    DISPOSITIONS
        .into_iter()
        .find(|d| *d == text)
        .unwrap_or("unknown")
}

/// A call leg as the calls report reads it: only what its figures use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallLeg {
    /// The linked id, or the leg's own id when it has none: legs with one key are one call.
    pub call: String,
    /// Whether the caller is a telephone number (E.164): an inbound call.
    pub inbound: bool,
    pub arrived_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ended_at: DateTime<Utc>,
    /// One of `DISPOSITIONS` (`unknown` for anything else).
    pub disposition: &'static str,
    /// Shared by the legs answered on one line: a month has a million legs and a few
    /// dozen lines.
    pub answered_by: Option<std::sync::Arc<str>>,
    /// The customer the caller was matched to.
    pub customer_id: Option<i64>,
    /// The case the leg is linked to, if any.
    pub case_id: Option<i64>,
}

/// A channel or extension a telephone system names an operator by (`PJSIP/201`, `1001`),
/// and the person who answers on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneLine {
    pub line: String,
    pub person_id: PersonId,
}

/// A case opened on the phone, as the calls report reads it: whose it was and how it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneCase {
    pub case_id: i64,
    pub customer_id: i64,
    pub opened_at: DateTime<Utc>,
    /// Who solved it, while it is solved.
    pub solved_by: Option<PersonId>,
    /// Whether it was ever passed up (upgraded) or escalated.
    pub passed_up: bool,
    /// The customer's latest rating (1–5), if they rated it.
    pub rating: Option<u8>,
}

/// How a phone case's caller got through: from their first call to the first answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseCall {
    pub case_id: i64,
    pub first_arrived: DateTime<Utc>,
    /// None: nobody answered (a missed call's case).
    pub first_answered: Option<DateTime<Utc>>,
}

/// One status callback of a telephony platform (Twilio's form), as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwilioCallback {
    pub call_sid: String,
    /// Orders the callbacks of one call, which may arrive out of order.
    pub sequence: i64,
    /// queued, initiated, ringing, in-progress, completed, busy, failed, no-answer,
    /// canceled.
    pub status: String,
    pub at: DateTime<Utc>,
    pub caller: String,
    pub caller_name: Option<String>,
    pub callee: String,
    pub direction: String,
    /// Seconds, in the final callback.
    pub duration: Option<i64>,
    pub parent_sid: Option<String>,
}

/// What a batch of calls did: the same as for orders (added, known, conflicting).
pub type CallsOutcome = OrdersOutcome;

#[async_trait]
pub trait CallStore: Send + Sync {
    /// Stores calls in one transaction; a call id already stored is left as it is
    /// (counted as known, or as a conflict if its details differ).
    async fn add_calls(&self, calls: Vec<NewCall>, at: DateTime<Utc>) -> StoreResult<CallsOutcome>;
    /// The calls that arrived in `[from, to)`, by arrival.
    async fn calls_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<StoredCall>>;
    /// The legs that arrived in `[from, to)`, by arrival, as the calls report reads them.
    async fn call_legs_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<CallLeg>>;
    /// A customer's calls, the latest first.
    async fn customer_calls(&self, customer: i64) -> StoreResult<Vec<StoredCall>>;
    /// The calls with these ids that are stored (in no particular order).
    async fn calls_by_id(&self, call_ids: Vec<String>) -> StoreResult<Vec<StoredCall>>;
    /// Every leg of the calls with a leg that ended at or after `since`, unanswered and
    /// linked to no case, from a telephone number: what following up may still owe. By
    /// arrival.
    async fn missed_calls_without_case(&self, since: DateTime<Utc>) -> StoreResult<Vec<NewCall>>;
    /// Links calls to the case they were about; a call already linked keeps its case.
    async fn link_calls(&self, call_ids: Vec<String>, case_id: i64) -> StoreResult<()>;
    /// The calls linked to a case, by arrival.
    async fn case_calls(&self, case_id: i64) -> StoreResult<Vec<StoredCall>>;
    /// Keeps a status callback once by call and sequence number, and returns every
    /// callback of its call so far (by sequence) and whether this one was new.
    async fn add_twilio_callback(
        &self,
        callback: TwilioCallback,
    ) -> StoreResult<(bool, Vec<TwilioCallback>)>;
    /// Every phone line and its person, by line.
    async fn phone_lines(&self) -> StoreResult<Vec<PhoneLine>>;
    /// Maps a line to a person (replacing whoever had it), or with `None` forgets it;
    /// lines compare without regard to case. Whether anything changed.
    async fn set_phone_line(&self, line: String, person: Option<PersonId>) -> StoreResult<bool>;
    /// Every phone case with calls before it: those linked to it, and the caller's calls
    /// that arrived in the `within` before it opened. By case.
    async fn phone_case_calls(&self, within: chrono::Duration) -> StoreResult<Vec<CaseCall>>;
    /// The cases opened on the phone in `[from, to)`, by opening.
    async fn phone_cases_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<PhoneCase>>;
}
