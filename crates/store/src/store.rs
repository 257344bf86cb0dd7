use crate::error::StoreResult;
use crate::records::*;
use crate::second_factor::{PendingSignIn, SecondFactor};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use roadone_domain::{CaseId, Category, Event, Person, PersonId};
use std::path::Path;

#[async_trait]
pub trait Store:
    crate::junk::JunkStore
    + crate::calls::CallStore
    + crate::experiments::ExperimentStore
    + Send
    + Sync
    + 'static
{
    // --- people, categories and API tokens -----------------------------------------

    /// Adds a person; the email must be new and `reports_to` must exist.
    async fn add_person(&self, person: NewPerson, at: DateTime<Utc>) -> StoreResult<Person>;
    async fn people(&self) -> StoreResult<Vec<Person>>;
    /// Changes whom a person reports to and whether they are active; the caller has
    /// Refused (`Invalid`) when the move would put someone above themselves or deactivate
    /// the last active administrator, checked inside the write.
    async fn update_person(&self, id: PersonId, update: PersonUpdate) -> StoreResult<Person>;
    async fn person_by_email(&self, email: &str) -> StoreResult<Option<Person>>;

    /// Adds a category; the key must be new, manager and executive must exist.
    async fn add_category(&self, category: Category, at: DateTime<Utc>) -> StoreResult<Category>;
    async fn categories(&self) -> StoreResult<Vec<Category>>;
    /// Replaces a category's name, checklist, manager and executive (the key stays); cases
    /// already open keep the facts they were opened with.
    async fn update_category(&self, category: Category) -> StoreResult<Category>;

    /// The settings admins changed on the pages, by key.
    async fn settings(&self) -> StoreResult<Vec<SettingRecord>>;
    /// Sets (`Some`) or clears (`None`) settings, all in one transaction.
    async fn save_settings(
        &self,
        changes: Vec<(String, Option<String>)>,
        by: PersonId,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// A number that changes whenever people, categories or settings change, whoever
    /// changed them: a server whose cached copy has another number reads them again.
    async fn directory_version(&self) -> StoreResult<i64>;

    /// The time zones people chose for themselves (IANA names), by person.
    async fn staff_time_zones(&self) -> StoreResult<Vec<(PersonId, String)>>;
    /// Sets (`Some`) or clears (`None`) a person's own time zone; a change to people, so
    /// it moves the directory version.
    async fn set_staff_time_zone(&self, person: PersonId, zone: Option<String>) -> StoreResult<()>;
    /// A customer's time zone, where staff know it.
    async fn customer_time_zone(&self, customer: i64) -> StoreResult<Option<String>>;
    /// Sets or clears a customer's time zone; `false` when there is no such customer.
    async fn set_customer_time_zone(
        &self,
        customer: i64,
        zone: Option<String>,
    ) -> StoreResult<bool>;

    /// The language a customer is written to in (a code), where known.
    async fn customer_language(&self, customer: i64) -> StoreResult<Option<String>>;
    /// Sets or clears a customer's language; `false` when there is no such customer.
    async fn set_customer_language(&self, customer: i64, code: Option<String>)
        -> StoreResult<bool>;

    /// Stores the SHA-256 digest of a bearer token (never the token itself).
    async fn add_token(
        &self,
        person: PersonId,
        token_hash: Vec<u8>,
        label: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn person_by_token(&self, token_hash: &[u8]) -> StoreResult<Option<PersonId>>;
    /// Every token, newest first.
    async fn tokens(&self) -> StoreResult<Vec<TokenRecord>>;
    /// Revokes a token for good; `false` when there is no such token.
    async fn revoke_token(&self, token_hash: &[u8], at: DateTime<Utc>) -> StoreResult<bool>;

    // --- cases -----------------------------------------------------------------------

    /// Opens a case durably: when this returns, the case survives a crash.
    async fn open_case(&self, new: NewCase) -> StoreResult<OpenOutcome>;
    /// Appends events if the case is still at `expected_version`, else `VersionConflict`.
    async fn append(&self, append: Append) -> StoreResult<CaseHead>;
    async fn load_case(&self, id: CaseId) -> StoreResult<Option<StoredCase>>;
    async fn case_by_customer_token(&self, token: &str) -> StoreResult<Option<CaseId>>;
    /// The cases `filter` names, in its order, its page (`limit`, `offset`).
    async fn list_cases(&self, filter: CaseFilter) -> StoreResult<Vec<CaseHead>>;
    /// How many cases `filter` names, all pages together.
    async fn count_cases(&self, filter: CaseFilter) -> StoreResult<u64>;
    /// Saves a view for `person` under `name`, replacing one of the same name.
    async fn save_view(
        &self,
        person: PersonId,
        view: SavedView,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Stores a canned reply (its `id` is ignored) and returns it with its id.
    async fn add_canned_reply(
        &self,
        reply: CannedReply,
        by: PersonId,
        at: DateTime<Utc>,
    ) -> StoreResult<CannedReply>;
    /// The canned replies `person` may use: the shared ones and their own, by title.
    async fn canned_replies(&self, person: PersonId) -> StoreResult<Vec<CannedReply>>;
    /// Replaces a canned reply's title, text and category (who it belongs to stays);
    /// `false` when there is none with that id.
    async fn update_canned_reply(&self, reply: CannedReply) -> StoreResult<bool>;
    /// Deletes a canned reply; `false` when there is none with that id.
    async fn delete_canned_reply(&self, id: i64) -> StoreResult<bool>;
    /// A person's saved views, by name.
    async fn saved_views(&self, person: PersonId) -> StoreResult<Vec<SavedView>>;
    /// Forgets a saved view; `false` when there was none of that name.
    async fn delete_view(&self, person: PersonId, name: &str) -> StoreResult<bool>;
    async fn customer(&self, id: i64) -> StoreResult<Option<CustomerRecord>>;
    /// Events matching `filter`, newest first, each with its case's row.
    async fn events(&self, filter: EventFilter) -> StoreResult<Vec<(CaseHead, Event)>>;

    // --- customers signing in to the portal ------------------------------------------

    async fn customer_by_email(&self, email: &str) -> StoreResult<Option<CustomerRecord>>;
    /// The customers `query` names (see [`CustomerQuery`]), at most `limit`, by name: the
    /// lookup of phone intake and the customer search.
    async fn find_customers(
        &self,
        query: CustomerQuery,
        limit: u32,
    ) -> StoreResult<Vec<CustomerRecord>>;
    /// Merges customer `from` into `into` (two records of one person), in one transaction:
    /// `from`'s cases, orders and portal links move to `into`, details `into` lacks are
    /// filled in from `from`, `from` is marked merged (its email and external id keep
    /// leading to `into`), and the merge is recorded. Refused when either is unknown or
    /// already merged, or they are the same.
    async fn merge_customers(
        &self,
        from: i64,
        into: i64,
        by: PersonId,
        at: DateTime<Utc>,
    ) -> StoreResult<MergeOutcome>;
    /// Stores a sign-in link (its digest); expired links and sessions are purged meanwhile.
    async fn add_sign_in_link(&self, link: SignInLink) -> StoreResult<()>;
    /// Uses a link at most once: if it exists, is unused and has not expired at `now`,
    /// marks it used and opens `session` for its customer, in one transaction.
    async fn redeem_sign_in_link(
        &self,
        link_hash: &[u8],
        now: DateTime<Utc>,
        session: NewSession,
    ) -> StoreResult<Option<i64>>;
    /// The customer of a session that has not expired at `now`.
    async fn customer_session(
        &self,
        session_hash: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<i64>>;
    async fn end_customer_session(&self, session_hash: &[u8]) -> StoreResult<()>;

    // --- staff signing in to the web pages ------------------------------------------------

    /// Sets a person's password (an argon2id PHC string) and ends all their sessions and
    /// pending sign-ins.
    async fn set_password_hash(&self, person: PersonId, hash: &str) -> StoreResult<()>;
    /// An active person's id and password hash (if one is set), by email.
    async fn password_hash(&self, email: &str) -> StoreResult<Option<(PersonId, Option<String>)>>;
    async fn add_staff_session(&self, person: PersonId, session: NewSession) -> StoreResult<()>;
    /// The active person of a session that has not expired at `now`.
    async fn staff_session(
        &self,
        session_hash: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<PersonId>>;
    async fn end_staff_session(&self, session_hash: &[u8]) -> StoreResult<()>;

    /// Stores a password link; every earlier unused link of the same person and purpose
    /// is spent, so only the latest mail works. Expired links are purged meanwhile.
    async fn add_password_link(&self, link: PasswordLink) -> StoreResult<()>;
    /// The person and purpose of a link that is unused, unexpired at `now` and belongs to
    /// an active person.
    async fn password_link(
        &self,
        link_hash: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(PersonId, PasswordLinkPurpose)>>;
    /// Uses a link at most once: if it is still good at `now`, sets the person's password
    /// to `password_hash`, ends their sessions and spends all their links, in one
    /// transaction. Of two concurrent redemptions exactly one succeeds.
    async fn redeem_password_link(
        &self,
        link_hash: &[u8],
        now: DateTime<Utc>,
        password_hash: &str,
    ) -> StoreResult<Option<PersonId>>;
    /// For each person, whether a password is set and whether an invitation is waiting.
    async fn accounts(&self, now: DateTime<Utc>) -> StoreResult<Vec<AccountState>>;

    // --- the second factor at staff sign-in (TOTP, recovery codes) --------------------

    /// The person's second factor, on or waiting for its first code; `None` when none.
    async fn second_factor(&self, person: PersonId) -> StoreResult<Option<SecondFactor>>;
    /// Keeps `secret` as the person's factor waiting for its first code, replacing one
    /// that waits. Refused (`Invalid`, field `second_factor`) when one is on already.
    async fn begin_second_factor(
        &self,
        person: PersonId,
        secret: Vec<u8>,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Turns on the factor waiting with `secret`, its code of `step` accepted, with these
    /// recovery codes (digests) replacing any earlier ones, in one transaction. `false`
    /// when no factor with that secret waits (replaced, on already, or removed).
    async fn enable_second_factor(
        &self,
        person: PersonId,
        secret: Vec<u8>,
        step: i64,
        recovery_codes: Vec<Vec<u8>>,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Accepts a code of `step` when the person's factor is on and no code of this step or
    /// a later one was accepted. The write decides, so of two uses of one code one wins.
    async fn accept_second_factor_step(&self, person: PersonId, step: i64) -> StoreResult<bool>;
    /// Spends one of the person's unused recovery codes: how many are left after it, or
    /// `None` when the code is not theirs, was used, or their factor is not on.
    async fn use_recovery_code(
        &self,
        person: PersonId,
        code_hash: Vec<u8>,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<u32>>;
    /// Replaces every recovery code of the person (digests); `false` when no factor is on.
    async fn replace_recovery_codes(
        &self,
        person: PersonId,
        recovery_codes: Vec<Vec<u8>>,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Removes the person's factor (on or waiting) and recovery codes, and ends their
    /// pending sign-ins; `false` when there was no factor.
    async fn remove_second_factor(&self, person: PersonId) -> StoreResult<bool>;
    /// Stores a sign-in whose second step is to come; expired ones are purged meanwhile.
    async fn add_pending_sign_in(&self, pending: PendingSignIn) -> StoreResult<()>;
    /// The active person of a pending sign-in that has not expired at `now`.
    async fn pending_sign_in(
        &self,
        pending_hash: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<PersonId>>;
    /// Ends a pending sign-in that is still good at `now` and opens `session` for its
    /// person, in one transaction; of two concurrent finishes exactly one succeeds.
    async fn finish_pending_sign_in(
        &self,
        pending_hash: &[u8],
        now: DateTime<Utc>,
        session: NewSession,
    ) -> StoreResult<Option<PersonId>>;

    // --- timers and outbox -------------------------------------------------------------

    /// Claims up to `limit` timers due at `now` and not leased by another scheduler;
    /// each claim holds for `lease` and names the instance `by`. Cost grows with the
    /// number of due timers only.
    async fn claim_due_timers(
        &self,
        by: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<DueTimer>>;
    /// When the next unleased timer falls due, if any (lets the scheduler sleep until then).
    async fn next_timer_due(&self) -> StoreResult<Option<DateTime<Utc>>>;

    /// Claims up to `limit` unsent notifications whose next attempt is due, for `by`.
    async fn claim_outbox(
        &self,
        by: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<OutboxRow>>;
    async fn outbox_sent(&self, id: i64, at: DateTime<Utc>) -> StoreResult<()>;
    /// Records a failed attempt; `retry_at: None` means the failure is permanent.
    async fn outbox_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// How many messages from `template` were sent to the customer with `email` at or
    /// after `since` (limits acknowledgments to one address, across restarts and servers).
    async fn sent_to_customer(
        &self,
        email: &str,
        template: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<u32>;

    /// What is waiting: unsent notifications (and the oldest), timers due at `now`.
    async fn backlog(&self, now: DateTime<Utc>) -> StoreResult<Backlog>;

    // --- instances -----------------------------------------------------------------------

    /// Records a starting instance; every earlier instance on the same node is over (it
    /// crashed or was stopped), so its claims are released at once.
    async fn register_instance(
        &self,
        instance: Instance,
        now: DateTime<Utc>,
    ) -> StoreResult<Released>;
    /// Says `id` is alive at `now`, and releases the claims of every instance whose
    /// heartbeat is older than `stale_after`. A write, so it also proves the store writable.
    async fn heartbeat(
        &self,
        id: &str,
        now: DateTime<Utc>,
        stale_after: Duration,
    ) -> StoreResult<Released>;
    /// A clean stop: the instance's claims are released.
    async fn stop_instance(&self, id: &str, now: DateTime<Utc>) -> StoreResult<Released>;

    // --- inbound mail ------------------------------------------------------------------

    /// The message with this key from this sender, if it was taken in at or after `since`.
    async fn inbound_seen(
        &self,
        sender: &str,
        message_key: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<Option<InboundRecord>>;
    /// Remembers a message taken in (replacing an older record of the same key).
    async fn record_inbound(&self, record: InboundRecord) -> StoreResult<()>;
    /// How many cases mail from `sender` opened at or after `since`, and the latest.
    async fn cases_opened_by_mail(
        &self,
        sender: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<(u32, Option<CaseId>)>;

    // --- reports -----------------------------------------------------------------------

    /// The events of `kinds` of every case that has at least one of them in `[from, to)`,
    /// ordered by case, then seq. Whole histories, not just the window: a holding that
    /// ends in the window began before it, and a pass in it may be answered after it.
    async fn events_of_active_cases(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        kinds: Vec<roadone_domain::EventKind>,
    ) -> StoreResult<Vec<(CaseId, Event)>>;

    /// Stores orders in one transaction, creating customers not yet known; an order id
    /// already stored is left as it is (counted as known, or as a conflict if it differs).
    async fn add_orders(
        &self,
        orders: Vec<NewOrder>,
        at: DateTime<Utc>,
    ) -> StoreResult<OrdersOutcome>;
    /// The currencies orders are in, with how many orders each, most first.
    async fn order_currencies(&self) -> StoreResult<Vec<(String, u64)>>;
    /// The orders in `currency` in `[from, to)`, by time.
    async fn orders_in(
        &self,
        currency: String,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<OrderAmount>>;
    /// What `customer` bought, per currency, the most used first.
    async fn customer_orders(&self, customer: i64) -> StoreResult<Vec<OrderSummary>>;
    /// Every case with what customer math needs of it, by id.
    async fn case_outcomes(&self) -> StoreResult<Vec<CaseOutcome>>;

    // --- operations --------------------------------------------------------------------

    /// Whether the store's workers are alive, and how its writes are going; never waits.
    fn health(&self) -> crate::StoreHealth;

    /// A consistent copy of the whole store, taken while it keeps serving.
    async fn backup(&self, to: &Path) -> StoreResult<()>;
}
