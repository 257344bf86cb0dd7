//! What the store keeps for junk mail: the messages suspended instead of opening a case,
//! and the learning filter's counts, shared by every server on the database.

use crate::error::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use roadone_domain::junk::{Counts, Filter};
use roadone_domain::PersonId;

/// A message that waits among the suspended.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSuspendedMail {
    pub received_at: DateTime<Utc>,
    pub sender: Option<String>,
    pub subject: String,
    pub score: f64,
    /// Why it was suspended, in words.
    pub why: Vec<String>,
    /// The message as it came, to take in whole when released.
    pub raw: Vec<u8>,
}

/// A suspended message as staff see it (without its bytes).
#[derive(Debug, Clone, PartialEq)]
pub struct SuspendedMail {
    pub id: i64,
    pub received_at: DateTime<Utc>,
    pub sender: Option<String>,
    pub subject: String,
    pub score: f64,
    pub why: Vec<String>,
    pub size: u64,
}

/// What became of a suspended message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// Taken in as if it had just arrived.
    Released,
    /// Junk: kept a while, then purged.
    Deleted,
}

impl Settled {
    pub fn as_str(self) -> &'static str {
        match self {
            Settled::Released => "released",
            Settled::Deleted => "deleted",
        }
    }
}

/// What one message teaches the junk filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lesson {
    Junk,
    Customer,
    /// A message taught as junk was a customer's after all (a junk mark undone): the
    /// junk lesson is taken back and a customer's is given, so it is not counted twice.
    NotJunkAfterAll,
}

/// How the suspended mail was settled so far: the filter's record on what it held back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SuspendedTally {
    pub waiting: u64,
    pub released: u64,
    pub deleted: u64,
}

#[async_trait]
pub trait JunkStore: Send + Sync {
    /// Keeps a message among the suspended; its id.
    async fn suspend_mail(&self, mail: NewSuspendedMail) -> StoreResult<i64>;
    /// The messages still waiting, newest first, at most `limit`.
    async fn suspended_mail(&self, limit: u32) -> StoreResult<Vec<SuspendedMail>>;
    async fn suspended_tally(&self) -> StoreResult<SuspendedTally>;
    /// Settles a waiting message exactly once: its bytes, or `None` when there is no such
    /// message or someone settled it first.
    async fn settle_suspended(
        &self,
        id: i64,
        how: Settled,
        by: PersonId,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Vec<u8>>>;
    /// Forgets the bytes of messages deleted before `before`; how many.
    async fn purge_suspended(&self, before: DateTime<Utc>) -> StoreResult<u64>;

    /// What the filter learned, and the counts of these tokens (in their order).
    async fn junk_counts(&self, tokens: Vec<String>) -> StoreResult<(Filter, Vec<Counts>)>;
    /// Teaches the filter one message's tokens (each distinct token once).
    async fn teach_junk_filter(&self, tokens: Vec<String>, lesson: Lesson) -> StoreResult<()>;
}
