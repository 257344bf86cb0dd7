//! The conformance suite every backend runs.
//!
//! Each check is a public `async fn` that takes a fresh, empty store, drives it through
//! the [`Store`] interface with real events made by the domain rules (`open`, `decide`,
//! `timers_for`, `notifications_for`), and panics with a message naming the check and
//! the broken promise. A backend runs them all with [`run_all`], or one by one (so that
//! each failure is named by its own test):
//!
//! ```text
//! #[tokio::test(flavor = "multi_thread")]
//! async fn conformance() {
//!     let dirs = std::sync::Mutex::new(Vec::new());
//!     roadone_store::conformance::run_all(|| {
//!         let dir = tempfile::tempdir().unwrap();
//!         let store = MyStore::open(dir.path());
//!         dirs.lock().unwrap().push(dir); // keep it alive as long as the store
//!         async move { store }
//!     })
//!     .await;
//! }
//! ```
//!
//! The concurrency check spawns tasks with `tokio::spawn`: run the suite on a
//! multi-threaded runtime (`#[tokio::test(flavor = "multi_thread")]`).
//!
//! [`Fixture`] (a small hierarchy, two categories and helpers that open and act on cases
//! exactly as the server does) is public too, for a backend's own tests (persistence,
//! backups).

use crate::error::StoreError;
use crate::records::*;
use crate::store::Store;
use chrono::{DateTime, Duration, TimeZone, Utc};
use roadone_domain::notification::notifications_for;
use roadone_domain::{
    decide, open, timers_for, Actor, Case, CaseId, CaseStatus, Category, Channel, ChecklistItem,
    Command, Context, Customer, Event, EventBody, Hierarchy, Intake, Notification, Person,
    PersonId, Realtime, Recipient, Role, Rules, TimerKind,
};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

mod instances;
pub use instances::{backlog, inbound_messages, instances};

/// Runs every check, each against a fresh, empty store made by `make`.
pub async fn run_all<S, F, Fut>(make: F)
where
    S: Store,
    F: Fn() -> Fut,
    Fut: Future<Output = S>,
{
    people(make().await).await;
    categories(make().await).await;
    tokens(make().await).await;
    open_case(make().await).await;
    idempotency(make().await).await;
    append(make().await).await;
    concurrent_appends(make().await).await;
    concurrent_opens(make().await).await;
    timers(make().await).await;
    timer_sweep(make().await).await;
    outbox(make().await).await;
    list_cases(make().await).await;
    customer_sign_in(make().await).await;
    staff_sign_in(make().await).await;
    event_feed(make().await).await;
    full_text_search(make().await).await;
    category_updates(make().await).await;
    settings(make().await).await;
    customer_lookup(make().await).await;
    report_events(make().await).await;
    orders_and_outcomes(make().await).await;
    instances(make().await).await;
    backlog(make().await).await;
    inbound_messages(make().await).await;
}

/// The names of the checks [`run_all`] runs, in order (for reports).
pub const CHECKS: &[&str] = &[
    "people",
    "categories",
    "tokens",
    "open_case",
    "idempotency",
    "append",
    "concurrent_appends",
    "concurrent_opens",
    "timers",
    "timer_sweep",
    "outbox",
    "list_cases",
    "customer_sign_in",
    "staff_sign_in",
    "event_feed",
    "full_text_search",
    "category_updates",
    "settings",
    "customer_lookup",
    "report_events",
    "orders_and_outcomes",
    "instances",
    "backlog",
    "inbound_messages",
];

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

// --- the fixture --------------------------------------------------------------------

/// A small organisation stored in a backend, and helpers that make cases the way the
/// server does: events decided by the domain rules, with their timers and notifications.
///
/// ```text
/// exec (executive, top)         ← executive of both categories
/// └── manager                    ← manager of both categories
///     └── staff
///         ├── frontline
///         └── frontline2
/// ```
pub struct Fixture {
    pub exec: Person,
    pub manager: Person,
    pub staff: Person,
    pub frontline: Person,
    pub frontline2: Person,
    /// Checklist: `account` (required), `order` (optional).
    pub billing: Category,
    /// No checklist.
    pub delivery: Category,
    /// Escalation after 20 h, idle reminder after 4 h, deadline warning at 80 % (16 h).
    pub rules: Rules,
    pub hierarchy: Hierarchy,
    tokens: AtomicU64,
}

impl Fixture {
    /// Adds the people and categories to an empty store.
    pub async fn seed<S: Store + ?Sized>(store: &S) -> Fixture {
        async fn add<S: Store + ?Sized>(
            store: &S,
            name: &str,
            role: Role,
            reports_to: Option<PersonId>,
        ) -> Person {
            let email = format!("{name}@roadone.test");
            store
                .add_person(NewPerson {
                    name: name.to_string(),
                    email: email.clone(),
                    role,
                    reports_to,
                })
                .await
                .unwrap_or_else(|e| panic!("fixture: adding person {email} failed: {e}"))
        }
        let exec = add(store, "exec", Role::Executive, None).await;
        let manager = add(store, "manager", Role::Manager, Some(exec.id)).await;
        let staff = add(store, "staff", Role::Staff, Some(manager.id)).await;
        let frontline = add(store, "frontline", Role::Frontline, Some(staff.id)).await;
        let frontline2 = add(store, "frontline2", Role::Frontline, Some(staff.id)).await;
        let billing = Category {
            key: "billing".into(),
            name: "Billing".into(),
            checklist: vec![
                ChecklistItem {
                    key: "account".into(),
                    label: "Account number".into(),
                    required: true,
                    pattern: None,
                },
                ChecklistItem {
                    key: "order".into(),
                    label: "Order id".into(),
                    required: false,
                    pattern: None,
                },
            ],
            manager: manager.id,
            executive: exec.id,
        };
        let delivery = Category {
            key: "delivery".into(),
            name: "Delivery".into(),
            checklist: vec![],
            manager: manager.id,
            executive: exec.id,
        };
        for category in [&billing, &delivery] {
            store
                .add_category(category.clone())
                .await
                .unwrap_or_else(|e| {
                    panic!("fixture: adding category {} failed: {e}", category.key)
                });
        }
        let hierarchy = Hierarchy::new([
            exec.clone(),
            manager.clone(),
            staff.clone(),
            frontline.clone(),
            frontline2.clone(),
        ]);
        Fixture {
            exec,
            manager,
            staff,
            frontline,
            frontline2,
            billing,
            delivery,
            rules: Rules {
                escalate_after: hours(20),
                tickle_after: hours(4),
                deadline_warning: 0.8,
                promise_within: hours(24),
            },
            hierarchy,
            tokens: AtomicU64::new(1),
        }
    }

    pub fn category(&self, key: &str) -> &Category {
        [&self.billing, &self.delivery]
            .into_iter()
            .find(|c| c.key == key)
            .unwrap_or_else(|| panic!("fixture: no category {key}"))
    }

    fn ctx(&self, category: &str, now: DateTime<Utc>) -> Context<'_> {
        Context {
            hierarchy: &self.hierarchy,
            category: self.category(category),
            rules: &self.rules,
            now,
        }
    }

    /// A fresh customer token (unique within this fixture).
    pub fn next_token(&self) -> String {
        format!("ctok-{:08}", self.tokens.fetch_add(1, Ordering::Relaxed))
    }

    /// A complete intake for `category` from the customer with `email`.
    pub fn intake(&self, category: &str, email: &str, subject: &str) -> Intake {
        let customer = Customer {
            email: Some(email.to_string()),
            name: Some("A Customer".into()),
            ..Customer::default()
        };
        self.intake_from(category, customer, subject)
    }

    pub fn intake_from(&self, category: &str, customer: Customer, subject: &str) -> Intake {
        let facts = match category {
            "billing" => BTreeMap::from([("account".to_string(), "ACC-1001".to_string())]),
            _ => BTreeMap::new(),
        };
        Intake {
            customer,
            category: category.to_string(),
            subject: subject.to_string(),
            body: format!("Body of {subject:?}"),
            channel: Channel::Email,
            facts,
            missing_facts: vec![],
            realtime: Realtime::default(),
            attachments: vec![],
        }
    }

    /// What the server hands the store to open `intake`, taken in by `by` at `at`.
    pub fn new_case(&self, by: PersonId, intake: &Intake, at: DateTime<Utc>) -> NewCase {
        let opened = open(intake, by, self.ctx(&intake.category, at))
            .unwrap_or_else(|e| panic!("fixture: the domain refused the intake {intake:?}: {e}"));
        let case = Case::from_events(std::slice::from_ref(&opened)).expect("an opened event folds");
        NewCase {
            timers: timers_for(&case, &self.rules),
            outbox: notifications_for(&opened, &case),
            customer: intake.customer.clone(),
            customer_token: self.next_token(),
            idempotency: None,
            opened,
            case,
        }
    }

    /// Opens a case and insists that it was created.
    pub async fn open<S: Store + ?Sized>(
        &self,
        store: &S,
        by: PersonId,
        category: &str,
        email: &str,
        subject: &str,
        at: DateTime<Utc>,
    ) -> CaseHead {
        let new = self.new_case(by, &self.intake(category, email, subject), at);
        match store.open_case(new).await {
            Ok(OpenOutcome::Created(head)) => head,
            other => panic!("fixture: opening case {subject:?} must create it, got {other:?}"),
        }
    }

    /// The append that `command` by `actor` at `at` makes on a case whose log is `events`,
    /// expecting the version the log ends at.
    pub fn append_for(
        &self,
        events: &[Event],
        command: &Command,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Append {
        let mut case = Case::from_events(events)
            .unwrap_or_else(|e| panic!("fixture: a stored log does not fold: {e}"));
        let expected_version = case.version;
        let new_events = decide(&case, command, actor, self.ctx(&case.category, at))
            .unwrap_or_else(|e| {
                panic!(
                    "fixture: the domain refused {} by {actor:?}: {e}",
                    command.name()
                )
            });
        let mut outbox = Vec::new();
        for event in &new_events {
            case.apply(event).expect("a decided event folds");
            outbox.extend(notifications_for(event, &case));
        }
        Append {
            case_id: 0,
            expected_version,
            events: new_events,
            timers: timers_for(&case, &self.rules),
            case,
            outbox,
        }
    }

    /// Loads the case, decides `command` against it and appends the result.
    pub async fn act<S: Store + ?Sized>(
        &self,
        store: &S,
        id: CaseId,
        command: Command,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> CaseHead {
        let stored = load(store, id).await;
        let append = Append {
            case_id: id,
            ..self.append_for(&stored.events, &command, actor, at)
        };
        store.append(append).await.unwrap_or_else(|e| {
            panic!(
                "fixture: appending {} to case {id} failed: {e}",
                command.name()
            )
        })
    }
}

/// The case, which must exist.
pub async fn load<S: Store + ?Sized>(store: &S, id: CaseId) -> StoredCase {
    match store.load_case(id).await {
        Ok(Some(stored)) => stored,
        other => panic!("load_case({id}) must return the stored case, got {other:?}"),
    }
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

// --- 1. people ----------------------------------------------------------------------

/// People get ids; emails are unique regardless of case; `reports_to` must exist.
pub async fn people<S: Store>(store: S) {
    let ada = store
        .add_person(NewPerson {
            name: "Ada".into(),
            email: "ada@example.com".into(),
            role: Role::Executive,
            reports_to: None,
        })
        .await
        .unwrap_or_else(|e| panic!("people: adding the first person failed: {e}"));
    assert_eq!(
        (
            ada.name.as_str(),
            ada.email.as_str(),
            ada.role,
            ada.reports_to,
            ada.active
        ),
        ("Ada", "ada@example.com", Role::Executive, None, true),
        "people: add_person must return the person as stored (active)"
    );
    let bo = store
        .add_person(NewPerson {
            name: "Bo".into(),
            email: "bo@example.com".into(),
            role: Role::Frontline,
            reports_to: Some(ada.id),
        })
        .await
        .unwrap_or_else(|e| {
            panic!(
                "people: adding a person reporting to {} failed: {e}",
                ada.id
            )
        });
    assert_ne!(bo.id, ada.id, "people: two people must get different ids");
    assert_eq!(
        bo.reports_to,
        Some(ada.id),
        "people: reports_to must be kept"
    );

    for email in ["ada@example.com", "ADA@Example.COM"] {
        let dup = NewPerson {
            name: "Ada again".into(),
            email: email.into(),
            role: Role::Staff,
            reports_to: None,
        };
        match store.add_person(dup).await {
            Err(StoreError::Duplicate { field: "email", .. }) => {}
            other => panic!(
                "people: adding {email:?} when ada@example.com exists must fail with Duplicate {{ field: \"email\" }}, got {other:?}"
            ),
        }
    }

    let ghost_boss = ada.id.max(bo.id) + 1000;
    let orphan = NewPerson {
        name: "Cy".into(),
        email: "cy@example.com".into(),
        role: Role::Staff,
        reports_to: Some(ghost_boss),
    };
    match store.add_person(orphan).await {
        Err(StoreError::UnknownPerson { field: "reports_to", id }) if id == ghost_boss => {}
        other => panic!(
            "people: reports_to an unknown person must fail with UnknownPerson {{ field: \"reports_to\", id: {ghost_boss} }}, got {other:?}"
        ),
    }

    let mut all = store
        .people()
        .await
        .unwrap_or_else(|e| panic!("people: people() failed: {e}"));
    all.sort_by_key(|p| p.id);
    let mut expected = vec![ada.clone(), bo.clone()];
    expected.sort_by_key(|p| p.id);
    assert_eq!(
        all, expected,
        "people: people() must list exactly the two people added (no duplicate, no orphan)"
    );

    for query in ["ada@example.com", "ADA@EXAMPLE.COM", "Ada@Example.Com"] {
        let found = store
            .person_by_email(query)
            .await
            .unwrap_or_else(|e| panic!("people: person_by_email failed: {e}"));
        assert_eq!(
            found.as_ref(),
            Some(&ada),
            "people: person_by_email({query:?}) must find Ada case-insensitively"
        );
    }
    let found = store
        .person_by_email("cy@example.com")
        .await
        .unwrap_or_else(|e| panic!("people: {e}"));
    assert_eq!(
        found, None,
        "people: the refused person cy@example.com must not have been stored"
    );
    let found = store
        .person_by_email("nobody@example.com")
        .await
        .unwrap_or_else(|e| panic!("people: {e}"));
    assert_eq!(
        found, None,
        "people: person_by_email of an unknown email must be None"
    );
}

// --- 2. categories ------------------------------------------------------------------

/// Categories round-trip with their checklist; keys are unique; manager and executive must exist.
pub async fn categories<S: Store>(store: S) {
    let boss = store
        .add_person(NewPerson {
            name: "Boss".into(),
            email: "boss@example.com".into(),
            role: Role::Executive,
            reports_to: None,
        })
        .await
        .unwrap_or_else(|e| panic!("categories: adding a person failed: {e}"));
    let manager = store
        .add_person(NewPerson {
            name: "Manager".into(),
            email: "manager@example.com".into(),
            role: Role::Manager,
            reports_to: Some(boss.id),
        })
        .await
        .unwrap_or_else(|e| panic!("categories: adding a person failed: {e}"));
    let billing = Category {
        key: "billing".into(),
        name: "Billing".into(),
        checklist: vec![
            ChecklistItem {
                key: "account".into(),
                label: "Account number".into(),
                required: true,
                pattern: None,
            },
            ChecklistItem {
                key: "order".into(),
                label: "Order id (“if any”)".into(),
                required: false,
                pattern: None,
            },
        ],
        manager: manager.id,
        executive: boss.id,
    };
    let delivery = Category {
        key: "delivery".into(),
        name: "Delivery".into(),
        checklist: vec![],
        manager: manager.id,
        executive: boss.id,
    };
    for category in [&billing, &delivery] {
        let stored = store
            .add_category(category.clone())
            .await
            .unwrap_or_else(|e| panic!("categories: adding {} failed: {e}", category.key));
        assert_eq!(
            &stored, category,
            "categories: add_category must return the category as given"
        );
    }
    let mut listed = store
        .categories()
        .await
        .unwrap_or_else(|e| panic!("categories: categories() failed: {e}"));
    listed.sort_by(|a, b| a.key.cmp(&b.key));
    assert_eq!(
        listed,
        vec![billing.clone(), delivery.clone()],
        "categories: categories() must round-trip both, checklists included"
    );

    let again = Category {
        name: "Billing, again".into(),
        checklist: vec![],
        ..billing.clone()
    };
    match store.add_category(again).await {
        Err(StoreError::Duplicate { field: "key", .. }) => {}
        other => panic!("categories: a second category with key \"billing\" must fail with Duplicate {{ field: \"key\" }}, got {other:?}"),
    }

    let ghost = boss.id.max(manager.id) + 1000;
    let bad_manager = Category {
        key: "returns".into(),
        name: "Returns".into(),
        checklist: vec![],
        manager: ghost,
        executive: boss.id,
    };
    match store.add_category(bad_manager).await {
        Err(StoreError::UnknownPerson { field: "manager", id }) if id == ghost => {}
        other => panic!("categories: an unknown manager must fail with UnknownPerson {{ field: \"manager\", id: {ghost} }}, got {other:?}"),
    }
    let bad_exec = Category {
        key: "refunds".into(),
        name: "Refunds".into(),
        checklist: vec![],
        manager: manager.id,
        executive: ghost,
    };
    match store.add_category(bad_exec).await {
        Err(StoreError::UnknownPerson { field: "executive", id }) if id == ghost => {}
        other => panic!("categories: an unknown executive must fail with UnknownPerson {{ field: \"executive\", id: {ghost} }}, got {other:?}"),
    }

    let mut listed = store
        .categories()
        .await
        .unwrap_or_else(|e| panic!("categories: categories() failed: {e}"));
    listed.sort_by(|a, b| a.key.cmp(&b.key));
    assert_eq!(
        listed,
        vec![billing, delivery],
        "categories: refused categories must leave the stored ones exactly as they were"
    );
}

// --- 3. tokens ----------------------------------------------------------------------

/// A token digest finds its person; an unknown digest finds nobody.
pub async fn tokens<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let hash_a: Vec<u8> = (0u8..32).collect();
    let hash_b: Vec<u8> = (0u8..32).rev().collect();
    store
        .add_token(fx.staff.id, hash_a.clone(), "laptop")
        .await
        .unwrap_or_else(|e| panic!("tokens: add_token failed: {e}"));
    store
        .add_token(fx.manager.id, hash_b.clone(), "ci")
        .await
        .unwrap_or_else(|e| panic!("tokens: add_token failed: {e}"));
    let found = store
        .person_by_token(&hash_a)
        .await
        .unwrap_or_else(|e| panic!("tokens: person_by_token failed: {e}"));
    assert_eq!(
        found,
        Some(fx.staff.id),
        "tokens: person_by_token must return the token's person"
    );
    let found = store
        .person_by_token(&hash_b)
        .await
        .unwrap_or_else(|e| panic!("tokens: person_by_token failed: {e}"));
    assert_eq!(
        found,
        Some(fx.manager.id),
        "tokens: person_by_token must return the token's person"
    );
    let unknown = [7u8; 32];
    let found = store
        .person_by_token(&unknown)
        .await
        .unwrap_or_else(|e| panic!("tokens: person_by_token failed: {e}"));
    assert_eq!(
        found, None,
        "tokens: an unknown token digest must find nobody"
    );

    let listed = store
        .tokens()
        .await
        .unwrap_or_else(|e| panic!("tokens: listing failed: {e}"));
    assert_eq!(listed.len(), 2, "tokens: both are listed");
    assert!(
        listed.iter().any(|t| t.hash == hash_a
            && t.person_id == fx.staff.id
            && t.label == "laptop"
            && t.revoked_at.is_none()),
        "tokens: with their person and label: {listed:?}"
    );
    assert!(
        store
            .revoke_token(&hash_b, t0())
            .await
            .expect("revoke_token"),
        "tokens: revoking a known token"
    );
    assert_eq!(
        store
            .person_by_token(&hash_b)
            .await
            .expect("person_by_token"),
        None,
        "tokens: a revoked token finds nobody"
    );
    assert!(
        !store
            .revoke_token(&[9u8; 32], t0())
            .await
            .expect("revoke_token"),
        "tokens: revoking an unknown token says so"
    );
    let listed = store.tokens().await.expect("tokens");
    assert_eq!(
        listed
            .iter()
            .find(|t| t.hash == hash_b)
            .and_then(|t| t.revoked_at),
        Some(t0()),
        "tokens: the listing shows when it was revoked"
    );
    let ghost = fx.frontline2.id + 1000;
    match store.add_token(ghost, unknown.to_vec(), "ghost").await {
        Err(StoreError::UnknownPerson { .. }) => {}
        other => panic!(
            "tokens: a token for an unknown person must fail with UnknownPerson, got {other:?}"
        ),
    }
    let found = store
        .person_by_token(&unknown)
        .await
        .unwrap_or_else(|e| panic!("tokens: person_by_token failed: {e}"));
    assert_eq!(
        found, None,
        "tokens: a refused token must not have been stored"
    );
}

// --- 4. open_case -------------------------------------------------------------------

/// Opening stores the event, the projection row and the customer, all readable back.
pub async fn open_case<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let subject = "Invoice “Ünïcode” 'quoted' 100% _wild_";
    let mut intake = fx.intake("billing", "alice@example.com", subject);
    intake.customer.name = Some("Alice".into());
    intake.customer.phone = Some("+44 20 7946 0000".into());
    intake.facts.insert("order".into(), "ORD-77".into());
    let new = fx.new_case(fx.frontline.id, &intake, t0());
    let event = new.opened.clone();
    let token = new.customer_token.clone();
    let head = match store.open_case(new).await {
        Ok(OpenOutcome::Created(head)) => head,
        other => panic!("open_case: a new case must be Created, got {other:?}"),
    };
    assert_eq!(
        head.reference,
        case_reference(head.id),
        "open_case: reference must be case_reference(id)"
    );
    assert!(
        head.reference.starts_with("RD-"),
        "open_case: reference {:?} must start with RD-",
        head.reference
    );
    assert_eq!(
        head.status,
        CaseStatus::Open,
        "open_case: a new case is open"
    );
    assert_eq!(
        head.owner, fx.frontline.id,
        "open_case: the intake taker owns the case"
    );
    assert_eq!(head.version, 1, "open_case: a new case is at version 1");
    assert_eq!(head.category, "billing");
    assert_eq!(
        head.subject, subject,
        "open_case: the subject must round-trip exactly"
    );
    assert_eq!(
        head.customer_token, token,
        "open_case: the customer token must be kept"
    );
    assert_eq!(
        head.opened_at,
        t0(),
        "open_case: opened_at is the event's time"
    );
    assert_eq!(
        head.escalates_at,
        t0() + hours(20),
        "open_case: escalates_at comes from the case"
    );
    assert_eq!(
        head.promised_by,
        t0() + hours(24),
        "open_case: promised_by comes from the case"
    );
    assert_eq!(
        head.updated_at,
        t0(),
        "open_case: updated_at of a new case is its opening time"
    );

    let stored = load(&store, head.id).await;
    assert_eq!(
        stored.head, head,
        "open_case: load_case must return the same head open_case returned"
    );
    assert_eq!(
        stored.events,
        vec![event],
        "open_case: load_case must return exactly the opened event"
    );
    let missing = store
        .load_case(head.id + 1000)
        .await
        .unwrap_or_else(|e| panic!("open_case: load_case failed: {e}"));
    assert!(
        missing.is_none(),
        "open_case: load_case of an unknown id must be None"
    );

    let found = store
        .case_by_customer_token(&token)
        .await
        .unwrap_or_else(|e| panic!("open_case: {e}"));
    assert_eq!(
        found,
        Some(head.id),
        "open_case: case_by_customer_token must find the case"
    );
    let found = store
        .case_by_customer_token("no-such-token")
        .await
        .unwrap_or_else(|e| panic!("open_case: {e}"));
    assert_eq!(
        found, None,
        "open_case: an unknown customer token finds no case"
    );

    let customer = store
        .customer(head.customer_id)
        .await
        .unwrap_or_else(|e| panic!("open_case: customer() failed: {e}"))
        .unwrap_or_else(|| panic!("open_case: customer {} must exist", head.customer_id));
    assert_eq!(customer.id, head.customer_id);
    assert_eq!(
        customer.email.as_deref().map(str::to_lowercase).as_deref(),
        Some("alice@example.com")
    );
    assert_eq!(
        customer.name.as_deref(),
        Some("Alice"),
        "open_case: the customer's name must be stored"
    );
    assert_eq!(
        customer.phone.as_deref(),
        Some("+44 20 7946 0000"),
        "open_case: the customer's phone must be stored"
    );
    let nobody = store
        .customer(head.customer_id + 1000)
        .await
        .unwrap_or_else(|e| panic!("open_case: {e}"));
    assert_eq!(
        nobody, None,
        "open_case: customer() of an unknown id must be None"
    );

    let again = fx
        .open(
            &store,
            fx.frontline2.id,
            "delivery",
            "ALICE@Example.COM",
            "Parcel missing",
            t0() + minutes(5),
        )
        .await;
    assert_ne!(again.id, head.id, "open_case: a second case gets a new id");
    assert_ne!(again.customer_token, head.customer_token);
    assert_eq!(
        again.customer_id, head.customer_id,
        "open_case: the same customer email in another case must map to the same customer"
    );
    let other = fx
        .open(
            &store,
            fx.frontline.id,
            "delivery",
            "bob@example.com",
            "Parcel late",
            t0() + minutes(6),
        )
        .await;
    assert_ne!(
        other.customer_id, head.customer_id,
        "open_case: another email is another customer"
    );

    // A customer known only by an external id is found by it.
    let by_ext = |subject: &str| {
        let customer = Customer {
            external_id: Some("crm-42".into()),
            phone: Some("+1 555 0100".into()),
            ..Customer::default()
        };
        fx.new_case(
            fx.frontline.id,
            &fx.intake_from("delivery", customer, subject),
            t0() + minutes(7),
        )
    };
    let first = store
        .open_case(by_ext("First by external id"))
        .await
        .unwrap_or_else(|e| panic!("open_case: {e}"));
    let second = store
        .open_case(by_ext("Second by external id"))
        .await
        .unwrap_or_else(|e| panic!("open_case: {e}"));
    assert_ne!(first.head().id, second.head().id);
    assert_eq!(
        first.head().customer_id,
        second.head().customer_id,
        "open_case: the same external_id must map to the same customer"
    );
    let record = store
        .customer(first.head().customer_id)
        .await
        .unwrap_or_else(|e| panic!("open_case: {e}"));
    assert_eq!(
        record.and_then(|c| c.external_id).as_deref(),
        Some("crm-42")
    );

    let all = list(&store, everything()).await;
    assert_eq!(
        all.len(),
        5,
        "open_case: five cases were opened, list_cases shows {:?}",
        ids(&all)
    );

    // A customer token is one case's capability: reusing it is refused, and the refused
    // open leaves nothing behind (no case, no timers, no notification).
    for row in claim_outbox(&store, t0() + hours(1)).await {
        store
            .outbox_sent(row.id, t0() + hours(1))
            .await
            .unwrap_or_else(|e| panic!("open_case: outbox_sent failed: {e}"));
    }
    let next_before = next_due(&store).await;
    let clash = NewCase {
        customer_token: head.customer_token.clone(),
        ..fx.new_case(
            fx.frontline.id,
            &fx.intake("billing", "zed@example.com", "Clashing token"),
            t0() - hours(1),
        )
    };
    let refused = store.open_case(clash).await;
    assert!(
        refused.is_err(),
        "open_case: reusing another case's customer token must be refused, got {refused:?}"
    );
    assert_eq!(
        list(&store, everything()).await,
        all,
        "open_case: a refused open must not leave a case"
    );
    assert!(
        claim_outbox(&store, t0() + hours(2)).await.is_empty(),
        "open_case: a refused open must not leave a notification"
    );
    assert_eq!(
        next_due(&store).await,
        next_before,
        "open_case: a refused open must not leave timers"
    );
    let found = store
        .case_by_customer_token(&head.customer_token)
        .await
        .unwrap_or_else(|e| panic!("open_case: {e}"));
    assert_eq!(
        found,
        Some(head.id),
        "open_case: the token still belongs to the first case"
    );
}

// --- 5. idempotency -----------------------------------------------------------------

/// The same key and request replays the first case; another request with the key is refused.
pub async fn idempotency<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let intake = fx.intake("billing", "alice@example.com", "Charged twice");
    let key = |actor: PersonId, hash: &[u8]| IdempotencyKey {
        actor,
        key: "req-0001".into(),
        request_hash: hash.to_vec(),
    };
    // Each retry is a new request to the server: new event time, new token.
    let attempt = |actor: PersonId, hash: &[u8], at: DateTime<Utc>| NewCase {
        idempotency: Some(key(actor, hash)),
        ..fx.new_case(actor, &intake, at)
    };

    let first = match store
        .open_case(attempt(fx.frontline.id, b"hash-1", t0()))
        .await
    {
        Ok(OpenOutcome::Created(head)) => head,
        other => panic!("idempotency: the first request must be Created, got {other:?}"),
    };
    match store
        .open_case(attempt(fx.frontline.id, b"hash-1", t0() + seconds(3)))
        .await
    {
        Ok(OpenOutcome::Replayed(head)) => {
            assert_eq!(
                head, first,
                "idempotency: a replay must return the first case's head unchanged"
            )
        }
        other => panic!("idempotency: the same key and request must be Replayed, got {other:?}"),
    }
    let all = list(&store, everything()).await;
    assert_eq!(
        ids(&all),
        vec![first.id],
        "idempotency: a replay must not create a second case"
    );

    match store
        .open_case(attempt(fx.frontline.id, b"hash-2", t0() + seconds(5)))
        .await
    {
        Err(StoreError::IdempotencyMismatch) => {}
        other => {
            panic!("idempotency: the same key with another request must fail with IdempotencyMismatch, got {other:?}")
        }
    }
    let all = list(&store, everything()).await;
    assert_eq!(
        ids(&all),
        vec![first.id],
        "idempotency: a refused request must not create a case"
    );

    let theirs = match store
        .open_case(attempt(fx.frontline2.id, b"hash-1", t0() + seconds(7)))
        .await
    {
        Ok(OpenOutcome::Created(head)) => head,
        other => {
            panic!("idempotency: the same key from another actor is another request and must be Created, got {other:?}")
        }
    };
    assert_ne!(theirs.id, first.id);
    assert_eq!(theirs.owner, fx.frontline2.id);
    let mut all = ids(&list(&store, everything()).await);
    all.sort();
    let mut expected = vec![first.id, theirs.id];
    expected.sort();
    assert_eq!(all, expected, "idempotency: exactly two cases must exist");

    // Only the created cases enqueued an acknowledgment.
    let rows = claim_outbox(&store, t0() + minutes(1)).await;
    let mut acked: Vec<CaseId> = rows.iter().map(|r| r.case_id).collect();
    acked.sort();
    assert_eq!(
        acked, expected,
        "idempotency: a replayed or refused request must not enqueue notifications"
    );
}

// --- 6. append ----------------------------------------------------------------------

/// Appends need the current version; they move the projection and leave nothing behind when refused.
pub async fn append<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let opened = fx
        .open(
            &store,
            fx.frontline.id,
            "billing",
            "alice@example.com",
            "Charged twice",
            t0(),
        )
        .await;
    let before = load(&store, opened.id).await;

    let passed = fx
        .act(
            &store,
            opened.id,
            pass_up(),
            person(fx.frontline.id),
            t0() + hours(1),
        )
        .await;
    assert_eq!(passed.id, opened.id);
    assert_eq!(
        passed.owner, fx.staff.id,
        "append: a pass-up must move head.owner to the person above"
    );
    assert_eq!(
        passed.version, 2,
        "append: one event moves the version from 1 to 2"
    );
    assert_eq!(passed.status, CaseStatus::Open);
    assert_eq!(
        passed.updated_at,
        t0() + hours(1),
        "append: updated_at is the time of the last event"
    );
    assert_eq!(
        passed.opened_at, opened.opened_at,
        "append: opened_at never changes"
    );
    assert_eq!(passed.customer_token, opened.customer_token);
    let after = load(&store, opened.id).await;
    assert_eq!(
        after.head, passed,
        "append: load_case must show the head append returned"
    );
    assert_eq!(
        after.events.len(),
        2,
        "append: the log must hold opened and passed_up"
    );
    assert_eq!(
        after.events[0], before.events[0],
        "append: earlier events never change"
    );
    assert!(
        matches!(after.events[1].body, EventBody::PassedUp { to, .. } if to == fx.staff.id),
        "append: the second event must be the pass-up, got {:?}",
        after.events[1]
    );

    // Deliver everything so far, to see that a refused append enqueues nothing.
    for row in claim_outbox(&store, t0() + hours(1)).await {
        store
            .outbox_sent(row.id, t0() + hours(1))
            .await
            .unwrap_or_else(|e| panic!("append: outbox_sent failed: {e}"));
    }
    let next_before = next_due(&store).await;
    assert!(next_before.is_some(), "append: an open case has timers");

    // The manager decides on the stale state (version 1) and loses.
    let mut stale = fx.append_for(
        &before.events,
        &Command::Take,
        person(fx.manager.id),
        t0() + hours(2),
    );
    stale.case_id = opened.id;
    stale.timers = vec![];
    assert_eq!(stale.expected_version, 1);
    match store.append(stale).await {
        Err(StoreError::VersionConflict { case_id, expected: 1, actual: 2 }) if case_id == opened.id => {}
        other => panic!(
            "append: expected_version 1 on a case at version 2 must fail with VersionConflict {{ expected: 1, actual: 2 }}, got {other:?}"
        ),
    }
    assert_eq!(
        load(&store, opened.id).await,
        after,
        "append: a refused append must leave the case and its log unchanged"
    );
    assert!(
        claim_outbox(&store, t0() + hours(3)).await.is_empty(),
        "append: a refused append must not enqueue notifications"
    );
    assert_eq!(
        next_due(&store).await,
        next_before,
        "append: a refused append must not touch the case's timers"
    );

    let ghost = opened.id + 1000;
    let mut lost = fx.append_for(
        &after.events,
        &solve(),
        person(fx.staff.id),
        t0() + hours(2),
    );
    lost.case_id = ghost;
    match store.append(lost).await {
        Err(StoreError::CaseNotFound(id)) if id == ghost => {}
        other => panic!("append: appending to an unknown case must fail with CaseNotFound({ghost}), got {other:?}"),
    }

    // Solve, then a customer reply appends two events at once and reopens the case.
    let solved = fx
        .act(
            &store,
            opened.id,
            solve(),
            person(fx.staff.id),
            t0() + hours(2),
        )
        .await;
    assert_eq!(
        (solved.status, solved.version, solved.owner),
        (CaseStatus::Solved, 3, fx.staff.id),
        "append: solve"
    );
    let reply = Command::CustomerReply {
        body: "It happened again.".into(),
        attachments: vec![],
    };
    let reopened = fx
        .act(&store, opened.id, reply, Actor::Customer, t0() + hours(3))
        .await;
    assert_eq!(
        reopened.version, 5,
        "append: two events in one append move the version by two"
    );
    assert_eq!(
        reopened.status,
        CaseStatus::Open,
        "append: a customer reply reopens a solved case"
    );
    assert_eq!(
        reopened.owner, fx.staff.id,
        "append: a reopened case goes back to its last owner"
    );
    assert_eq!(
        reopened.escalates_at,
        t0() + hours(23),
        "append: reopening restarts the escalation clock"
    );
    let last = load(&store, opened.id).await;
    assert_eq!(last.head, reopened);
    let kinds: Vec<&str> = last.events.iter().map(|e| e.body.kind()).collect();
    assert_eq!(
        kinds,
        [
            "opened",
            "passed_up",
            "solved",
            "customer_replied",
            "reopened"
        ],
        "append: the log, in order"
    );
    let seqs: Vec<u32> = last.events.iter().map(|e| e.seq).collect();
    assert_eq!(
        seqs,
        [1, 2, 3, 4, 5],
        "append: events come back ordered by seq"
    );
    let folded = Case::from_events(&last.events)
        .unwrap_or_else(|e| panic!("append: the stored log does not fold: {e}"));
    assert_eq!(
        (folded.version, folded.owner, folded.status),
        (5, fx.staff.id, CaseStatus::Open)
    );
}

// --- 7. concurrency -----------------------------------------------------------------

/// Of 50 racing appends at the same version, exactly one wins.
pub async fn concurrent_appends<S: Store>(store: S) {
    let store = Arc::new(store);
    let fx = Fixture::seed(&*store).await;
    let head = fx
        .open(
            &*store,
            fx.frontline.id,
            "billing",
            "alice@example.com",
            "Racing",
            t0(),
        )
        .await;
    let stored = load(&*store, head.id).await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let command = Command::SendMessage {
            body: format!("message {i}"),
            attachments: vec![],
        };
        let mut append = fx.append_for(
            &stored.events,
            &command,
            person(fx.frontline.id),
            t0() + minutes(1),
        );
        append.case_id = head.id;
        let store = store.clone();
        tasks.push(tokio::spawn(async move { store.append(append).await }));
    }
    let mut winners = Vec::new();
    for (i, task) in tasks.into_iter().enumerate() {
        match task.await.unwrap_or_else(|e| panic!("concurrent_appends: task {i} panicked: {e}")) {
            Ok(head) => winners.push((i, head)),
            Err(StoreError::VersionConflict { expected: 1, actual: 2, .. }) => {}
            Err(e) => panic!("concurrent_appends: a losing append must fail with VersionConflict {{ expected: 1, actual: 2 }}, got {e:?}"),
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "concurrent_appends: exactly one of 50 racing appends must succeed, {} did",
        winners.len()
    );
    let (winner, won) = &winners[0];
    assert_eq!(won.version, 2);
    let after = load(&*store, head.id).await;
    assert_eq!(
        after.events.len(),
        2,
        "concurrent_appends: the log must hold exactly one appended event"
    );
    assert_eq!(after.head.version, 2);
    match &after.events[1].body {
        EventBody::MessageSent { body, .. } => {
            assert_eq!(
                body,
                &format!("message {winner}"),
                "concurrent_appends: the stored event must be the winner's"
            )
        }
        other => {
            panic!("concurrent_appends: the appended event must be message_sent, got {other:?}")
        }
    }
}

/// 200 racing opens all succeed, with distinct ids and one customer per email.
pub async fn concurrent_opens<S: Store>(store: S) {
    let store = Arc::new(store);
    let fx = Fixture::seed(&*store).await;
    let mut tasks = Vec::new();
    for i in 0..200i64 {
        let email = format!("customer{}@example.com", i % 20);
        let by = if i % 2 == 0 {
            fx.frontline.id
        } else {
            fx.frontline2.id
        };
        let new = fx.new_case(
            by,
            &fx.intake("billing", &email, &format!("Concurrent {i}")),
            t0() + seconds(i),
        );
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            (i, email, store.open_case(new).await)
        }));
    }
    let mut heads = Vec::new();
    for task in tasks {
        let (i, email, result) = task
            .await
            .unwrap_or_else(|e| panic!("concurrent_opens: a task panicked: {e}"));
        match result {
            Ok(OpenOutcome::Created(head)) => {
                assert_eq!(
                    head.subject,
                    format!("Concurrent {i}"),
                    "concurrent_opens: a reply must describe its own case"
                );
                heads.push((email, head));
            }
            other => panic!("concurrent_opens: open {i} must be Created, got {other:?}"),
        }
    }
    let distinct: BTreeSet<CaseId> = heads.iter().map(|(_, h)| h.id).collect();
    assert_eq!(
        distinct.len(),
        200,
        "concurrent_opens: 200 opens must get 200 distinct ids"
    );
    let tokens: BTreeSet<&str> = heads
        .iter()
        .map(|(_, h)| h.customer_token.as_str())
        .collect();
    assert_eq!(tokens.len(), 200);
    let mut customers: BTreeMap<&str, BTreeSet<i64>> = BTreeMap::new();
    for (email, head) in &heads {
        customers
            .entry(email.as_str())
            .or_default()
            .insert(head.customer_id);
    }
    assert_eq!(customers.len(), 20);
    for (email, ids) in &customers {
        assert_eq!(
            ids.len(),
            1,
            "concurrent_opens: all cases of {email} must share one customer, got {ids:?}"
        );
    }
    let customer_ids: BTreeSet<i64> = customers.values().flatten().copied().collect();
    assert_eq!(
        customer_ids.len(),
        20,
        "concurrent_opens: 20 emails must be 20 customers"
    );

    let all = list(&*store, everything()).await;
    assert_eq!(
        all.len(),
        200,
        "concurrent_opens: list_cases must show all 200 cases"
    );
    for (_, head) in &heads {
        let stored = load(&*store, head.id).await;
        assert_eq!(
            &stored.head, head,
            "concurrent_opens: case {} must read back as opened",
            head.id
        );
        assert_eq!(stored.events.len(), 1);
    }

    // Refused opens racing with good ones (they may share a commit) harm nobody and leave nothing.
    let taken = heads[0].1.customer_token.clone();
    let mut tasks = Vec::new();
    for i in 0..40i64 {
        let mut new = fx.new_case(
            fx.frontline.id,
            &fx.intake("delivery", "mixed@example.com", &format!("Mixed {i}")),
            t0() + hours(1),
        );
        if i % 2 == 1 {
            new.customer_token = taken.clone();
        }
        let store = store.clone();
        tasks.push(tokio::spawn(async move { (i, store.open_case(new).await) }));
    }
    for task in tasks {
        let (i, result) = task
            .await
            .unwrap_or_else(|e| panic!("concurrent_opens: a task panicked: {e}"));
        match (i % 2, result) {
            (0, Ok(OpenOutcome::Created(_))) | (1, Err(_)) => {}
            (0, other) => panic!("concurrent_opens: open {i} with a fresh token must be Created, got {other:?}"),
            (_, other) => panic!("concurrent_opens: open {i} reusing a customer token must be refused, got {other:?}"),
        }
    }
    let all = list(&*store, everything()).await;
    assert_eq!(
        all.len(),
        220,
        "concurrent_opens: 200 + 20 cases must exist after 20 refused opens"
    );
    let acks = store
        .claim_outbox(SERVER, t0() + hours(2), LEASE, 1000)
        .await
        .unwrap_or_else(|e| panic!("concurrent_opens: {e}"));
    assert_eq!(
        acks.len(),
        220,
        "concurrent_opens: one acknowledgment per created case, none for refused ones"
    );
    let timers = claim_timers(&*store, t0() + hours(100), 1000).await;
    assert_eq!(
        timers.len(),
        660,
        "concurrent_opens: three timers per created case, none for refused ones"
    );
}

// --- 8. timers ----------------------------------------------------------------------

/// Timers fall due at their time, are leased while claimed, and are replaced by appends.
pub async fn timers<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    assert_eq!(
        next_due(&store).await,
        None,
        "timers: an empty store has no next timer"
    );
    let a = fx
        .open(
            &store,
            fx.frontline.id,
            "billing",
            "alice@example.com",
            "Timers",
            t0(),
        )
        .await;
    assert_eq!(
        next_due(&store).await,
        Some(t0() + hours(4)),
        "timers: the earliest timer is the idle reminder at +4 h"
    );

    assert!(
        claim_timers(&store, t0() + hours(1), 100).await.is_empty(),
        "timers: nothing is due one hour after opening"
    );
    let expected = sorted(vec![
        DueTimer {
            case_id: a.id,
            kind: TimerKind::TickleIdle,
            due_at: t0() + hours(4),
        },
        DueTimer {
            case_id: a.id,
            kind: TimerKind::TickleDeadline,
            due_at: t0() + hours(16),
        },
        DueTimer {
            case_id: a.id,
            kind: TimerKind::Escalate,
            due_at: t0() + hours(20),
        },
    ]);
    let now = t0() + hours(20) + seconds(1);
    let due = sorted(claim_timers(&store, now, 100).await);
    assert!(
        due.iter()
            .any(|t| t.case_id == a.id && t.kind == TimerKind::Escalate),
        "timers: after escalates_at the escalation must be due, got {due:?}"
    );
    assert_eq!(
        due, expected,
        "timers: after escalates_at all three timers are due"
    );
    assert!(
        claim_timers(&store, now, 100).await.is_empty(),
        "timers: claimed timers are leased, not claimable again"
    );
    assert!(
        claim_timers(&store, now + LEASE - seconds(1), 100)
            .await
            .is_empty(),
        "timers: claimed timers stay leased until the lease ends"
    );
    let again = sorted(claim_timers(&store, now + LEASE + seconds(1), 100).await);
    assert_eq!(
        again, expected,
        "timers: after the lease the unfired timers are claimable again"
    );

    // A solved case has no timers: the append's empty set replaces them.
    let solved = fx
        .act(
            &store,
            a.id,
            solve(),
            person(fx.frontline.id),
            now + LEASE + seconds(2),
        )
        .await;
    assert_eq!(solved.status, CaseStatus::Solved);
    assert!(
        claim_timers(&store, t0() + hours(1000), 100)
            .await
            .is_empty(),
        "timers: after an append with no timers the case has none"
    );
    assert_eq!(
        next_due(&store).await,
        None,
        "timers: with the only case solved there is no next timer"
    );

    // An append replaces the whole set: a pass-up is activity, so the idle reminder moves.
    let b = fx
        .open(
            &store,
            fx.frontline.id,
            "billing",
            "bob@example.com",
            "Timers B",
            t0(),
        )
        .await;
    fx.act(
        &store,
        b.id,
        pass_up(),
        person(fx.frontline.id),
        t0() + hours(1),
    )
    .await;
    assert_eq!(
        next_due(&store).await,
        Some(t0() + hours(5)),
        "timers: after the pass-up the idle reminder is at +5 h"
    );
    assert!(
        claim_timers(&store, t0() + hours(4) + minutes(30), 100)
            .await
            .is_empty(),
        "timers: the reminder due at +4 h was replaced by the pass-up's timers"
    );
    let due = claim_timers(&store, t0() + hours(5), 100).await;
    assert_eq!(
        due,
        vec![DueTimer {
            case_id: b.id,
            kind: TimerKind::TickleIdle,
            due_at: t0() + hours(5)
        }],
        "timers: a timer is due at exactly its due time"
    );
}

/// A sweep claims exactly the due timers, never one twice, however it is batched.
pub async fn timer_sweep<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let mut cases = Vec::new();
    for i in 0..100 {
        let head = fx
            .open(
                &store,
                fx.frontline.id,
                "delivery",
                &format!("c{i}@example.com"),
                &format!("Sweep {i}"),
                t0() + minutes(i),
            )
            .await;
        cases.push(head.id);
    }
    assert_eq!(
        next_due(&store).await,
        Some(t0() + hours(4)),
        "timer_sweep: the earliest timer is case 0's idle reminder"
    );

    // Idle reminders fall due at +4 h + i minutes: cases 0..=49 are due.
    let now = t0() + hours(4) + minutes(49) + seconds(30);
    let first = claim_timers(&store, now, 10).await;
    assert_eq!(
        first.len(),
        10,
        "timer_sweep: a claim returns no more than its limit, and fills it when it can"
    );
    let rest = claim_timers(&store, now, 1000).await;
    assert_eq!(
        rest.len(),
        40,
        "timer_sweep: 50 timers are due, 10 were claimed, 40 must remain: got {}",
        rest.len()
    );
    let all: Vec<DueTimer> = first.into_iter().chain(rest).collect();
    for t in &all {
        assert!(
            t.due_at <= now,
            "timer_sweep: claimed {t:?}, which is not due at {now}"
        );
        assert_eq!(
            t.kind,
            TimerKind::TickleIdle,
            "timer_sweep: only idle reminders are due, got {t:?}"
        );
    }
    let claimed: BTreeSet<CaseId> = all.iter().map(|t| t.case_id).collect();
    let expected: BTreeSet<CaseId> = cases[..50].iter().copied().collect();
    assert_eq!(
        claimed.len(),
        50,
        "timer_sweep: no timer may be claimed twice"
    );
    assert_eq!(
        claimed, expected,
        "timer_sweep: exactly the cases opened in the first 50 minutes are due"
    );
    assert!(
        claim_timers(&store, now, 1000).await.is_empty(),
        "timer_sweep: everything due is leased"
    );

    // Past every idle reminder, the leases over, and case 0's deadline warning (+16 h) due.
    let later = t0() + hours(16) + seconds(30);
    let due = claim_timers(&store, later, 1000).await;
    let idle = due
        .iter()
        .filter(|t| t.kind == TimerKind::TickleIdle)
        .count();
    let deadline: Vec<&DueTimer> = due
        .iter()
        .filter(|t| t.kind == TimerKind::TickleDeadline)
        .collect();
    assert_eq!(
        idle, 100,
        "timer_sweep: all 100 idle reminders are due at +16 h"
    );
    assert_eq!(
        deadline.len(),
        1,
        "timer_sweep: only case 0's deadline warning is due at +16 h 30 s, got {deadline:?}"
    );
    assert_eq!(deadline[0].case_id, cases[0]);
    assert_eq!(due.len(), 101, "timer_sweep: no escalation is due yet");
}

// --- 9. outbox ----------------------------------------------------------------------

/// Notifications are claimed with a lease, retried when asked, and never again once done.
pub async fn outbox<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let a = fx
        .open(
            &store,
            fx.frontline.id,
            "billing",
            "alice@example.com",
            "Outbox A",
            t0(),
        )
        .await;
    let ack = Notification {
        recipient: Recipient::Customer,
        template: "acknowledgment".into(),
        event_seq: 1,
    };

    let rows = claim_outbox(&store, t0() + seconds(1)).await;
    assert_eq!(
        rows.len(),
        1,
        "outbox: opening a case must enqueue exactly the acknowledgment, got {rows:?}"
    );
    let row = rows[0].clone();
    assert_eq!(
        (row.case_id, &row.notification),
        (a.id, &ack),
        "outbox: the acknowledgment to the customer"
    );
    assert_eq!(row.attempts, 1, "outbox: the first claim is attempt 1");
    assert_eq!(
        row.created_at,
        t0(),
        "outbox: created_at is the time of the event"
    );
    assert!(
        claim_outbox(&store, t0() + seconds(2)).await.is_empty(),
        "outbox: a claimed row is leased"
    );

    let retry_at = t0() + minutes(10);
    store
        .outbox_failed(row.id, "smtp: connection refused", Some(retry_at))
        .await
        .unwrap_or_else(|e| panic!("outbox: {e}"));
    assert!(
        claim_outbox(&store, t0() + minutes(9)).await.is_empty(),
        "outbox: a failed row is not claimable before its retry time"
    );
    let rows = claim_outbox(&store, retry_at + seconds(1)).await;
    assert_eq!(
        rows.len(),
        1,
        "outbox: a failed row is claimable after its retry time"
    );
    assert_eq!(
        (rows[0].id, rows[0].attempts),
        (row.id, 2),
        "outbox: the retry is attempt 2 of the same row"
    );
    store
        .outbox_sent(row.id, retry_at + seconds(2))
        .await
        .unwrap_or_else(|e| panic!("outbox: {e}"));
    assert!(
        claim_outbox(&store, t0() + hours(1000)).await.is_empty(),
        "outbox: a sent row is never claimed again"
    );
    let sent = |email: &'static str, since| {
        let store = &store;
        async move {
            store
                .sent_to_customer(email, "acknowledgment", since)
                .await
                .unwrap_or_else(|e| panic!("outbox: sent_to_customer failed: {e}"))
        }
    };
    assert_eq!(
        sent("Alice@Example.com", retry_at).await,
        1,
        "outbox: the sent acknowledgment counts for its customer (email in any case)"
    );
    assert_eq!(
        sent("alice@example.com", retry_at + seconds(3)).await,
        0,
        "outbox: it was sent before `since`"
    );
    assert_eq!(
        sent("bob@example.com", t0()).await,
        0,
        "outbox: another customer's mail does not count"
    );

    // A sender that dies mid-send: the row comes back when the lease ends.
    let b = fx
        .open(
            &store,
            fx.frontline.id,
            "billing",
            "bob@example.com",
            "Outbox B",
            t0() + hours(1),
        )
        .await;
    let claimed = claim_outbox(&store, t0() + hours(1)).await;
    assert_eq!(
        claimed
            .iter()
            .map(|r| (r.case_id, r.attempts))
            .collect::<Vec<_>>(),
        vec![(b.id, 1)]
    );
    assert!(
        claim_outbox(&store, t0() + hours(1) + LEASE - seconds(1))
            .await
            .is_empty(),
        "outbox: still leased"
    );
    let back = claim_outbox(&store, t0() + hours(1) + LEASE + seconds(1)).await;
    assert_eq!(
        back.iter().map(|r| (r.id, r.attempts)).collect::<Vec<_>>(),
        vec![(claimed[0].id, 2)],
        "outbox: an unreported row is claimable again after its lease, as the next attempt"
    );
    store
        .outbox_failed(claimed[0].id, "mailbox does not exist", None)
        .await
        .unwrap_or_else(|e| panic!("outbox: {e}"));
    assert!(
        claim_outbox(&store, t0() + hours(1000)).await.is_empty(),
        "outbox: a permanently failed row is never claimed again"
    );

    // An append's notifications are enqueued with it.
    fx.act(
        &store,
        b.id,
        pass_up(),
        person(fx.frontline.id),
        t0() + hours(2),
    )
    .await;
    let rows = claim_outbox(&store, t0() + hours(2)).await;
    let got: Vec<(CaseId, Notification)> = rows
        .into_iter()
        .map(|r| (r.case_id, r.notification))
        .collect();
    let expected = Notification {
        recipient: Recipient::Person { id: fx.staff.id },
        template: "passed_up_to_you".into(),
        event_seq: 2,
    };
    assert_eq!(
        got,
        vec![(b.id, expected)],
        "outbox: a pass-up notifies the new owner"
    );
}

// --- 10. list_cases -----------------------------------------------------------------

/// Filters combine; open cases come first by escalation deadline; limit and offset page.
pub async fn list_cases<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let (f1, f2) = (fx.frontline.id, fx.frontline2.id);
    let c1 = fx
        .open(
            &store,
            f1,
            "billing",
            "alice@example.com",
            "Printer on fire",
            t0() + hours(2),
        )
        .await;
    let c2 = fx
        .open(
            &store,
            f2,
            "billing",
            "bob@shop.test",
            "Refund for order 7",
            t0(),
        )
        .await;
    let c3 = fx
        .open(
            &store,
            f1,
            "delivery",
            "carol@example.org",
            "Login fails",
            t0() + hours(1),
        )
        .await;
    let c4 = fx
        .open(
            &store,
            f1,
            "billing",
            "dave@example.com",
            "Double charge",
            t0() + minutes(30),
        )
        .await;
    let c4 = fx
        .act(&store, c4.id, solve(), person(f1), t0() + hours(3))
        .await;
    let c5 = fx
        .open(
            &store,
            f2,
            "delivery",
            "erin@other.net",
            "Box crushed",
            t0() + minutes(10),
        )
        .await;
    let c5 = fx
        .act(&store, c5.id, solve(), person(f2), t0() + hours(4))
        .await;

    let filter = |f: CaseFilter| CaseFilter { limit: 100, ..f };
    let all = list(&store, filter(CaseFilter::default())).await;
    assert_eq!(all.len(), 5, "list_cases: five cases exist");
    assert_eq!(
        ids(&all[..3]),
        vec![c2.id, c3.id, c1.id],
        "list_cases: open cases come first, by escalates_at ascending"
    );
    let solved: BTreeSet<CaseId> = ids(&all[3..]).into_iter().collect();
    assert_eq!(
        solved,
        BTreeSet::from([c4.id, c5.id]),
        "list_cases: solved cases come after the open ones"
    );
    for head in &all {
        assert_eq!(
            head,
            &load(&store, head.id).await.head,
            "list_cases: a listed head equals the stored head"
        );
    }

    let by_owner = list(
        &store,
        filter(CaseFilter {
            owner: Some(f1),
            ..CaseFilter::default()
        }),
    )
    .await;
    assert_eq!(
        ids(&by_owner),
        vec![c3.id, c1.id, c4.id],
        "list_cases: filter by owner"
    );
    let open = list(
        &store,
        filter(CaseFilter {
            status: Some(CaseStatus::Open),
            ..CaseFilter::default()
        }),
    )
    .await;
    assert_eq!(
        ids(&open),
        vec![c2.id, c3.id, c1.id],
        "list_cases: filter by status open"
    );
    let done = list(
        &store,
        filter(CaseFilter {
            status: Some(CaseStatus::Solved),
            ..CaseFilter::default()
        }),
    )
    .await;
    assert_eq!(
        ids(&done).into_iter().collect::<BTreeSet<_>>(),
        solved,
        "list_cases: filter by status solved"
    );
    let delivery = list(
        &store,
        filter(CaseFilter {
            category: Some("delivery".into()),
            ..CaseFilter::default()
        }),
    )
    .await;
    assert_eq!(
        ids(&delivery),
        vec![c3.id, c5.id],
        "list_cases: filter by category"
    );
    let mine_open = list(
        &store,
        filter(CaseFilter {
            owner: Some(f1),
            status: Some(CaseStatus::Open),
            ..CaseFilter::default()
        }),
    )
    .await;
    assert_eq!(
        ids(&mine_open),
        vec![c3.id, c1.id],
        "list_cases: owner and status combine"
    );
    let of_bob = list(
        &store,
        filter(CaseFilter {
            customer_id: Some(c2.customer_id),
            ..CaseFilter::default()
        }),
    )
    .await;
    assert_eq!(ids(&of_bob), vec![c2.id], "list_cases: filter by customer");

    let text = |t: &str| {
        filter(CaseFilter {
            text: Some(t.to_string()),
            ..CaseFilter::default()
        })
    };
    let cases: [(&str, Vec<CaseId>, &str); 7] = [
        ("printer", vec![c1.id], "a subject substring, lower case"),
        ("PRINTER ON", vec![c1.id], "a subject substring, upper case"),
        ("order 7", vec![c2.id], "a subject substring with a space"),
        (
            "EXAMPLE.COM",
            vec![c1.id, c4.id],
            "a customer email substring, any case",
        ),
        ("shop", vec![c2.id], "a customer email substring"),
        ("%", vec![], "a LIKE wildcard is matched literally"),
        ("_", vec![], "a LIKE wildcard is matched literally"),
    ];
    for (query, expected, what) in cases {
        let found = list(&store, text(query)).await;
        assert_eq!(
            ids(&found),
            expected,
            "list_cases: text {query:?} must match {what}"
        );
    }
    let both = list(
        &store,
        CaseFilter {
            owner: Some(f1),
            text: Some("example".into()),
            limit: 100,
            ..CaseFilter::default()
        },
    )
    .await;
    assert_eq!(
        ids(&both),
        vec![c3.id, c1.id, c4.id],
        "list_cases: text and owner combine"
    );

    let page = |limit: u32, offset: u32| CaseFilter {
        status: Some(CaseStatus::Open),
        limit,
        offset,
        ..CaseFilter::default()
    };
    assert_eq!(
        ids(&list(&store, page(2, 0)).await),
        vec![c2.id, c3.id],
        "list_cases: limit 2"
    );
    assert_eq!(
        ids(&list(&store, page(2, 2)).await),
        vec![c1.id],
        "list_cases: limit 2 offset 2"
    );
    assert_eq!(
        ids(&list(&store, page(1, 1)).await),
        vec![c3.id],
        "list_cases: limit 1 offset 1"
    );
    assert!(
        list(&store, page(10, 10)).await.is_empty(),
        "list_cases: an offset past the end is empty"
    );
}

/// Portal sign-in: a link signs its customer in once, before it expires, and opens a
/// session that lasts until it expires or is ended.
pub async fn customer_sign_in<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let ada = fx
        .open(
            &store,
            fx.frontline.id,
            "delivery",
            "Ada@Example.com",
            "Parcel",
            t0(),
        )
        .await;
    let bob = fx
        .open(
            &store,
            fx.frontline.id,
            "delivery",
            "bob@example.com",
            "Box",
            t0(),
        )
        .await;
    let found = store
        .customer_by_email("ada@example.com")
        .await
        .unwrap_or_else(|e| panic!("customer_sign_in: customer_by_email failed: {e}"))
        .unwrap_or_else(|| panic!("customer_sign_in: email lookup must ignore case"));
    assert_eq!(
        found.id, ada.customer_id,
        "customer_sign_in: wrong customer found"
    );
    assert_eq!(
        store
            .customer_by_email("nobody@example.com")
            .await
            .expect("customer_by_email"),
        None,
        "customer_sign_in: an unknown email finds nobody"
    );

    let link = |hash: u8, customer_id: i64, minutes_valid: i64| SignInLink {
        hash: vec![hash; 32],
        customer_id,
        created_at: t0(),
        expires_at: t0() + minutes(minutes_valid),
    };
    let session = |hash: u8| NewSession {
        hash: vec![hash; 32],
        created_at: t0(),
        expires_at: t0() + hours(24),
    };
    store
        .add_sign_in_link(link(1, ada.customer_id, 30))
        .await
        .unwrap_or_else(|e| panic!("customer_sign_in: add_sign_in_link failed: {e}"));
    store
        .add_sign_in_link(link(2, bob.customer_id, 30))
        .await
        .expect("add_sign_in_link");
    let unknown_customer = store
        .add_sign_in_link(link(3, bob.customer_id + 1000, 30))
        .await;
    assert!(
        matches!(unknown_customer, Err(StoreError::Invalid { field: "customer_id", .. })),
        "customer_sign_in: a link for an unknown customer must be refused, got {unknown_customer:?}"
    );

    let redeemed = store
        .redeem_sign_in_link(&[1; 32], t0() + minutes(5), session(11))
        .await
        .unwrap_or_else(|e| panic!("customer_sign_in: redeem failed: {e}"));
    assert_eq!(
        redeemed,
        Some(ada.customer_id),
        "customer_sign_in: a fresh link signs its customer in"
    );
    let again = store
        .redeem_sign_in_link(&[1; 32], t0() + minutes(6), session(12))
        .await
        .expect("redeem");
    assert_eq!(again, None, "customer_sign_in: a link works only once");
    let late = store
        .redeem_sign_in_link(&[2; 32], t0() + minutes(31), session(13))
        .await
        .expect("redeem");
    assert_eq!(
        late, None,
        "customer_sign_in: an expired link signs nobody in"
    );
    let forged = store
        .redeem_sign_in_link(&[9; 32], t0(), session(14))
        .await
        .expect("redeem");
    assert_eq!(
        forged, None,
        "customer_sign_in: an unknown link signs nobody in"
    );

    let who = |hash: u8, at| {
        let store = &store;
        async move {
            store
                .customer_session(&[hash; 32], at)
                .await
                .expect("customer_session")
        }
    };
    assert_eq!(
        who(11, t0() + hours(1)).await,
        Some(ada.customer_id),
        "customer_sign_in: the session knows its customer"
    );
    assert_eq!(
        who(12, t0() + hours(1)).await,
        None,
        "customer_sign_in: a refused redemption opens no session"
    );
    assert_eq!(
        who(11, t0() + hours(25)).await,
        None,
        "customer_sign_in: an expired session is over"
    );
    store
        .end_customer_session(&[11; 32])
        .await
        .unwrap_or_else(|e| panic!("customer_sign_in: end_customer_session failed: {e}"));
    assert_eq!(
        who(11, t0() + hours(1)).await,
        None,
        "customer_sign_in: a session ended by signing out is over"
    );
}

/// Staff sign-in: a password hash per person; sessions that end when they expire, when
/// signed out, when the password changes, or when the person is no longer active.
pub async fn staff_sign_in<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let email = fx.staff.email.clone();
    assert_eq!(
        store.password_hash(&email).await.expect("password_hash"),
        Some((fx.staff.id, None)),
        "staff_sign_in: a new person has no password yet"
    );
    store
        .set_password_hash(fx.staff.id, "$argon2id$first")
        .await
        .unwrap_or_else(|e| panic!("staff_sign_in: set_password_hash failed: {e}"));
    assert_eq!(
        store
            .password_hash(&email.to_uppercase())
            .await
            .expect("password_hash"),
        Some((fx.staff.id, Some("$argon2id$first".to_string()))),
        "staff_sign_in: the hash is found by email in any case"
    );
    assert!(
        matches!(
            store.set_password_hash(fx.staff.id + 1000, "$x").await,
            Err(StoreError::UnknownPerson { .. })
        ),
        "staff_sign_in: no password for a person who does not exist"
    );
    let session = |hash: u8, days: i64| NewSession {
        hash: vec![hash; 32],
        created_at: t0(),
        expires_at: t0() + hours(24 * days),
    };
    store
        .add_staff_session(fx.staff.id, session(1, 1))
        .await
        .unwrap_or_else(|e| panic!("staff_sign_in: add_staff_session failed: {e}"));
    store
        .add_staff_session(fx.staff.id, session(2, 1))
        .await
        .expect("add_staff_session");
    store
        .add_staff_session(fx.manager.id, session(3, 1))
        .await
        .expect("add_staff_session");
    let who = |hash: u8, at| {
        let store = &store;
        async move {
            store
                .staff_session(&[hash; 32], at)
                .await
                .expect("staff_session")
        }
    };
    assert_eq!(
        who(1, t0() + hours(1)).await,
        Some(fx.staff.id),
        "staff_sign_in: the session knows its person"
    );
    assert_eq!(
        who(1, t0() + hours(25)).await,
        None,
        "staff_sign_in: an expired session is over"
    );
    store
        .end_staff_session(&[1; 32])
        .await
        .expect("end_staff_session");
    assert_eq!(
        who(1, t0() + hours(1)).await,
        None,
        "staff_sign_in: signed out"
    );
    assert_eq!(
        who(2, t0() + hours(1)).await,
        Some(fx.staff.id),
        "staff_sign_in: other sessions go on"
    );
    store
        .set_password_hash(fx.staff.id, "$argon2id$second")
        .await
        .expect("set_password_hash");
    assert_eq!(
        who(2, t0() + hours(1)).await,
        None,
        "staff_sign_in: a new password ends every session"
    );
    assert_eq!(
        who(3, t0() + hours(1)).await,
        Some(fx.manager.id),
        "staff_sign_in: another person's sessions go on"
    );
}

/// Events by kind, newest first, narrowed by category, by whom they moved the case to,
/// and to the open cases someone owns now.
pub async fn event_feed<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let p = |id| Actor::Person { id };
    let a = fx
        .open(
            &store,
            fx.frontline.id,
            "billing",
            "a@example.com",
            "A",
            t0(),
        )
        .await;
    let b = fx
        .open(
            &store,
            fx.frontline.id,
            "delivery",
            "b@example.com",
            "B",
            t0(),
        )
        .await;
    let c = fx
        .open(
            &store,
            fx.frontline2.id,
            "billing",
            "c@example.com",
            "C",
            t0(),
        )
        .await;
    fx.act(
        &store,
        a.id,
        Command::Upgrade {
            reason: "policy".into(),
        },
        p(fx.frontline.id),
        t0() + hours(1),
    )
    .await;
    fx.act(
        &store,
        b.id,
        Command::Upgrade {
            reason: "refund".into(),
        },
        p(fx.frontline.id),
        t0() + hours(2),
    )
    .await;
    let solve = Command::Solve {
        resolution: "Refunded".into(),
        road: 2,
        learned: "Refunds are slow".into(),
    };
    fx.act(
        &store,
        b.id,
        solve.clone(),
        p(fx.manager.id),
        t0() + hours(3),
    )
    .await;
    fx.act(&store, c.id, solve, p(fx.frontline2.id), t0() + hours(4))
        .await;
    let feed = |filter: EventFilter| {
        let store = &store;
        async move {
            store
                .events(filter)
                .await
                .unwrap_or_else(|e| panic!("event_feed: events failed: {e}"))
                .into_iter()
                .map(|(head, event)| (head.id, event.body.kind()))
                .collect::<Vec<_>>()
        }
    };
    let kinds = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        feed(EventFilter {
            kinds: kinds(&["solved"]),
            limit: 10,
            ..EventFilter::default()
        })
        .await,
        vec![(c.id, "solved"), (b.id, "solved")],
        "event_feed: every solution, newest first"
    );
    assert_eq!(
        feed(EventFilter {
            kinds: kinds(&["solved"]),
            category: Some("billing".into()),
            limit: 10,
            ..EventFilter::default()
        })
        .await,
        vec![(c.id, "solved")],
        "event_feed: one category's"
    );
    assert_eq!(
        feed(EventFilter {
            kinds: kinds(&["upgraded", "escalated"]),
            to: Some(fx.manager.id),
            limit: 10,
            ..EventFilter::default()
        })
        .await,
        vec![(b.id, "upgraded"), (a.id, "upgraded")],
        "event_feed: what reached the manager"
    );
    assert_eq!(
        feed(EventFilter {
            kinds: kinds(&["upgraded"]),
            to: Some(fx.manager.id),
            open_and_owned_by: Some(fx.manager.id),
            limit: 10,
            ..EventFilter::default()
        })
        .await,
        vec![(a.id, "upgraded")],
        "event_feed: only what the manager still has open"
    );
    assert_eq!(
        feed(EventFilter {
            kinds: kinds(&["solved", "upgraded"]),
            since: Some(t0() + hours(3)),
            limit: 1,
            ..EventFilter::default()
        })
        .await,
        vec![(c.id, "solved")],
        "event_feed: since and limit"
    );
    assert!(
        store
            .events(EventFilter {
                limit: 10,
                ..EventFilter::default()
            })
            .await
            .is_err(),
        "event_feed: no kind named is refused"
    );
}

/// Full-text search finds a case by any word said on it — subject, body, the customer,
/// facts, later messages and notes, the resolution — by word starts, ignoring accents.
pub async fn full_text_search<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let p = |id| Actor::Person { id };
    let customer = Customer {
        email: Some("zoe.marchetti@example.org".into()),
        name: Some("Zoë Marchetti".into()),
        phone: Some("+39 055 123456".into()),
        external_id: None,
    };
    let mut intake = fx.intake_from("billing", customer, "Invoice in the wrong currency");
    intake.body = "The invoice shows dollars; my account is in euros.".into();
    let a = match store
        .open_case(fx.new_case(fx.frontline.id, &intake, t0()))
        .await
    {
        Ok(OpenOutcome::Created(h)) => h,
        other => panic!("full_text_search: opening failed: {other:?}"),
    };
    let b = fx
        .open(
            &store,
            fx.frontline2.id,
            "delivery",
            "bob@example.com",
            "Parcel never came",
            t0(),
        )
        .await;
    fx.act(
        &store,
        b.id,
        Command::AddNote {
            body: "Courier confirms the van was stolen".into(),
            attachments: vec![],
        },
        p(fx.frontline2.id),
        t0() + hours(1),
    )
    .await;
    fx.act(
        &store,
        b.id,
        Command::Solve {
            resolution: "Sent a replacement by kestrel express".into(),
            road: 2,
            learned: "Insure parcels above 100".into(),
        },
        p(fx.frontline2.id),
        t0() + hours(2),
    )
    .await;
    let search = |words: &str, owner: Option<PersonId>| {
        let store = &store;
        let words = words.to_string();
        async move {
            ids(&store
                .list_cases(CaseFilter {
                    search: Some(words.clone()),
                    owner,
                    limit: 100,
                    ..CaseFilter::default()
                })
                .await
                .unwrap_or_else(|e| panic!("full_text_search: {words:?} failed: {e}")))
        }
    };
    for (words, expected, what) in [
        ("currency", vec![a.id], "a word of the subject"),
        ("EUROS", vec![a.id], "a word of the body, any case"),
        ("zoe", vec![a.id], "the customer's name, accents ignored"),
        ("marchetti@example", vec![a.id], "the customer's address"),
        ("ACC-1001", vec![a.id], "a fact"),
        (
            "stolen van",
            vec![b.id],
            "words of a later note, in any order",
        ),
        ("kestr", vec![b.id], "the start of a word of the resolution"),
        ("insure", vec![b.id], "what was learned"),
        (
            "currency stolen",
            vec![],
            "every word must appear on the same case",
        ),
        ("nothing-like-this", vec![], "no match"),
    ] {
        assert_eq!(
            search(words, None).await,
            expected,
            "full_text_search: {words:?} must find {what}"
        );
    }
    assert_eq!(
        search("invoice", Some(fx.frontline2.id)).await,
        Vec::<CaseId>::new(),
        "full_text_search: combines with the other filters"
    );
    assert_eq!(
        search(" \"* - ", None).await.len(),
        2,
        "full_text_search: no word at all filters nothing (and breaks nothing)"
    );
}

/// Editing a category replaces everything but its key; people must exist; an unknown key
/// is refused and adds nothing.
pub async fn category_updates<S: Store>(store: S) {
    let f = Fixture::seed(&store).await;
    let edited = Category {
        name: "Billing and refunds".into(),
        checklist: vec![ChecklistItem {
            key: "invoice".into(),
            label: "Invoice number".into(),
            required: true,
            pattern: Some(r"(?i)inv-(\d+)".into()),
        }],
        manager: f.staff.id,
        ..f.billing.clone()
    };
    let stored = store
        .update_category(edited.clone())
        .await
        .unwrap_or_else(|e| panic!("category_updates: editing billing failed: {e}"));
    assert_eq!(
        stored, edited,
        "category_updates: update_category must return the category as given"
    );
    let listed = store
        .categories()
        .await
        .unwrap_or_else(|e| panic!("category_updates: categories() failed: {e}"));
    assert_eq!(
        listed.iter().find(|c| c.key == "billing"),
        Some(&edited),
        "category_updates: the edit must be what categories() returns afterwards"
    );
    assert_eq!(
        listed.iter().find(|c| c.key == "delivery"),
        Some(&f.delivery),
        "category_updates: editing billing must leave delivery alone"
    );

    let ghost = f.frontline2.id + 1000;
    let bad = Category {
        executive: ghost,
        ..edited.clone()
    };
    match store.update_category(bad).await {
        Err(StoreError::UnknownPerson { field: "executive", id }) if id == ghost => {}
        other => panic!("category_updates: an unknown executive must fail with UnknownPerson {{ field: \"executive\" }}, got {other:?}"),
    }
    let unknown = Category {
        key: "returns".into(),
        ..f.delivery.clone()
    };
    match store.update_category(unknown).await {
        Err(StoreError::Invalid { field: "key", .. }) => {}
        other => panic!("category_updates: editing a category that does not exist must fail with Invalid {{ field: \"key\" }}, got {other:?}"),
    }
    let after = store
        .categories()
        .await
        .unwrap_or_else(|e| panic!("category_updates: categories() failed: {e}"));
    assert_eq!(
        after, listed,
        "category_updates: refused edits must change nothing"
    );
}

/// Settings round-trip with who changed them and when; clearing removes one; a change by
/// an unknown person changes nothing.
pub async fn settings<S: Store>(store: S) {
    let f = Fixture::seed(&store).await;
    let initial = store
        .settings()
        .await
        .unwrap_or_else(|e| panic!("settings: settings() failed: {e}"));
    assert!(
        initial.is_empty(),
        "settings: a new store has no settings, found {initial:?}"
    );
    let at = t0();
    store
        .save_settings(
            vec![
                ("escalate_after".into(), Some("16h".into())),
                ("mail_from".into(), Some("help@example.com".into())),
            ],
            f.exec.id,
            at,
        )
        .await
        .unwrap_or_else(|e| panic!("settings: saving failed: {e}"));
    store
        .save_settings(
            vec![
                ("escalate_after".into(), Some("12h".into())),
                ("mail_from".into(), None),
                ("tickle_after".into(), Some("2h".into())),
            ],
            f.manager.id,
            at + hours(1),
        )
        .await
        .unwrap_or_else(|e| panic!("settings: saving again failed: {e}"));
    let mut listed = store
        .settings()
        .await
        .unwrap_or_else(|e| panic!("settings: settings() failed: {e}"));
    listed.sort_by(|a, b| a.key.cmp(&b.key));
    let expected = vec![
        SettingRecord {
            key: "escalate_after".into(),
            value: "12h".into(),
            changed_by: f.manager.id,
            changed_at: at + hours(1),
        },
        SettingRecord {
            key: "tickle_after".into(),
            value: "2h".into(),
            changed_by: f.manager.id,
            changed_at: at + hours(1),
        },
    ];
    assert_eq!(
        listed, expected,
        "settings: the latest value of each key with who and when; a cleared key is gone"
    );
    let ghost = f.frontline2.id + 1000;
    match store
        .save_settings(
            vec![("escalate_after".into(), Some("1h".into()))],
            ghost,
            at + hours(2),
        )
        .await
    {
        Err(StoreError::UnknownPerson { .. }) => {}
        other => panic!(
            "settings: a change by an unknown person must fail with UnknownPerson, got {other:?}"
        ),
    }
    let mut after = store
        .settings()
        .await
        .unwrap_or_else(|e| panic!("settings: settings() failed: {e}"));
    after.sort_by(|a, b| a.key.cmp(&b.key));
    assert_eq!(
        after, expected,
        "settings: a refused change must change nothing"
    );
}

/// Phone intake finds callers by the start of their email, name or phone, ignoring case;
/// wildcards typed by staff are taken literally.
pub async fn customer_lookup<S: Store>(store: S) {
    let f = Fixture::seed(&store).await;
    let people = [
        ("ana.lopez@example.com", "Ana Lopez", "+1 555 0101"),
        ("bob_smith@example.com", "Bob Smith", "+44 20 7946 0000"),
        ("anatole@example.org", "Anatole France", "+33 1 23 45 67 89"),
    ];
    for (i, (email, name, phone)) in people.iter().enumerate() {
        let customer = Customer {
            email: Some(email.to_string()),
            name: Some(name.to_string()),
            phone: Some(phone.to_string()),
            ..Customer::default()
        };
        let intake = f.intake_from("delivery", customer, &format!("Case {i}"));
        let new = f.new_case(f.frontline.id, &intake, t0());
        store
            .open_case(new)
            .await
            .unwrap_or_else(|e| panic!("customer_lookup: opening a case failed: {e}"));
    }
    let names = |found: Vec<CustomerRecord>| -> Vec<String> {
        found.into_iter().filter_map(|c| c.name).collect()
    };
    let find = |text: &'static str, limit: u32| {
        let store = &store;
        async move {
            store
                .find_customers(text, limit)
                .await
                .unwrap_or_else(|e| panic!("customer_lookup: find_customers({text:?}) failed: {e}"))
        }
    };
    assert_eq!(
        names(find("ana", 10).await),
        vec!["Ana Lopez", "Anatole France"],
        "customer_lookup: \"ana\" starts two emails and two names, each customer listed once, by name"
    );
    assert_eq!(
        names(find("BOB", 10).await),
        vec!["Bob Smith"],
        "customer_lookup: case is ignored"
    );
    assert_eq!(
        names(find("+44 20", 10).await),
        vec!["Bob Smith"],
        "customer_lookup: a phone number is found by its start"
    );
    assert_eq!(
        names(find("bob_", 10).await),
        vec!["Bob Smith"],
        "customer_lookup: '_' is a character, not a wildcard"
    );
    assert!(
        find("%", 10).await.is_empty(),
        "customer_lookup: '%' is a character, not a wildcard"
    );
    assert!(
        find("   ", 10).await.is_empty(),
        "customer_lookup: blank text finds nobody"
    );
    assert!(
        find("lopez", 10).await.is_empty(),
        "customer_lookup: only starts match (a surname is found through the case search)"
    );
    assert_eq!(
        find("a", 1).await.len(),
        1,
        "customer_lookup: at most `limit` customers"
    );
}

/// Reports read the whole history (of the kinds asked for) of each case active in a
/// window: the start is inclusive, the end exclusive, and quiet cases are left out.
pub async fn report_events<S: Store>(store: S) {
    let f = Fixture::seed(&store).await;
    let p = |id| Actor::Person { id };
    let from = t0() + hours(24);
    let to = from + hours(24);
    // Opened before the window and passed up exactly at its start: in, with its opening.
    let before = f
        .open(
            &store,
            f.frontline.id,
            "delivery",
            "a@example.com",
            "Before",
            t0(),
        )
        .await;
    f.act(&store, before.id, pass_up(), p(f.frontline.id), from)
        .await;
    // Opened inside, with a note (a kind not asked for) and solved after the window.
    let inside = f
        .open(
            &store,
            f.frontline2.id,
            "delivery",
            "b@example.com",
            "Inside",
            from + hours(2),
        )
        .await;
    f.act(
        &store,
        inside.id,
        Command::AddNote {
            body: "called back".into(),
            attachments: vec![],
        },
        p(f.frontline2.id),
        from + hours(3),
    )
    .await;
    f.act(
        &store,
        inside.id,
        solve(),
        p(f.frontline2.id),
        to + hours(5),
    )
    .await;
    // Quiet in the window: opened before it and solved exactly at its end.
    let quiet = f
        .open(
            &store,
            f.frontline.id,
            "delivery",
            "c@example.com",
            "Quiet",
            t0(),
        )
        .await;
    f.act(&store, quiet.id, solve(), p(f.frontline.id), to)
        .await;

    let kinds = ["opened", "passed_up", "solved"].map(String::from).to_vec();
    let got = store
        .events_of_active_cases(from, to, kinds)
        .await
        .unwrap_or_else(|e| panic!("report_events: events_of_active_cases failed: {e}"));
    let seen: Vec<(CaseId, &str)> = got.iter().map(|(c, e)| (*c, e.body.kind())).collect();
    assert_eq!(
        seen,
        vec![
            (before.id, "opened"),
            (before.id, "passed_up"),
            (inside.id, "opened"),
            (inside.id, "solved"),
        ],
        "report_events: the asked-for events of the active cases, whole histories, by case then seq; \
         the start is inclusive, the end exclusive, other kinds and quiet cases left out"
    );
    let none = store
        .events_of_active_cases(from, to, Vec::new())
        .await
        .unwrap_or_else(|e| panic!("report_events: with no kinds: {e}"));
    assert!(none.is_empty(), "report_events: no kinds asked, no events");
}

/// Orders are stored once per id (sent again: known; changed: a conflict, not applied),
/// create the customers they name, and are read back by currency and time; case outcomes
/// give each case's opening owner, last solve and escalation, a reopened case as open.
pub async fn orders_and_outcomes<S: Store>(store: S) {
    let f = Fixture::seed(&store).await;
    let order = |id: &str, who: CustomerRef, at: DateTime<Utc>, cents: i64, cur: &str| NewOrder {
        order_id: id.into(),
        customer: who,
        ordered_at: at,
        amount_cents: cents,
        currency: cur.into(),
    };
    let ann = || CustomerRef::Email("ann@example.com".into());
    let batch = vec![
        order("o-1", ann(), t0(), 1250, "EUR"),
        order(
            "o-2",
            CustomerRef::ExternalId("shop-77".into()),
            t0() + hours(1),
            900,
            "EUR",
        ),
        order("o-3", ann(), t0() + hours(2), 4000, "USD"),
    ];
    let first = store
        .add_orders(batch.clone())
        .await
        .unwrap_or_else(|e| panic!("orders_and_outcomes: add_orders failed: {e}"));
    assert_eq!(
        (first.added, first.already_known, first.conflicts.clone()),
        (3, 0, vec![]),
        "orders_and_outcomes: three new orders are added"
    );
    let mut again = batch.clone();
    again.push(order("o-1", ann(), t0(), 9999, "EUR"));
    let second = store
        .add_orders(again)
        .await
        .unwrap_or_else(|e| panic!("orders_and_outcomes: adding again failed: {e}"));
    assert_eq!(
        (second.added, second.already_known, second.conflicts.clone()),
        (0, 3, vec![3]),
        "orders_and_outcomes: the same orders again are known; o-1 with another amount is a conflict"
    );
    assert_eq!(
        store.order_currencies().await.unwrap(),
        vec![("EUR".to_string(), 2), ("USD".to_string(), 1)],
        "orders_and_outcomes: currencies by number of orders"
    );
    let eur = store
        .orders_in("EUR".into(), t0(), t0() + hours(1))
        .await
        .unwrap_or_else(|e| panic!("orders_and_outcomes: orders_in failed: {e}"));
    assert_eq!(
        eur.len(),
        1,
        "orders_and_outcomes: the end of the range is exclusive"
    );
    assert_eq!(
        eur[0].amount_cents, 1250,
        "orders_and_outcomes: o-1 kept its first amount"
    );
    let ann_id = store
        .customer_by_email("ann@example.com")
        .await
        .unwrap()
        .expect("orders_and_outcomes: an order creates its customer")
        .id;
    assert_eq!(eur[0].customer_id, ann_id);

    let p = |id| Actor::Person { id };
    let solved = f
        .open(
            &store,
            f.frontline.id,
            "delivery",
            "ann@example.com",
            "Solved",
            t0(),
        )
        .await;
    f.act(
        &store,
        solved.id,
        pass_up(),
        p(f.frontline.id),
        t0() + hours(1),
    )
    .await;
    f.act(&store, solved.id, solve(), p(f.staff.id), t0() + hours(2))
        .await;
    let escalated = f
        .open(
            &store,
            f.frontline2.id,
            "delivery",
            "bob@example.com",
            "Late",
            t0(),
        )
        .await;
    f.act(
        &store,
        escalated.id,
        Command::Escalate,
        Actor::System,
        t0() + hours(20),
    )
    .await;
    let reopened = f
        .open(
            &store,
            f.frontline.id,
            "delivery",
            "cy@example.com",
            "Again",
            t0(),
        )
        .await;
    f.act(
        &store,
        reopened.id,
        solve(),
        p(f.frontline.id),
        t0() + hours(1),
    )
    .await;
    let reply = Command::CustomerReply {
        body: "It broke again".into(),
        attachments: vec![],
    };
    f.act(&store, reopened.id, reply, Actor::Customer, t0() + hours(3))
        .await;
    let outcomes = store
        .case_outcomes()
        .await
        .unwrap_or_else(|e| panic!("orders_and_outcomes: case_outcomes failed: {e}"));
    let ids: Vec<CaseId> = outcomes.iter().map(|o| o.case_id).collect();
    assert_eq!(
        ids,
        vec![solved.id, escalated.id, reopened.id],
        "orders_and_outcomes: every case, by id"
    );
    let a = &outcomes[0];
    assert_eq!(
        a.customer_id, ann_id,
        "orders_and_outcomes: the case's customer is the buyer"
    );
    assert_eq!(a.category, "delivery");
    assert_eq!(a.opened_at, t0());
    assert_eq!(
        a.intake_owner, f.frontline.id,
        "orders_and_outcomes: who took it in"
    );
    assert_eq!(
        a.solved,
        Some((t0() + hours(2), f.staff.id, 2)),
        "orders_and_outcomes: solved when, by whom, on which road"
    );
    assert!(!a.escalated);
    assert!(outcomes[1].escalated && outcomes[1].solved.is_none());
    assert_eq!(
        outcomes[2].solved, None,
        "orders_and_outcomes: a case reopened since its solve is open"
    );
}
