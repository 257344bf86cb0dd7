//! One example test per rule of a case (docs/design.md §2), driven through `open` and `decide`
//! with a fake clock.
//!
//! The hierarchy used by most tests:
//!
//! ```text
//! 1 Ada (executive, top)
//! ├── 2 Bo (manager)            ← manager of category "billing"
//! │   └── 3 Cy (staff)
//! │       ├── 4 Di (frontline)
//! │       └── 5 Ed (frontline)
//! └── 6 Flo (executive)         ← executive of category "billing"
//!     └── 7 Gus (manager)
//! ```

use chrono::{DateTime, Duration, TimeZone, Utc};
use roadone_domain::notification::notifications_for;
use roadone_domain::{
    decide, open, timers_for, Actor, Case, CaseStatus, Category, Channel, ChecklistItem, Clock,
    Command, Customer, DomainError, ErrorKind, Event, EventBody, FakeClock, Hierarchy, Intake,
    Person, PersonId, Realtime, Recipient, Road, Role, Rules, TickleReason, TimerKind,
};
use std::collections::BTreeMap;

const ADA: PersonId = 1;
const BO: PersonId = 2;
const CY: PersonId = 3;
const DI: PersonId = 4;
const ED: PersonId = 5;
const FLO: PersonId = 6;
const GUS: PersonId = 7;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 3, 9, 0, 0).unwrap()
}

fn person(id: PersonId, role: Role, reports_to: Option<PersonId>) -> Person {
    Person {
        id,
        name: format!("person {id}"),
        email: format!("p{id}@example.com"),
        role,
        reports_to,
        active: true,
    }
}

fn people() -> Vec<Person> {
    vec![
        person(ADA, Role::Executive, None),
        person(BO, Role::Manager, Some(ADA)),
        person(CY, Role::Staff, Some(BO)),
        person(DI, Role::Frontline, Some(CY)),
        person(ED, Role::Frontline, Some(CY)),
        person(FLO, Role::Executive, Some(ADA)),
        person(GUS, Role::Manager, Some(FLO)),
    ]
}

fn category() -> Category {
    Category {
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
        manager: BO,
        executive: FLO,
    }
}

fn rules() -> Rules {
    Rules {
        escalate_after: Duration::hours(20),
        tickle_after: Duration::hours(4),
        deadline_warning: 0.8,
        promise_within: Duration::hours(24),
        phone_region: None,
    }
}

fn intake() -> Intake {
    Intake {
        customer: Customer {
            email: Some("carla@example.com".into()),
            name: Some("Carla".into()),
            phone: None,
            external_id: None,
            language: None,
        },
        category: "billing".into(),
        subject: "Charged twice".into(),
        body: "My card was charged twice for order 77.".into(),
        channel: Channel::Email,
        facts: BTreeMap::from([("account".to_string(), "A-123".to_string())]),
        missing_facts: vec![],
        realtime: Realtime::default(),
        attachments: vec![],
        call_back_within: None,
    }
}

fn p(id: PersonId) -> Actor {
    Actor::Person { id }
}

/// Everything a case's decisions depend on, with a clock that only moves when told to.
struct World {
    hierarchy: Hierarchy,
    category: Category,
    rules: Rules,
    clock: FakeClock,
}

impl World {
    fn new() -> World {
        World::with_people(people())
    }

    fn with_people(people: Vec<Person>) -> World {
        World {
            hierarchy: Hierarchy::new(people),
            category: category(),
            rules: rules(),
            clock: FakeClock::at(t0()),
        }
    }

    fn deactivate(&mut self, id: PersonId) {
        let mut person = self.hierarchy.get(id).expect("known person").clone();
        person.active = false;
        self.hierarchy.insert(person);
    }

    fn ctx(&self) -> roadone_domain::Context<'_> {
        roadone_domain::Context {
            hierarchy: &self.hierarchy,
            category: &self.category,
            rules: &self.rules,
            now: self.clock.now(),
        }
    }

    fn try_open(&self, intake: &Intake, by: PersonId) -> Result<Event, DomainError> {
        open(intake, by, self.ctx())
    }

    /// Opens the standard intake by `by` and returns the running case.
    fn open_by(self, by: PersonId) -> Sim {
        let event = self
            .try_open(&intake(), by)
            .expect("the standard intake opens");
        let case = Case::from_events(std::slice::from_ref(&event)).expect("an opened event folds");
        Sim {
            world: self,
            case,
            log: vec![event],
        }
    }
}

/// A case being worked: decide, then fold, exactly as the store does.
struct Sim {
    world: World,
    case: Case,
    log: Vec<Event>,
}

impl Sim {
    fn advance(&self, by: Duration) {
        self.world.clock.advance(by);
    }

    fn now(&self) -> DateTime<Utc> {
        self.world.clock.now()
    }

    fn try_do(&mut self, actor: Actor, command: Command) -> Result<Vec<Event>, DomainError> {
        let events = decide(&self.case, &command, actor, self.world.ctx())?;
        for event in &events {
            self.case.apply(event).expect("a decided event folds");
            self.log.push(event.clone());
        }
        Ok(events)
    }

    #[track_caller]
    fn ok(&mut self, actor: Actor, command: Command) -> Vec<Event> {
        let name = command.name();
        self.try_do(actor, command)
            .unwrap_or_else(|e| panic!("{name} by {actor:?} was refused: {e}"))
    }

    /// Refused commands leave the case exactly as it was.
    #[track_caller]
    fn refused(&mut self, actor: Actor, command: Command) -> DomainError {
        let before = self.case.clone();
        let log_len = self.log.len();
        let name = command.name();
        let error = match self.try_do(actor, command) {
            Ok(events) => panic!("{name} by {actor:?} was accepted: {events:?}"),
            Err(e) => e,
        };
        assert_eq!(self.case, before, "a refused command changed the case");
        assert_eq!(self.log.len(), log_len);
        error
    }
}

fn pass_up(to: Option<PersonId>) -> Command {
    Command::PassUp {
        to,
        reason: "needs a refund approval".into(),
    }
}

fn solve(road: i64) -> Command {
    Command::Solve {
        resolution: "Refunded the second charge.".into(),
        road,
        learned: "Retry charged twice.".into(),
    }
}

fn rate(score: i64) -> Command {
    Command::Rate {
        score,
        delighted_by: "fast refund".into(),
        would_recommend: true,
    }
}

fn reply(body: &str) -> Command {
    Command::CustomerReply {
        body: body.into(),
        attachments: vec![],
    }
}

fn tickle(reason: TickleReason) -> Command {
    Command::Tickle { reason }
}

fn only_body(events: &[Event]) -> &EventBody {
    assert_eq!(
        events.len(),
        1,
        "expected exactly one event, got {events:?}"
    );
    &events[0].body
}

// ---------------------------------------------------------------------------------------
// 1. Intake
// ---------------------------------------------------------------------------------------

#[test]
fn intake_refuses_a_missing_required_fact() {
    let world = World::new();
    let mut intake = intake();
    intake.facts.clear();
    let err = world.try_open(&intake, DI).unwrap_err();
    assert_eq!(
        err,
        DomainError::MissingFact {
            key: "account".into()
        }
    );
    assert_eq!(err.field().as_deref(), Some("facts.account"));
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert_eq!(err.code(), "missing_fact");
}

#[test]
fn intake_refuses_a_blank_required_fact() {
    let world = World::new();
    let mut intake = intake();
    intake.facts.insert("account".into(), "   ".into());
    let err = world.try_open(&intake, DI).unwrap_err();
    assert_eq!(
        err,
        DomainError::MissingFact {
            key: "account".into()
        }
    );
}

#[test]
fn intake_accepts_a_required_fact_listed_as_missing() {
    let world = World::new();
    let mut intake = intake();
    intake.facts.clear();
    intake.missing_facts = vec!["account".into()];
    let event = world
        .try_open(&intake, DI)
        .expect("a fact the customer did not have is accepted");
    match &event.body {
        EventBody::Opened {
            missing_facts,
            facts,
            ..
        } => {
            assert_eq!(missing_facts, &vec!["account".to_string()]);
            assert!(facts.is_empty());
        }
        other => panic!("expected opened, got {other:?}"),
    }
}

#[test]
fn intake_accepts_optional_facts_left_out() {
    let world = World::new();
    // The standard intake supplies "account" and says nothing of the optional "order".
    assert!(world.try_open(&intake(), DI).is_ok());
}

#[test]
fn intake_refuses_an_unknown_fact_key() {
    let world = World::new();
    let mut given = intake();
    given.facts.insert("shoe_size".into(), "42".into());
    let err = world.try_open(&given, DI).unwrap_err();
    assert_eq!(
        err,
        DomainError::UnknownFact {
            key: "shoe_size".into()
        }
    );
    assert_eq!(err.field().as_deref(), Some("facts.shoe_size"));

    let mut missing = intake();
    missing.missing_facts = vec!["shoe_size".into()];
    let err = world.try_open(&missing, DI).unwrap_err();
    assert_eq!(
        err,
        DomainError::UnknownFact {
            key: "shoe_size".into()
        }
    );
}

#[test]
fn intake_refuses_a_fact_both_given_and_missing() {
    let world = World::new();
    let mut intake = intake();
    intake.missing_facts = vec!["account".into()];
    let err = world.try_open(&intake, DI).unwrap_err();
    assert_eq!(
        err,
        DomainError::FactBothGivenAndMissing {
            key: "account".into()
        }
    );
    assert_eq!(err.field().as_deref(), Some("facts.account"));
}

#[test]
fn intake_refuses_realtime_offered_without_a_reason() {
    let world = World::new();
    for reason in [None, Some(""), Some("   ")] {
        let mut intake = intake();
        intake.realtime = Realtime {
            offered: true,
            reason: reason.map(String::from),
        };
        let err = world.try_open(&intake, DI).unwrap_err();
        assert_eq!(
            err.field().as_deref(),
            Some("realtime.reason"),
            "reason {reason:?}"
        );
        assert_eq!(err.kind(), ErrorKind::Invalid);
    }
}

#[test]
fn intake_records_realtime_offered_with_a_reason() {
    let world = World::new();
    let mut intake = intake();
    let realtime = Realtime {
        offered: true,
        reason: Some("customer is at the till".into()),
    };
    intake.realtime = realtime.clone();
    let event = world.try_open(&intake, DI).unwrap();
    assert!(matches!(&event.body, EventBody::Opened { realtime: r, .. } if *r == realtime));
}

#[test]
fn intake_refuses_an_empty_subject() {
    let world = World::new();
    let mut intake = intake();
    intake.subject = "  ".into();
    let err = world.try_open(&intake, DI).unwrap_err();
    assert_eq!(
        err,
        DomainError::Required {
            field: "subject".into()
        }
    );
}

#[test]
fn intake_refuses_a_customer_who_cannot_be_reached() {
    let world = World::new();
    let mut intake = intake();
    intake.customer = Customer {
        name: Some("Carla".into()),
        ..Customer::default()
    };
    let err = world.try_open(&intake, DI).unwrap_err();
    assert_eq!(err.field().as_deref(), Some("customer"));
}

#[test]
fn intake_refuses_an_inactive_or_unknown_opener() {
    let mut world = World::new();
    world.deactivate(DI);
    assert_eq!(
        world.try_open(&intake(), DI).unwrap_err(),
        DomainError::InactivePerson {
            field: "actor".into(),
            id: DI
        }
    );
    assert_eq!(
        world.try_open(&intake(), 99).unwrap_err(),
        DomainError::UnknownPerson {
            field: "actor".into(),
            id: 99
        }
    );
}

#[test]
fn the_person_who_takes_the_intake_owns_the_case_with_its_deadlines() {
    let sim = World::new().open_by(DI);
    let case = &sim.case;
    assert_eq!(case.owner, DI);
    assert_eq!(case.status, CaseStatus::Open);
    assert_eq!(case.version, 1);
    assert_eq!(case.opened_at, t0());
    assert_eq!(case.escalates_at, t0() + Duration::hours(20));
    assert_eq!(case.promised_by, t0() + Duration::hours(24));
    assert_eq!(sim.log[0].seq, 1);
    assert_eq!(sim.log[0].actor, p(DI));
}

#[test]
fn opening_acknowledges_the_customer() {
    let sim = World::new().open_by(DI);
    let notifications = notifications_for(&sim.log[0], &sim.case);
    assert_eq!(notifications.len(), 1, "{notifications:?}");
    assert_eq!(notifications[0].recipient, Recipient::Customer);
    assert_eq!(notifications[0].template, "acknowledgment");
    assert_eq!(notifications[0].event_seq, 1);
}

// ---------------------------------------------------------------------------------------
// 2–3. Exactly one owner; solve or pass up
// ---------------------------------------------------------------------------------------

#[test]
fn pass_up_defaults_to_reports_to() {
    let mut sim = World::new().open_by(DI);
    let events = sim.ok(p(DI), pass_up(None));
    assert_eq!(
        only_body(&events),
        &EventBody::PassedUp {
            from: DI,
            to: CY,
            reason: "needs a refund approval".into()
        }
    );
    assert_eq!(sim.case.owner, CY);
    assert_eq!(sim.case.pass_ups, 1);
    assert_eq!(sim.case.upgrades, 0);
    let notifications = notifications_for(&events[0], &sim.case);
    assert_eq!(notifications[0].recipient, Recipient::Person { id: CY });
    assert_eq!(notifications[0].template, "passed_up_to_you");
}

#[test]
fn pass_up_by_default_skips_an_inactive_manager() {
    let mut world = World::new();
    world.deactivate(CY);
    let mut sim = world.open_by(DI);
    sim.ok(p(DI), pass_up(None));
    assert_eq!(sim.case.owner, BO);
}

#[test]
fn pass_up_may_go_to_anyone_above() {
    let mut sim = World::new().open_by(DI);
    sim.ok(p(DI), pass_up(Some(ADA)));
    assert_eq!(sim.case.owner, ADA);
    assert_eq!(sim.case.pass_ups, 1);
}

#[test]
fn pass_up_sideways_is_refused() {
    let mut sim = World::new().open_by(DI);
    for sideways in [ED, FLO, GUS] {
        let err = sim.refused(p(DI), pass_up(Some(sideways)));
        assert_eq!(
            err,
            DomainError::PassNotUp {
                to: sideways,
                owner: DI
            }
        );
        assert_eq!(err.field().as_deref(), Some("to"));
        assert_eq!(err.kind(), ErrorKind::Invalid);
    }
}

#[test]
fn pass_up_down_is_refused() {
    let mut sim = World::new().open_by(BO);
    for below in [CY, DI] {
        let err = sim.refused(p(BO), pass_up(Some(below)));
        assert_eq!(
            err,
            DomainError::PassNotUp {
                to: below,
                owner: BO
            }
        );
        assert_eq!(err.field().as_deref(), Some("to"));
    }
}

#[test]
fn pass_up_to_oneself_is_refused() {
    let mut sim = World::new().open_by(DI);
    let err = sim.refused(p(DI), pass_up(Some(DI)));
    assert_eq!(err, DomainError::PassNotUp { to: DI, owner: DI });
}

#[test]
fn pass_up_to_an_inactive_person_is_refused() {
    let mut world = World::new();
    world.deactivate(BO);
    let mut sim = world.open_by(DI);
    let err = sim.refused(p(DI), pass_up(Some(BO)));
    assert_eq!(
        err,
        DomainError::InactivePerson {
            field: "to".into(),
            id: BO
        }
    );
}

#[test]
fn pass_up_requires_a_reason() {
    let mut sim = World::new().open_by(DI);
    let err = sim.refused(
        p(DI),
        Command::PassUp {
            to: None,
            reason: "  ".into(),
        },
    );
    assert_eq!(
        err,
        DomainError::Required {
            field: "reason".into()
        }
    );
}

#[test]
fn only_the_owner_may_pass_up() {
    let mut sim = World::new().open_by(DI);
    for actor in [p(ED), p(CY), Actor::Customer, Actor::System] {
        let err = sim.refused(actor, pass_up(None));
        assert_eq!(err.kind(), ErrorKind::Forbidden, "{actor:?}: {err}");
    }
}

#[test]
fn the_top_of_the_hierarchy_cannot_pass_up() {
    let mut sim = World::new().open_by(ADA);
    let err = sim.refused(p(ADA), pass_up(None));
    assert_eq!(err, DomainError::TopOfHierarchy { owner: ADA });
    assert_eq!(err.kind(), ErrorKind::Conflict);
}

#[test]
fn pass_up_is_refused_on_a_solved_case() {
    let mut sim = World::new().open_by(DI);
    sim.ok(p(DI), solve(2));
    assert_eq!(sim.refused(p(DI), pass_up(None)), DomainError::CaseSolved);
}

// ---------------------------------------------------------------------------------------
// 4. Take
// ---------------------------------------------------------------------------------------

#[test]
fn someone_above_may_take_a_case() {
    let mut sim = World::new().open_by(DI);
    let events = sim.ok(p(BO), Command::Take);
    assert_eq!(only_body(&events), &EventBody::Taken { from: DI, to: BO });
    assert_eq!(sim.case.owner, BO);
    assert_eq!(sim.case.takes, 1);
    let notifications = notifications_for(&events[0], &sim.case);
    assert_eq!(notifications[0].recipient, Recipient::Person { id: DI });
    assert_eq!(notifications[0].template, "taken_from_you");
}

#[test]
fn take_by_someone_not_above_is_refused() {
    let mut sim = World::new().open_by(CY);
    for actor in [DI, ED, FLO, GUS] {
        let err = sim.refused(p(actor), Command::Take);
        assert_eq!(
            err,
            DomainError::TakeNotFromAbove { owner: CY },
            "taker {actor}"
        );
        assert_eq!(err.kind(), ErrorKind::Forbidden);
    }
    for actor in [Actor::Customer, Actor::System] {
        assert_eq!(
            sim.refused(actor, Command::Take).kind(),
            ErrorKind::Forbidden
        );
    }
}

#[test]
fn take_by_the_owner_is_refused() {
    let mut sim = World::new().open_by(CY);
    assert_eq!(
        sim.refused(p(CY), Command::Take),
        DomainError::AlreadyOwner { person: CY }
    );
}

#[test]
fn take_by_an_inactive_person_above_is_refused() {
    let mut world = World::new();
    world.deactivate(BO);
    let mut sim = world.open_by(DI);
    assert_eq!(
        sim.refused(p(BO), Command::Take),
        DomainError::InactivePerson {
            field: "actor".into(),
            id: BO
        }
    );
}

// ---------------------------------------------------------------------------------------
// 5. Upgrade to management
// ---------------------------------------------------------------------------------------

#[test]
fn upgrade_goes_to_the_category_manager_and_counts_as_an_upgrade() {
    let mut sim = World::new().open_by(DI);
    let events = sim.ok(
        p(DI),
        Command::Upgrade {
            reason: "live call, angry customer".into(),
        },
    );
    assert_eq!(
        only_body(&events),
        &EventBody::Upgraded {
            from: DI,
            to: BO,
            reason: "live call, angry customer".into()
        }
    );
    assert_eq!(sim.case.owner, BO);
    assert_eq!(sim.case.upgrades, 1);
    assert_eq!(sim.case.pass_ups, 0);
    let notifications = notifications_for(&events[0], &sim.case);
    assert_eq!(notifications[0].recipient, Recipient::Person { id: BO });
    assert_eq!(notifications[0].template, "upgraded_to_you");
}

#[test]
fn upgrade_skips_the_supervisor() {
    // Cy is Di's supervisor; the upgrade goes straight to the category manager, Bo.
    let mut sim = World::new().open_by(DI);
    sim.ok(
        p(DI),
        Command::Upgrade {
            reason: "learn".into(),
        },
    );
    assert_ne!(sim.case.owner, CY);
    assert_eq!(sim.case.owner, sim.world.category.manager);
}

#[test]
fn upgrade_never_passes_a_case_down() {
    let mut sim = World::new().open_by(ADA);
    assert_eq!(
        sim.refused(
            p(ADA),
            Command::Upgrade {
                reason: "learn".into()
            }
        ),
        DomainError::UpgradeWouldPassDown { manager: BO }
    );
}

#[test]
fn upgrade_by_the_category_manager_is_refused() {
    let mut sim = World::new().open_by(BO);
    assert_eq!(
        sim.refused(
            p(BO),
            Command::Upgrade {
                reason: "learn".into()
            }
        ),
        DomainError::AlreadyOwner { person: BO }
    );
}

#[test]
fn only_the_owner_may_upgrade() {
    let mut sim = World::new().open_by(DI);
    assert_eq!(
        sim.refused(
            p(ED),
            Command::Upgrade {
                reason: "learn".into()
            }
        ),
        DomainError::NotOwner { owner: DI }
    );
}

// ---------------------------------------------------------------------------------------
// 8. Solving
// ---------------------------------------------------------------------------------------

#[test]
fn solving_records_resolution_road_and_what_was_learned() {
    let mut sim = World::new().open_by(DI);
    sim.advance(Duration::hours(2));
    let events = sim.ok(p(DI), solve(3));
    assert_eq!(
        only_body(&events),
        &EventBody::Solved {
            resolution: "Refunded the second charge.".into(),
            road: Road::Teach,
            learned: "Retry charged twice.".into()
        }
    );
    assert_eq!(sim.case.status, CaseStatus::Solved);
    let solution = sim.case.solution.as_ref().unwrap();
    assert_eq!(solution.solved_by, DI);
    assert_eq!(solution.solved_at, t0() + Duration::hours(2));
    assert_eq!(solution.road, Road::Teach);
    assert_eq!(
        sim.case.owner, DI,
        "the solver keeps the case, to get it back on a reply"
    );
    let notifications = notifications_for(&events[0], &sim.case);
    assert_eq!(notifications[0].recipient, Recipient::Customer);
    assert_eq!(notifications[0].template, "solved");
}

#[test]
fn solving_accepts_each_of_the_four_roads() {
    for (n, road) in [
        (1, Road::LearnFromYou),
        (2, Road::EmpathyAndCare),
        (3, Road::Teach),
        (4, Road::GoAway),
    ] {
        let mut sim = World::new().open_by(DI);
        sim.ok(p(DI), solve(n));
        assert_eq!(sim.case.solution.unwrap().road, road);
    }
}

#[test]
fn solving_refuses_a_road_out_of_range() {
    let mut sim = World::new().open_by(DI);
    for road in [0, 5, 7, -1, 256, i64::MAX] {
        let err = sim.refused(p(DI), solve(road));
        assert_eq!(err.field().as_deref(), Some("road"), "road {road}: {err}");
        assert_eq!(err.kind(), ErrorKind::Invalid);
    }
}

#[test]
fn solving_requires_resolution_and_learned() {
    let mut sim = World::new().open_by(DI);
    let err = sim.refused(
        p(DI),
        Command::Solve {
            resolution: " ".into(),
            road: 1,
            learned: "x".into(),
        },
    );
    assert_eq!(
        err,
        DomainError::Required {
            field: "resolution".into()
        }
    );
    let err = sim.refused(
        p(DI),
        Command::Solve {
            resolution: "x".into(),
            road: 1,
            learned: "".into(),
        },
    );
    assert_eq!(
        err,
        DomainError::Required {
            field: "learned".into()
        }
    );
}

#[test]
fn only_the_owner_may_solve() {
    let mut sim = World::new().open_by(DI);
    assert_eq!(
        sim.refused(p(BO), solve(1)),
        DomainError::NotOwner { owner: DI }
    );
    assert_eq!(
        sim.refused(Actor::Customer, solve(1)).kind(),
        ErrorKind::Forbidden
    );
}

#[test]
fn a_solved_case_cannot_be_solved_again() {
    let mut sim = World::new().open_by(DI);
    sim.ok(p(DI), solve(1));
    assert_eq!(sim.refused(p(DI), solve(1)), DomainError::CaseSolved);
}

// ---------------------------------------------------------------------------------------
// 6. The 20-hour rule
// ---------------------------------------------------------------------------------------

#[test]
fn escalation_is_not_due_before_the_deadline() {
    let mut sim = World::new().open_by(DI);
    sim.advance(Duration::hours(20) - Duration::seconds(1));
    let err = sim.refused(Actor::System, Command::Escalate);
    assert!(
        matches!(
            err,
            DomainError::NotDue {
                what: "escalation",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(err.kind(), ErrorKind::Conflict);
}

#[test]
fn escalation_at_the_deadline_goes_to_the_category_executive() {
    let mut sim = World::new().open_by(DI);
    sim.advance(Duration::hours(20));
    let events = sim.ok(Actor::System, Command::Escalate);
    assert_eq!(
        only_body(&events),
        &EventBody::Escalated { from: DI, to: FLO }
    );
    assert_eq!(events[0].actor, Actor::System);
    assert_eq!(sim.case.owner, FLO);
    assert!(sim.case.escalated);
    let notifications = notifications_for(&events[0], &sim.case);
    let templates: Vec<_> = notifications
        .iter()
        .map(|n| (n.recipient, n.template.as_str()))
        .collect();
    assert!(
        templates.contains(&(Recipient::Person { id: FLO }, "escalated_to_you")),
        "{templates:?}"
    );
    assert!(
        templates.contains(&(Recipient::Customer, "escalated_status")),
        "{templates:?}"
    );
}

#[test]
fn escalation_happens_exactly_once() {
    let mut sim = World::new().open_by(DI);
    sim.advance(Duration::hours(21));
    sim.ok(Actor::System, Command::Escalate);
    // A second server running the same sweep.
    assert_eq!(
        sim.refused(Actor::System, Command::Escalate),
        DomainError::AlreadyEscalated
    );
    sim.advance(Duration::hours(40));
    assert_eq!(
        sim.refused(Actor::System, Command::Escalate),
        DomainError::AlreadyEscalated
    );
    let escalations = sim
        .log
        .iter()
        .filter(|e| matches!(e.body, EventBody::Escalated { .. }))
        .count();
    assert_eq!(escalations, 1);
}

#[test]
fn escalation_does_not_happen_when_solved_in_time() {
    let mut sim = World::new().open_by(DI);
    sim.advance(Duration::hours(19));
    sim.ok(p(DI), solve(2));
    sim.advance(Duration::hours(2));
    assert_eq!(
        sim.refused(Actor::System, Command::Escalate),
        DomainError::CaseSolved
    );
    assert!(timers_for(&sim.case, &sim.world.rules).is_empty());
}

#[test]
fn escalation_goes_to_the_top_of_the_hierarchy_when_the_executive_is_inactive() {
    let mut world = World::new();
    world.deactivate(FLO);
    let mut sim = world.open_by(DI);
    sim.advance(Duration::hours(20));
    let events = sim.ok(Actor::System, Command::Escalate);
    assert_eq!(
        only_body(&events),
        &EventBody::Escalated { from: DI, to: ADA }
    );
    assert_eq!(sim.case.owner, ADA);
}

#[test]
fn escalation_goes_to_the_top_of_the_hierarchy_when_the_executive_is_unknown() {
    let mut world = World::new();
    world.category.executive = 99;
    let mut sim = world.open_by(DI);
    sim.advance(Duration::hours(20));
    sim.ok(Actor::System, Command::Escalate);
    assert_eq!(sim.case.owner, ADA);
}

#[test]
fn escalation_never_moves_a_case_down() {
    // Ada is above the executive Flo: the case stays with her.
    let mut sim = World::new().open_by(ADA);
    sim.advance(Duration::hours(20));
    let events = sim.ok(Actor::System, Command::Escalate);
    assert_eq!(
        only_body(&events),
        &EventBody::Escalated { from: ADA, to: ADA }
    );
    assert_eq!(sim.case.owner, ADA);
    assert!(sim.case.escalated);
    assert!(notifications_for(&events[0], &sim.case).is_empty());
}

#[test]
fn escalation_never_hands_the_case_to_an_inactive_person() {
    // The executive is gone and so is the person at the top of the owner's chain
    // (Ada): nobody could work the case there. Passing up skips deactivated managers
    // for the same reason; escalation must not leave the case with a deactivated owner.
    let mut world = World::new();
    world.deactivate(FLO);
    world.deactivate(ADA);
    let mut sim = world.open_by(DI);
    sim.advance(Duration::hours(20));
    sim.ok(Actor::System, Command::Escalate);
    let owner = sim
        .world
        .hierarchy
        .get(sim.case.owner)
        .expect("owner in the hierarchy");
    assert!(
        owner.active,
        "escalation handed the case to deactivated person {}",
        owner.id
    );
}

#[test]
fn only_the_scheduler_escalates() {
    let mut sim = World::new().open_by(DI);
    sim.advance(Duration::hours(20));
    for actor in [p(ADA), p(DI), Actor::Customer] {
        let err = sim.refused(actor, Command::Escalate);
        assert_eq!(
            err,
            DomainError::WrongActor {
                who: "the scheduler"
            }
        );
        assert_eq!(err.kind(), ErrorKind::Forbidden);
    }
}

#[test]
fn escalation_deadline_does_not_move_when_the_case_is_passed_up() {
    let mut sim = World::new().open_by(DI);
    sim.advance(Duration::hours(10));
    sim.ok(p(DI), pass_up(None));
    assert_eq!(sim.case.escalates_at, t0() + Duration::hours(20));
    sim.advance(Duration::hours(10));
    sim.ok(Actor::System, Command::Escalate);
    assert_eq!(sim.case.owner, FLO);
}

#[test]
fn an_open_case_has_an_escalation_timer_at_its_deadline() {
    let sim = World::new().open_by(DI);
    let timers = timers_for(&sim.case, &sim.world.rules);
    let escalate: Vec<_> = timers
        .iter()
        .filter(|t| t.kind == TimerKind::Escalate)
        .collect();
    assert_eq!(escalate.len(), 1, "{timers:?}");
    assert_eq!(escalate[0].due_at, t0() + Duration::hours(20));
    assert_eq!(escalate[0].kind.command(), Command::Escalate);
}

#[test]
fn an_escalated_case_has_no_escalation_timer() {
    let mut sim = World::new().open_by(DI);
    sim.advance(Duration::hours(20));
    sim.ok(Actor::System, Command::Escalate);
    let timers = timers_for(&sim.case, &sim.world.rules);
    assert!(
        timers.iter().all(|t| t.kind == TimerKind::TickleIdle),
        "{timers:?}"
    );
}

// ---------------------------------------------------------------------------------------
// 7. Ticklers
// ---------------------------------------------------------------------------------------

#[test]
fn idle_tickle_is_due_after_tickle_after_without_activity() {
    let mut sim = World::new().open_by(DI);
    sim.advance(Duration::hours(4) - Duration::seconds(1));
    let err = sim.refused(Actor::System, tickle(TickleReason::Idle));
    assert!(matches!(err, DomainError::NotDue { .. }), "{err}");
    sim.advance(Duration::seconds(1));
    let events = sim.ok(Actor::System, tickle(TickleReason::Idle));
    assert_eq!(
        only_body(&events),
        &EventBody::Tickled {
            owner: DI,
            reason: TickleReason::Idle
        }
    );
    let notifications = notifications_for(&events[0], &sim.case);
    assert_eq!(notifications[0].recipient, Recipient::Person { id: DI });
    assert_eq!(notifications[0].template, "tickle_idle");
}

#[test]
fn idle_tickle_repeats_after_another_tickle_after() {
    let mut sim = World::new().open_by(DI);
    sim.advance(Duration::hours(4));
    sim.ok(Actor::System, tickle(TickleReason::Idle));
    // A tickle is not activity, but it restarts the reminder interval.
    assert_eq!(sim.case.last_activity_at, t0());
    assert!(matches!(
        sim.refused(Actor::System, tickle(TickleReason::Idle)),
        DomainError::NotDue { .. }
    ));
    sim.advance(Duration::hours(4) - Duration::seconds(1));
    assert!(matches!(
        sim.refused(Actor::System, tickle(TickleReason::Idle)),
        DomainError::NotDue { .. }
    ));
    sim.advance(Duration::seconds(1));
    sim.ok(Actor::System, tickle(TickleReason::Idle));
    let idle = timers_for(&sim.case, &sim.world.rules)
        .into_iter()
        .find(|t| t.kind == TimerKind::TickleIdle);
    assert_eq!(idle.unwrap().due_at, t0() + Duration::hours(12));
}

#[test]
fn activity_postpones_the_idle_tickle() {
    let mut sim = World::new().open_by(DI);
    sim.advance(Duration::hours(3));
    sim.ok(
        p(DI),
        Command::SendMessage {
            body: "Looking into it.".into(),
            attachments: vec![],
        },
    );
    sim.advance(Duration::hours(3));
    assert!(matches!(
        sim.refused(Actor::System, tickle(TickleReason::Idle)),
        DomainError::NotDue { .. }
    ));
    sim.advance(Duration::hours(1));
    sim.ok(Actor::System, tickle(TickleReason::Idle));
}

/// A missed call's case, opened with a call-back time of two hours.
fn missed_call_case() -> Sim {
    let world = World::new();
    let mut missed = intake();
    missed.channel = Channel::Phone;
    missed.call_back_within = Some(Duration::hours(2));
    let event = world.try_open(&missed, DI).expect("a missed call opens");
    assert_eq!(
        match &event.body {
            EventBody::Opened { call_back_by, .. } => *call_back_by,
            _ => None,
        },
        Some(t0() + Duration::hours(2))
    );
    let case = Case::from_events(std::slice::from_ref(&event)).expect("it folds");
    Sim {
        world,
        case,
        log: vec![event],
    }
}

#[test]
fn a_missed_calls_owner_is_reminded_to_call_back_at_the_call_back_time() {
    let mut sim = missed_call_case();
    sim.advance(Duration::hours(2) - Duration::seconds(1));
    assert!(matches!(
        sim.refused(Actor::System, tickle(TickleReason::Idle)),
        DomainError::NotDue { .. }
    ));
    sim.advance(Duration::seconds(1));
    sim.ok(Actor::System, tickle(TickleReason::Idle));
    // After the call-back reminder, the usual rhythm: tickle_after from it.
    let idle = timers_for(&sim.case, &sim.world.rules)
        .into_iter()
        .find(|t| t.kind == TimerKind::TickleIdle);
    assert_eq!(idle.unwrap().due_at, t0() + Duration::hours(6));
}

#[test]
fn working_a_missed_call_before_its_call_back_time_drops_the_early_reminder() {
    let mut sim = missed_call_case();
    sim.advance(Duration::hours(1));
    sim.ok(
        p(DI),
        Command::AddNote {
            body: "Called back, left a voicemail.".into(),
            attachments: vec![],
        },
    );
    let idle = timers_for(&sim.case, &sim.world.rules)
        .into_iter()
        .find(|t| t.kind == TimerKind::TickleIdle);
    assert_eq!(idle.unwrap().due_at, t0() + Duration::hours(5));
}

#[test]
fn a_call_back_time_that_is_not_positive_is_refused() {
    let world = World::new();
    let mut missed = intake();
    missed.call_back_within = Some(Duration::zero());
    let err = world.try_open(&missed, DI).unwrap_err();
    assert!(err.to_string().contains("call_back_within"), "{err}");
}

#[test]
fn deadline_tickle_comes_at_80_percent_of_the_escalation_time() {
    let mut sim = World::new().open_by(DI);
    assert_eq!(
        sim.case.deadline_warning_at(0.8),
        t0() + Duration::hours(16)
    );
    let timer = timers_for(&sim.case, &sim.world.rules)
        .into_iter()
        .find(|t| t.kind == TimerKind::TickleDeadline);
    assert_eq!(timer.unwrap().due_at, t0() + Duration::hours(16));

    sim.advance(Duration::hours(16) - Duration::seconds(1));
    assert!(matches!(
        sim.refused(Actor::System, tickle(TickleReason::Deadline)),
        DomainError::NotDue { .. }
    ));
    sim.advance(Duration::seconds(1));
    let events = sim.ok(Actor::System, tickle(TickleReason::Deadline));
    assert_eq!(
        only_body(&events),
        &EventBody::Tickled {
            owner: DI,
            reason: TickleReason::Deadline
        }
    );
    assert!(sim.case.deadline_warned);
    assert_eq!(
        notifications_for(&events[0], &sim.case)[0].template,
        "tickle_deadline"
    );
    // Only once per escalation clock.
    assert_eq!(
        sim.refused(Actor::System, tickle(TickleReason::Deadline))
            .kind(),
        ErrorKind::Conflict
    );
    assert!(timers_for(&sim.case, &sim.world.rules)
        .iter()
        .all(|t| t.kind != TimerKind::TickleDeadline));
}

#[test]
fn only_the_scheduler_tickles_and_never_a_solved_case() {
    let mut sim = World::new().open_by(DI);
    sim.advance(Duration::hours(5));
    assert_eq!(
        sim.refused(p(ADA), tickle(TickleReason::Idle)).kind(),
        ErrorKind::Forbidden
    );
    sim.ok(p(DI), solve(4));
    sim.advance(Duration::hours(5));
    assert_eq!(
        sim.refused(Actor::System, tickle(TickleReason::Idle)),
        DomainError::CaseSolved
    );
}

// ---------------------------------------------------------------------------------------
// 8. Reopening and rating
// ---------------------------------------------------------------------------------------

#[test]
fn a_customer_reply_to_a_solved_case_reopens_it_to_the_solver() {
    let mut sim = World::new().open_by(DI);
    sim.ok(p(DI), pass_up(None)); // Cy owns it now
    sim.advance(Duration::hours(3));
    sim.ok(p(CY), solve(2));
    sim.advance(Duration::hours(30));
    let events = sim.ok(Actor::Customer, reply("It happened again."));
    let reopened_at = t0() + Duration::hours(33);
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(
        events[0].body,
        EventBody::CustomerReplied {
            body: "It happened again.".into(),
            attachments: vec![]
        }
    );
    assert_eq!(
        events[1].body,
        EventBody::Reopened {
            owner: CY,
            escalates_at: reopened_at + Duration::hours(20)
        }
    );
    assert_eq!(sim.case.status, CaseStatus::Open);
    assert_eq!(sim.case.owner, CY);
    assert_eq!(sim.case.escalates_at, reopened_at + Duration::hours(20));
    assert_eq!(sim.case.clock_started_at, reopened_at);
    assert_eq!(sim.case.solution, None);
    assert_eq!(sim.case.reopenings, 1);
    // The fresh clock is the one the scheduler works from.
    let timer = timers_for(&sim.case, &sim.world.rules)
        .into_iter()
        .find(|t| t.kind == TimerKind::Escalate);
    assert_eq!(timer.unwrap().due_at, reopened_at + Duration::hours(20));
    // The solver hears of it through the reopening, not twice.
    let after_reply = Case::from_events(&sim.log[..sim.log.len() - 1]).unwrap();
    assert!(!after_reply.is_open());
    assert!(notifications_for(&events[0], &after_reply).is_empty());
    let n = notifications_for(&events[1], &sim.case);
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].recipient, Recipient::Person { id: CY });
    assert_eq!(n[0].template, "reopened_to_you");
}

#[test]
fn a_reopened_case_escalates_on_its_fresh_clock() {
    let mut sim = World::new().open_by(DI);
    sim.ok(p(DI), solve(2));
    sim.advance(Duration::hours(10));
    sim.ok(Actor::Customer, reply("Still broken."));
    sim.advance(Duration::hours(19));
    assert!(matches!(
        sim.refused(Actor::System, Command::Escalate),
        DomainError::NotDue { .. }
    ));
    sim.advance(Duration::hours(1));
    sim.ok(Actor::System, Command::Escalate);
    assert_eq!(sim.case.owner, FLO);
}

#[test]
fn a_customer_reply_to_an_open_case_does_not_reopen_it() {
    let mut sim = World::new().open_by(DI);
    let events = sim.ok(Actor::Customer, reply("Any news?"));
    assert_eq!(
        only_body(&events),
        &EventBody::CustomerReplied {
            body: "Any news?".into(),
            attachments: vec![]
        }
    );
    assert_eq!(sim.case.reopenings, 0);
    let n = notifications_for(&events[0], &sim.case);
    assert_eq!(n[0].recipient, Recipient::Person { id: DI });
    assert_eq!(n[0].template, "customer_replied");
}

#[test]
fn only_the_customer_replies_as_the_customer() {
    let mut sim = World::new().open_by(DI);
    sim.ok(p(DI), solve(1));
    assert_eq!(sim.refused(p(DI), reply("hi")).kind(), ErrorKind::Forbidden);
    assert_eq!(
        sim.refused(Actor::Customer, reply("  ")),
        DomainError::Required {
            field: "body".into()
        }
    );
    assert_eq!(sim.case.status, CaseStatus::Solved);
}

#[test]
fn rating_is_recorded_for_a_solved_case() {
    let mut sim = World::new().open_by(DI);
    sim.ok(p(DI), solve(1));
    sim.advance(Duration::hours(1));
    let events = sim.ok(Actor::Customer, rate(5));
    assert_eq!(
        only_body(&events),
        &EventBody::Rated {
            score: 5,
            delighted_by: "fast refund".into(),
            would_recommend: true
        }
    );
    let rating = sim.case.rating.clone().unwrap();
    assert_eq!(rating.score, 5);
    assert_eq!(rating.rated_at, t0() + Duration::hours(1));
    assert!(rating.would_recommend);
    assert_eq!(
        sim.case.status,
        CaseStatus::Solved,
        "rating does not reopen"
    );
}

#[test]
fn rating_only_by_the_customer() {
    let mut sim = World::new().open_by(DI);
    sim.ok(p(DI), solve(1));
    for actor in [p(DI), p(ADA), Actor::System] {
        let err = sim.refused(actor, rate(5));
        assert_eq!(
            err,
            DomainError::WrongActor {
                who: "the case's customer"
            }
        );
        assert_eq!(err.kind(), ErrorKind::Forbidden);
    }
}

#[test]
fn rating_only_when_solved() {
    let mut sim = World::new().open_by(DI);
    let err = sim.refused(Actor::Customer, rate(4));
    assert_eq!(err, DomainError::CaseNotSolved);
    assert_eq!(err.kind(), ErrorKind::Conflict);
}

#[test]
fn rating_score_must_be_1_to_5() {
    let mut sim = World::new().open_by(DI);
    sim.ok(p(DI), solve(1));
    for score in [0, 6, 9, -1, 256] {
        let err = sim.refused(Actor::Customer, rate(score));
        assert_eq!(
            err.field().as_deref(),
            Some("score"),
            "score {score}: {err}"
        );
        assert_eq!(err.kind(), ErrorKind::Invalid);
    }
    for score in 1..=5 {
        let mut sim = World::new().open_by(DI);
        sim.ok(p(DI), solve(1));
        sim.ok(Actor::Customer, rate(score));
    }
}

#[test]
fn rating_only_once_per_solution() {
    let mut sim = World::new().open_by(DI);
    sim.ok(p(DI), solve(1));
    sim.ok(Actor::Customer, rate(3));
    assert_eq!(
        sim.refused(Actor::Customer, rate(5)),
        DomainError::AlreadyRated
    );
    // A new solution after a reopening may be rated again.
    sim.ok(Actor::Customer, reply("Wait, one more thing."));
    assert_eq!(sim.case.rating, None);
    assert_eq!(
        sim.refused(Actor::Customer, rate(5)),
        DomainError::CaseNotSolved
    );
    sim.ok(p(DI), solve(2));
    sim.ok(Actor::Customer, rate(5));
    assert_eq!(sim.case.rating.as_ref().unwrap().score, 5);
}

// ---------------------------------------------------------------------------------------
// 10. Everything is an event
// ---------------------------------------------------------------------------------------

#[test]
fn the_state_is_the_fold_of_the_event_log() {
    let mut sim = World::new().open_by(DI);
    sim.advance(Duration::minutes(5));
    sim.ok(
        p(DI),
        Command::Upgrade {
            reason: "learn".into(),
        },
    );
    sim.advance(Duration::hours(4));
    sim.ok(Actor::System, tickle(TickleReason::Idle));
    sim.ok(p(ADA), Command::Take);
    sim.ok(
        p(ADA),
        Command::SendMessage {
            body: "We are on it.".into(),
            attachments: vec![],
        },
    );
    sim.ok(p(ADA), solve(1));
    sim.ok(Actor::Customer, rate(4));
    sim.ok(Actor::Customer, reply("Actually…"));

    let seqs: Vec<u32> = sim.log.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=sim.log.len() as u32).collect::<Vec<_>>());
    assert_eq!(Case::from_events(&sim.log).unwrap(), sim.case);
    assert_eq!(sim.case.version as usize, sim.log.len());
    assert!(sim.log.iter().all(|e| e.at <= sim.now()));
}

#[test]
fn a_corrupt_log_is_refused() {
    let mut sim = World::new().open_by(DI);
    sim.ok(p(DI), pass_up(None));
    let mut log = sim.log.clone();
    assert!(Case::from_events(&[]).is_err());
    log[1].seq = 3;
    assert_eq!(
        Case::from_events(&log).unwrap_err().kind(),
        ErrorKind::Internal
    );
    let doubled = vec![
        sim.log[0].clone(),
        Event {
            seq: 2,
            ..sim.log[0].clone()
        },
    ];
    assert_eq!(
        Case::from_events(&doubled).unwrap_err().kind(),
        ErrorKind::Internal
    );
    assert_eq!(
        Case::from_events(&sim.log[1..]).unwrap_err().kind(),
        ErrorKind::Internal
    );
}

fn note(body: &str) -> Command {
    Command::AddNote {
        body: body.into(),
        attachments: vec![],
    }
}

#[test]
fn anyone_on_staff_may_add_a_note_and_nobody_is_mailed_about_it() {
    let mut sim = World::new().open_by(DI);
    // The owner, someone above and a peer alike: notes are how people help each other.
    for writer in [DI, BO, ED] {
        let events = sim.ok(p(writer), note("Called the bank; waiting for them."));
        assert!(matches!(
            only_body(&events),
            EventBody::NoteAdded { body, .. } if body == "Called the bank; waiting for them."
        ));
        assert!(
            notifications_for(&events[0], &sim.case).is_empty(),
            "a note is internal: no mail to anyone"
        );
        assert_eq!(sim.case.owner, DI, "a note moves nothing");
    }
    assert!(matches!(
        sim.refused(Actor::Customer, note("I am the customer")),
        DomainError::WrongActor { .. }
    ));
    assert_eq!(
        sim.refused(p(DI), note("   ")).field().as_deref(),
        Some("body")
    );
}

#[test]
fn only_the_owners_own_note_postpones_the_idle_tickle() {
    let mut sim = World::new().open_by(DI);
    sim.advance(Duration::hours(3));
    sim.ok(p(BO), note("Manager looked at it"));
    sim.advance(Duration::hours(1));
    sim.ok(Actor::System, tickle(TickleReason::Idle));
    sim.advance(Duration::hours(1));
    sim.ok(p(DI), note("Owner working on it"));
    sim.advance(Duration::hours(3));
    assert!(
        matches!(
            sim.refused(Actor::System, tickle(TickleReason::Idle)),
            DomainError::NotDue { .. }
        ),
        "the owner's note is activity"
    );
}

#[test]
fn the_system_passes_up_only_for_an_owner_who_is_gone() {
    let mut sim = World::new().open_by(DI);
    let gone = |sim: &mut Sim| sim.refused(Actor::System, pass_up(None));
    assert!(
        matches!(
            gone(&mut sim),
            DomainError::WrongActor { .. } | DomainError::NotOwner { .. }
        ),
        "while the owner is active, only they pass their case up"
    );
    sim.world.deactivate(DI);
    let events = sim.ok(Actor::System, pass_up(None));
    assert!(matches!(
        only_body(&events),
        EventBody::PassedUp {
            from: DI,
            to: CY,
            ..
        }
    ));
    assert_eq!(sim.case.owner, CY);
}

// ---------------------------------------------------------------------------------------
// 13. "Not a customer case"
// ---------------------------------------------------------------------------------------

fn mark_junk() -> Command {
    Command::MarkJunk {
        reason: "a sales pitch".into(),
    }
}

const ADMIN: PersonId = 9;

fn world_with_admin() -> World {
    let mut people = people();
    people.push(person(ADMIN, Role::Admin, None));
    World::with_people(people)
}

#[test]
fn the_owner_marks_a_case_junk_and_it_ends_without_a_solve_or_timers() {
    let mut sim = World::new().open_by(DI);
    assert!(!timers_for(&sim.case, &sim.world.rules).is_empty());
    let events = sim.ok(p(DI), mark_junk());
    assert_eq!(
        only_body(&events),
        &EventBody::MarkedJunk {
            owner: DI,
            reason: "a sales pitch".into()
        }
    );
    assert_eq!(sim.case.status, CaseStatus::Junk);
    assert!(sim.case.solution.is_none(), "a junk mark is not a solve");
    assert_eq!(sim.case.owner, DI, "the case stays with who marked it");
    let mark = sim.case.junk_mark.clone().expect("the mark is on the case");
    assert_eq!((mark.by, mark.at), (Some(DI), sim.now()));
    assert!(timers_for(&sim.case, &sim.world.rules).is_empty());
    // Nobody hears about junk: above all not its sender.
    assert!(notifications_for(&events[0], &sim.case).is_empty());
}

#[test]
fn someone_above_the_owner_may_mark_junk_but_nobody_beside_or_below() {
    let mut sim = World::new().open_by(CY);
    assert_eq!(
        sim.refused(p(ED), mark_junk()),
        DomainError::NotOwner { owner: CY }
    );
    assert_eq!(
        sim.refused(p(GUS), mark_junk()),
        DomainError::NotOwner { owner: CY }
    );
    sim.ok(p(BO), mark_junk());
    assert_eq!(sim.case.junk_mark.unwrap().by, Some(BO));
}

#[test]
fn a_junk_case_takes_no_work_and_no_rating() {
    let mut sim = World::new().open_by(DI);
    sim.ok(p(DI), mark_junk());
    assert_eq!(sim.refused(p(DI), solve(2)), DomainError::CaseJunk);
    assert_eq!(sim.refused(p(DI), pass_up(None)), DomainError::CaseJunk);
    assert_eq!(sim.refused(p(CY), Command::Take), DomainError::CaseJunk);
    assert_eq!(sim.refused(p(DI), mark_junk()), DomainError::CaseJunk);
    assert_eq!(
        sim.refused(Actor::Customer, rate(5)),
        DomainError::CaseNotSolved
    );
    sim.advance(Duration::hours(21));
    assert_eq!(
        sim.refused(Actor::System, Command::Escalate),
        DomainError::CaseJunk
    );
    assert_eq!(DomainError::CaseJunk.kind(), ErrorKind::Conflict);
}

#[test]
fn a_solved_case_cannot_be_marked_junk() {
    let mut sim = World::new().open_by(DI);
    sim.ok(p(DI), solve(2));
    assert_eq!(sim.refused(p(DI), mark_junk()), DomainError::CaseSolved);
}

#[test]
fn a_junk_reason_is_one_short_line() {
    let mut sim = World::new().open_by(DI);
    let long = Command::MarkJunk {
        reason: "x".repeat(201),
    };
    assert!(matches!(
        sim.refused(p(DI), long),
        DomainError::Invalid { field, .. } if field == "reason"
    ));
    sim.ok(
        p(DI),
        Command::MarkJunk {
            reason: "spam\r\nBcc: x".into(),
        },
    );
    assert_eq!(sim.case.junk_mark.unwrap().reason, "spam Bcc: x");
}

#[test]
fn a_manager_undoes_a_mark_and_the_case_is_open_on_its_old_deadline() {
    let mut sim = World::new().open_by(DI);
    let deadline = sim.case.escalates_at;
    sim.advance(Duration::hours(2));
    sim.ok(p(DI), mark_junk());
    sim.advance(Duration::hours(1));
    // The one who marked it may not take it back; nor may someone beside them.
    assert_eq!(
        sim.refused(p(DI), Command::UndoJunk),
        DomainError::UndoNotFromAbove { owner: DI }
    );
    assert_eq!(
        sim.refused(p(ED), Command::UndoJunk),
        DomainError::UndoNotFromAbove { owner: DI }
    );
    let events = sim.ok(p(CY), Command::UndoJunk);
    assert_eq!(only_body(&events), &EventBody::JunkUndone { owner: DI });
    assert_eq!(sim.case.status, CaseStatus::Open);
    assert_eq!(sim.case.owner, DI);
    assert_eq!(sim.case.escalates_at, deadline, "the mark bought no time");
    assert!(sim.case.junk_mark.is_none());
    let kinds: Vec<TimerKind> = timers_for(&sim.case, &sim.world.rules)
        .iter()
        .map(|t| t.kind)
        .collect();
    assert!(kinds.contains(&TimerKind::Escalate), "{kinds:?}");
    let told: Vec<_> = notifications_for(&events[0], &sim.case)
        .into_iter()
        .map(|n| (n.recipient, n.template))
        .collect();
    assert_eq!(
        told,
        vec![(Recipient::Person { id: DI }, "junk_mark_undone".to_string())]
    );
    assert_eq!(
        sim.refused(p(CY), Command::UndoJunk),
        DomainError::NotMarkedJunk
    );
}

#[test]
fn an_undo_after_the_deadline_escalates_at_once() {
    let mut sim = World::new().open_by(DI);
    sim.ok(p(DI), mark_junk());
    sim.advance(Duration::hours(30));
    sim.ok(p(BO), Command::UndoJunk);
    let escalation = sim.ok(Actor::System, Command::Escalate);
    assert!(matches!(
        only_body(&escalation),
        EventBody::Escalated { from: DI, to: FLO }
    ));
}

#[test]
fn an_administrator_may_undo_a_mark_made_at_the_top() {
    let mut sim = world_with_admin().open_by(ADA);
    sim.ok(p(ADA), mark_junk());
    sim.ok(p(ADMIN), Command::UndoJunk);
    assert_eq!(sim.case.status, CaseStatus::Open);
}

#[test]
fn a_customer_reply_reopens_a_junk_case_to_its_owner() {
    let mut sim = World::new().open_by(DI);
    sim.ok(p(DI), mark_junk());
    sim.advance(Duration::hours(3));
    let events = sim.ok(Actor::Customer, reply("Hello? This was a real question."));
    assert!(matches!(
        events[1].body,
        EventBody::Reopened { owner: DI, .. }
    ));
    assert_eq!(sim.case.status, CaseStatus::Open);
    assert!(sim.case.junk_mark.is_none());
    assert_eq!(sim.case.escalates_at, sim.now() + Duration::hours(20));
}
