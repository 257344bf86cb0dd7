//! The shared fixture: a small organisation, and cases made the way the server makes them.

use crate::hours;
use chrono::{DateTime, Utc};
use roadone_domain::{
    opening, transition, Actor, Case, CaseId, Category, Channel, ChecklistItem, Command, Context,
    Customer, Event, Hierarchy, Intake, Person, PersonId, Realtime, Role, Rules,
};
use roadone_store::records::*;
use roadone_store::Store;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

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
                .add_person(
                    NewPerson {
                        name: name.to_string(),
                        email: email.clone(),
                        role,
                        reports_to,
                    },
                    crate::t0(),
                )
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
                .add_category(category.clone(), crate::t0())
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
                phone_region: None,
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
            call_back_within: None,
        }
    }

    /// What the server hands the store to open `intake`, taken in by `by` at `at`.
    pub fn new_case(&self, by: PersonId, intake: &Intake, at: DateTime<Utc>) -> NewCase {
        let opened = opening(intake, by, self.ctx(&intake.category, at))
            .unwrap_or_else(|e| panic!("fixture: the domain refused the intake {intake:?}: {e}"));
        NewCase::from_opening(opened, self.next_token(), None)
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
        let case = Case::from_events(events)
            .unwrap_or_else(|e| panic!("fixture: a stored log does not fold: {e}"));
        let change = transition(&case, command, actor, self.ctx(&case.category, at))
            .unwrap_or_else(|e| {
                panic!(
                    "fixture: the domain refused {} by {actor:?}: {e}",
                    command.name()
                )
            });
        Append::from_transition(0, case.version, change)
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
