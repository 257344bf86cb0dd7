//! The conformance suite every storage backend of Roadone runs.
//!
//! `roadone-store` says what a backend must do ([`Store`]); this crate checks that one
//! does. It is a crate of its own so that the store crate needs no async runtime, while
//! the checks here race tasks on tokio. A backend takes it as a dev-dependency.
//!
//! Each check is a public `async fn` that takes a fresh, empty store, drives it through
//! the [`Store`] interface with real events made by the domain rules (`open`, `decide`,
//! `timers_for`, `notifications_for`), and panics with a message naming the check and
//! the broken promise. A backend runs them all with [`run_all`], or one by one (so that
//! each failure is named by its own test) with [`conformance_checks!`], the one list of
//! checks:
//!
//! ```text
//! // the conformance tests of a backend, with roadone-conformance as a dev-dependency
//! macro_rules! one_test_per_check {
//!     ($($check:ident),* $(,)?) => {$(
//!         #[tokio::test(flavor = "multi_thread")]
//!         async fn $check() {
//!             let dir = tempfile::tempdir().unwrap(); // kept alive as long as the store
//!             roadone_conformance::$check(MyStore::open(dir.path())).await;
//!         }
//!     )*};
//! }
//! roadone_conformance::conformance_checks!(one_test_per_check);
//!
//! // or all of them in one test
//! #[tokio::test(flavor = "multi_thread")]
//! async fn conformance() {
//!     let dirs = std::sync::Mutex::new(Vec::new());
//!     roadone_conformance::run_all(|| {
//!         let dir = tempfile::tempdir().unwrap();
//!         let store = MyStore::open(dir.path());
//!         dirs.lock().unwrap().push(dir); // keep it alive as long as the store
//!         async move { store }
//!     })
//!     .await;
//! }
//! ```
//!
//! The concurrency checks spawn tasks with `tokio::spawn` so that they really run at
//! once: run the suite on a multi-threaded runtime (`#[tokio::test(flavor =
//! "multi_thread")]`). A backend that passes them one server at a time may still fail
//! them with several: claims, single-use links and customer upserts must be decided by
//! the write itself (row locks that skip what another claimant holds, conditional
//! updates, upserts on a unique key), not by a read before it.
//!
//! [`Fixture`] (a small hierarchy, two categories and helpers that open and act on cases
//! exactly as the server does) is public too, for a backend's own tests (persistence,
//! backups).

use chrono::{DateTime, Duration, TimeZone, Utc};
use roadone_domain::{Actor, CaseId, Command, PersonId};
use roadone_store::records::*;
use roadone_store::Store;
use std::future::Future;
use std::sync::Arc;

mod calls;
mod canned;
mod cases;
mod concurrency;
mod concurrent_claims;
mod concurrent_customers;
mod directory;
mod directory_version;
mod experiments;
mod fixture;
mod hierarchy;
mod instances;
mod junk;
mod languages;
mod listing;
mod merges;
mod outbox;
mod password_links;
mod phone_lines;
mod reports;
mod search;
mod second_factor;
mod sign_in;
mod time_zones;
mod timers;
mod views;

pub use calls::calls;
pub use canned::canned_replies;
pub use cases::{append, idempotency, open_case};
pub use concurrency::{concurrent_appends, concurrent_opens};
pub use concurrent_claims::{
    concurrent_outbox_claims, concurrent_sign_in_redemptions, concurrent_timer_claims,
};
pub use concurrent_customers::{concurrent_customer_upserts, concurrent_orders};
pub use directory::{categories, category_updates, people, settings, tokens};
pub use directory_version::directory_version;
pub use experiments::experiments;
pub use fixture::{load, Fixture};
pub use hierarchy::hierarchy_checks;
pub use instances::{backlog, inbound_messages, instances};
pub use junk::{junk_filter, suspended_mail};
pub use languages::customer_languages;
pub use listing::list_cases;
pub use merges::customer_merges;
pub use outbox::outbox;
pub use password_links::{concurrent_password_redemptions, password_links};
pub use phone_lines::phone_lines;
pub use reports::{orders_and_outcomes, report_events};
pub use search::{event_feed, full_text_search};
pub use second_factor::{concurrent_second_factor_uses, second_factor};
pub use sign_in::{customer_lookup, customer_sign_in, staff_sign_in};
pub use time_zones::time_zones;
pub use timers::{timer_sweep, timers};
pub use views::{case_view_pages, case_views, saved_views};

/// Calls `$then!` with the name of every check, in the order [`run_all`] runs them. It is
/// the one list of checks: [`run_all`], [`CHECKS`] and a backend's own tests (one test per
/// check, see `crates/sqlite/tests/it/conformance.rs`) are all made from it, so a new check
/// cannot be left out of any of them.
#[macro_export]
macro_rules! conformance_checks {
    ($then:ident) => {
        $then!(
            people,
            categories,
            tokens,
            directory_version,
            hierarchy_checks,
            open_case,
            idempotency,
            append,
            concurrent_appends,
            concurrent_opens,
            timers,
            timer_sweep,
            outbox,
            list_cases,
            case_views,
            case_view_pages,
            saved_views,
            canned_replies,
            customer_merges,
            customer_sign_in,
            staff_sign_in,
            password_links,
            second_factor,
            event_feed,
            full_text_search,
            category_updates,
            settings,
            time_zones,
            customer_languages,
            customer_lookup,
            report_events,
            orders_and_outcomes,
            instances,
            backlog,
            inbound_messages,
            suspended_mail,
            junk_filter,
            calls,
            phone_lines,
            experiments,
            // Races last: they assume the promises above, one writer at a time, are kept.
            concurrent_timer_claims,
            concurrent_outbox_claims,
            concurrent_sign_in_redemptions,
            concurrent_password_redemptions,
            concurrent_second_factor_uses,
            concurrent_customer_upserts,
            concurrent_orders,
        );
    };
}

macro_rules! run_all_and_names {
    ($($check:ident),* $(,)?) => {
        /// Runs every check, each against a fresh, empty store made by `make`.
        pub async fn run_all<S, F, Fut>(make: F)
        where
            S: Store,
            F: Fn() -> Fut,
            Fut: Future<Output = S>,
        {
            $($check(make().await).await;)*
        }

        /// The names of the checks [`run_all`] runs, in order (for reports).
        pub const CHECKS: &[&str] = &[$(stringify!($check)),*];
    };
}

crate::conformance_checks!(run_all_and_names);

/// How long the checks lease timers and notifications for.
pub const LEASE: Duration = Duration::minutes(5);
/// The instance the checks claim work as.
const SERVER: &str = "conformance";

/// The moment the checks' story starts: a Monday morning.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 3, 9, 0, 0)
        .single()
        .expect("a valid date")
}

fn hours(h: i64) -> Duration {
    Duration::hours(h)
}

fn minutes(m: i64) -> Duration {
    Duration::minutes(m)
}

fn seconds(s: i64) -> Duration {
    Duration::seconds(s)
}

fn everything() -> CaseFilter {
    CaseFilter {
        limit: 1000,
        ..CaseFilter::default()
    }
}

fn ids(heads: &[CaseHead]) -> Vec<CaseId> {
    heads.iter().map(|h| h.id).collect()
}

fn sorted(mut timers: Vec<DueTimer>) -> Vec<DueTimer> {
    timers.sort_by_key(|t| (t.case_id, t.kind, t.due_at));
    timers
}

fn person(id: PersonId) -> Actor {
    Actor::Person { id }
}

fn solve() -> Command {
    Command::Solve {
        resolution: "Refunded the double charge.".into(),
        road: 2,
        learned: "Retries charge twice.".into(),
    }
}

fn pass_up() -> Command {
    Command::PassUp {
        to: None,
        reason: "needs a refund approval".into(),
    }
}

async fn list<S: Store + ?Sized>(store: &S, filter: CaseFilter) -> Vec<CaseHead> {
    store
        .list_cases(filter.clone())
        .await
        .unwrap_or_else(|e| panic!("list_cases({filter:?}) failed: {e}"))
}

async fn claim_timers<S: Store + ?Sized>(
    store: &S,
    now: DateTime<Utc>,
    limit: u32,
) -> Vec<DueTimer> {
    store
        .claim_due_timers(SERVER, now, LEASE, limit)
        .await
        .unwrap_or_else(|e| panic!("claim_due_timers at {now} failed: {e}"))
}

async fn claim_outbox<S: Store + ?Sized>(store: &S, now: DateTime<Utc>) -> Vec<OutboxRow> {
    store
        .claim_outbox(SERVER, now, LEASE, 100)
        .await
        .unwrap_or_else(|e| panic!("claim_outbox at {now} failed: {e}"))
}

async fn next_due<S: Store + ?Sized>(store: &S) -> Option<DateTime<Utc>> {
    store
        .next_timer_due()
        .await
        .unwrap_or_else(|e| panic!("next_timer_due failed: {e}"))
}

/// Runs `racer(i)` for every `i` below `n`, each in a task of its own, all let go at the
/// same moment; the results in the order of `i`.
async fn race<T, F, Fut>(check: &str, n: usize, racer: F) -> Vec<T>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let start = Arc::new(tokio::sync::Barrier::new(n));
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let (start, run) = (start.clone(), racer(i));
            tokio::spawn(async move {
                start.wait().await;
                run.await
            })
        })
        .collect();
    let mut results = Vec::with_capacity(n);
    for (i, task) in tasks.into_iter().enumerate() {
        results.push(
            task.await
                .unwrap_or_else(|e| panic!("{check}: racer {i} panicked: {e}")),
        );
    }
    results
}
