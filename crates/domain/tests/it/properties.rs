//! Property tests: random command sequences by random actors on random hierarchies.
//!
//! Every step calls `decide` on the current case; accepted events are folded in with
//! `Case::apply` and appended to a log. After every step the invariants of docs/design.md §2
//! are checked against the state, the events and the log.

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use roadone_domain::notification::notifications_for;
use roadone_domain::timer::idle_tickle_due;
use roadone_domain::{
    available_actions, open, timers_for, transition, Actions, Actor, Case, CaseStatus, Category,
    Channel, ChecklistItem, Command, Context, Customer, Event, EventBody, Hierarchy, Intake,
    Person, PersonId, Realtime, Recipient, Role, Rules, TickleReason, TimerKind,
};
use std::collections::BTreeMap;

const MAX_PEOPLE: usize = 12;

#[derive(Debug, Clone, Copy)]
enum ActorSpec {
    /// Whoever owns the case at that step; makes owner-only commands reachable.
    Owner,
    /// Someone strictly above the owner (the raw number picks which), or the owner at the top.
    Above(usize),
    /// A raw person id, possibly unknown (0 or beyond the hierarchy).
    Person(PersonId),
    Customer,
    System,
}

#[derive(Debug, Clone)]
struct Step {
    actor: ActorSpec,
    command: Command,
    /// Seconds the clock moves before the step.
    advance: i64,
}

#[derive(Debug, Clone)]
struct Scenario {
    people: Vec<Person>,
    opener: PersonId,
    manager: PersonId,
    executive: PersonId,
    steps: Vec<Step>,
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just(String::new()),
        1 => Just("   ".to_string()),
        3 => prop::sample::select(vec!["x", "The customer needs a refund", " padded "]).prop_map(String::from),
    ]
}

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        4 => (prop::option::of(-1i64..=(MAX_PEOPLE as i64 + 2)), text())
            .prop_map(|(to, reason)| Command::PassUp { to, reason }),
        2 => Just(Command::Take),
        2 => text().prop_map(|reason| Command::Upgrade { reason }),
        4 => (text(), -1i64..=7, text())
            .prop_map(|(resolution, road, learned)| Command::Solve { resolution, road, learned }),
        2 => (-1i64..=9, text(), any::<bool>())
            .prop_map(|(score, delighted_by, would_recommend)| Command::Rate { score, delighted_by, would_recommend }),
        2 => text().prop_map(|body| Command::SendMessage { body, attachments: vec![] }),
        2 => text().prop_map(|body| Command::CustomerReply { body, attachments: vec![] }),
        1 => text().prop_map(|body| Command::AddNote { body, attachments: vec![] }),
        2 => (prop_oneof![Just("account"), Just("order"), Just("shoe_size")], text())
            .prop_map(|(key, value)| Command::SupplyFact { key: key.into(), value }),
        1 => text().prop_map(|reason| Command::RecordAutomatic { reason, subject: "Out of office".into(), body: "Away".into() }),
        1 => text().prop_map(|error| Command::RecordDeliveryFailure { template: "solved".into(), recipient: "customer".into(), error }),
        2 => text().prop_map(|reason| Command::MarkJunk { reason }),
        2 => Just(Command::UndoJunk),
        2 => Just(Command::Escalate),
        2 => prop_oneof![Just(TickleReason::Idle), Just(TickleReason::Deadline)]
            .prop_map(|reason| Command::Tickle { reason }),
    ]
}

fn actor() -> impl Strategy<Value = ActorSpec> {
    prop_oneof![
        3 => Just(ActorSpec::Owner),
        1 => any::<usize>().prop_map(ActorSpec::Above),
        3 => (0i64..=(MAX_PEOPLE as i64 + 1)).prop_map(ActorSpec::Person),
        2 => Just(ActorSpec::Customer),
        2 => Just(ActorSpec::System),
    ]
}

fn advance() -> impl Strategy<Value = i64> {
    prop_oneof![
        2 => Just(0i64),
        3 => 1i64..=60,
        3 => 60i64..=3_600,
        3 => 3_600i64..=6 * 3_600,
        1 => 6 * 3_600i64..=26 * 3_600,
    ]
}

fn step() -> impl Strategy<Value = Step> {
    (actor(), command(), advance()).prop_map(|(actor, command, advance)| Step {
        actor,
        command,
        advance,
    })
}

const ROLES: [Role; 5] = [
    Role::Frontline,
    Role::Staff,
    Role::Manager,
    Role::Executive,
    Role::Admin,
];

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        2usize..=MAX_PEOPLE,
        prop::collection::vec(
            (
                prop::option::weighted(0.8, any::<u32>()),
                0usize..ROLES.len(),
                prop::bool::weighted(0.85),
            ),
            MAX_PEOPLE,
        ),
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        prop::collection::vec(step(), 0..=40),
    )
        .prop_map(|(n, specs, opener, manager, executive, steps)| {
            // A forest: everyone reports to someone with a smaller id, or to nobody.
            let mut people: Vec<Person> = specs
                .into_iter()
                .take(n)
                .enumerate()
                .map(|(i, (parent, role, active))| {
                    let id = i as PersonId + 1;
                    let reports_to = match parent {
                        Some(raw) if i > 0 => Some((raw as usize % i) as PersonId + 1),
                        _ => None,
                    };
                    Person {
                        id,
                        name: format!("person {id}"),
                        email: format!("p{id}@example.com"),
                        role: ROLES[role],
                        reports_to,
                        active,
                    }
                })
                .collect();
            // The opener must be able to open the case.
            let opener_index = opener as usize % n;
            people[opener_index].active = true;
            // Manager and executive are random people, occasionally someone unknown (n + 1).
            let pick = |raw: u32| (raw as usize % (n + 1)) as PersonId + 1;
            Scenario {
                people,
                opener: opener_index as PersonId + 1,
                manager: pick(manager),
                executive: pick(executive),
                steps,
            }
        })
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 3, 9, 0, 0).unwrap()
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

fn category(manager: PersonId, executive: PersonId) -> Category {
    Category {
        key: "billing".into(),
        name: "Billing".into(),
        checklist: vec![
            ChecklistItem {
                key: "account".into(),
                label: "Account".into(),
                required: true,
                pattern: None,
            },
            ChecklistItem {
                key: "order".into(),
                label: "Order".into(),
                required: false,
                pattern: None,
            },
        ],
        manager,
        executive,
    }
}

fn intake() -> Intake {
    Intake {
        customer: Customer {
            email: Some("carla@example.com".into()),
            ..Customer::default()
        },
        category: "billing".into(),
        subject: "Charged twice".into(),
        body: "Twice!".into(),
        channel: Channel::Web,
        facts: BTreeMap::from([("account".to_string(), "A-1".to_string())]),
        missing_facts: vec![],
        realtime: Realtime::default(),
        attachments: vec![],
        call_back_within: None,
    }
}

fn is_active(h: &Hierarchy, id: PersonId) -> bool {
    h.get(id).is_some_and(|p| p.active)
}

/// Checks one accepted event against the state `prev` it was decided on and the state
/// `next` after folding it in.
fn check_event(
    event: &Event,
    actor: Actor,
    prev: &Case,
    next: &Case,
    ctx: Context<'_>,
) -> Result<(), TestCaseError> {
    let h = ctx.hierarchy;
    let kind = event.body.kind();
    // The stored and served name of the event is its kind's name.
    let stored = serde_json::to_value(&event.body).expect("an event serialises");
    prop_assert_eq!(stored["kind"].as_str(), Some(kind.as_str()));
    prop_assert_eq!(kind.as_str().parse::<roadone_domain::EventKind>(), Ok(kind));
    prop_assert_eq!(event.seq, prev.version + 1, "seq of {}", kind);
    prop_assert_eq!(event.at, ctx.now);
    prop_assert_eq!(event.actor, actor);
    prop_assert_eq!(next.version, event.seq);

    // Ownership changes only through the events that move a case.
    if next.owner != prev.owner {
        prop_assert!(
            matches!(
                event.body,
                EventBody::PassedUp { .. }
                    | EventBody::Taken { .. }
                    | EventBody::Upgraded { .. }
                    | EventBody::Escalated { .. }
                    | EventBody::Reopened { .. }
            ),
            "{} changed the owner from {} to {}",
            kind,
            prev.owner,
            next.owner
        );
    }
    if let Some(owner) = event.body.new_owner() {
        prop_assert_eq!(next.owner, owner, "{} names the new owner", kind);
    }

    // A solved or junk case only takes ratings, messages, the customer's reply (which
    // reopens it) and, when junk, the undoing of the mark.
    if !prev.is_open() {
        prop_assert!(
            matches!(
                event.body,
                EventBody::Rated { .. }
                    | EventBody::MessageSent { .. }
                    | EventBody::NoteAdded { .. }
                    | EventBody::CustomerReplied { .. }
                    | EventBody::AutomaticReceived { .. }
                    | EventBody::DeliveryFailed { .. }
                    | EventBody::Reopened { .. }
                    | EventBody::FactSupplied { .. }
                    | EventBody::JunkUndone { .. }
            ),
            "{} on a solved case",
            kind
        );
    }

    match &event.body {
        EventBody::Opened { .. } => prop_assert!(false, "a second opened event was decided"),
        EventBody::PassedUp { from, to, reason } => {
            prop_assert!(prev.is_open());
            prop_assert_eq!(*from, prev.owner);
            prop_assert_eq!(
                actor,
                Actor::Person { id: prev.owner },
                "only the owner passes up"
            );
            prop_assert!(
                h.is_above(*to, *from),
                "passed up from {} to {}, which is not above",
                from,
                to
            );
            prop_assert!(is_active(h, *to), "passed up to inactive {}", to);
            prop_assert!(!reason.trim().is_empty());
            prop_assert_eq!(next.pass_ups, prev.pass_ups + 1);
        }
        EventBody::Taken { from, to } => {
            prop_assert!(prev.is_open());
            prop_assert_eq!(*from, prev.owner);
            prop_assert_eq!(actor, Actor::Person { id: *to }, "only the taker takes");
            prop_assert!(
                h.is_above(*to, *from),
                "taken by {} from {}, who is not above",
                to,
                from
            );
            prop_assert!(is_active(h, *to));
            prop_assert_eq!(next.takes, prev.takes + 1);
        }
        EventBody::Upgraded { from, to, .. } => {
            prop_assert!(prev.is_open());
            prop_assert_eq!(*from, prev.owner);
            prop_assert_eq!(actor, Actor::Person { id: prev.owner });
            prop_assert_eq!(*to, ctx.category.manager);
            prop_assert_ne!(from, to);
            prop_assert!(
                !h.is_above(*from, *to),
                "upgrade moved the case down from {} to {}",
                from,
                to
            );
            prop_assert!(is_active(h, *to));
            prop_assert_eq!(next.upgrades, prev.upgrades + 1);
            prop_assert_eq!(next.pass_ups, prev.pass_ups, "an upgrade is not a pass-up");
        }
        EventBody::Escalated { from, to } => {
            prop_assert!(prev.is_open());
            prop_assert_eq!(actor, Actor::System);
            prop_assert!(!prev.escalated, "escalated twice");
            prop_assert!(
                event.at >= prev.escalates_at,
                "escalated at {} before {}",
                event.at,
                prev.escalates_at
            );
            prop_assert_eq!(*from, prev.owner);
            prop_assert!(
                !h.is_above(*from, *to),
                "escalation moved the case down from {} to {}",
                from,
                to
            );
            prop_assert!(next.escalated);
        }
        EventBody::DeliveryFailed { .. } => {
            prop_assert_eq!(actor, Actor::System);
            prop_assert_eq!(next.status, prev.status);
            prop_assert_eq!(next.owner, prev.owner);
            prop_assert_eq!(
                next.last_activity_at,
                prev.last_activity_at,
                "a failed delivery is not activity"
            );
        }
        EventBody::AutomaticReceived { .. } => {
            prop_assert_eq!(actor, Actor::Customer);
            prop_assert_eq!(
                next.status,
                prev.status,
                "an automatic message never reopens or closes a case"
            );
            prop_assert_eq!(next.owner, prev.owner);
            prop_assert_eq!(
                next.last_activity_at,
                prev.last_activity_at,
                "an automatic message is not activity"
            );
        }
        EventBody::Tickled { owner, reason } => {
            prop_assert!(prev.is_open());
            prop_assert_eq!(actor, Actor::System);
            prop_assert_eq!(*owner, prev.owner);
            let due = match reason {
                TickleReason::Idle => idle_tickle_due(prev, ctx.rules),
                TickleReason::Deadline => {
                    prop_assert!(
                        !prev.deadline_warned && !prev.escalated,
                        "a second deadline tickle"
                    );
                    prev.deadline_warning_at(ctx.rules.deadline_warning)
                }
            };
            prop_assert!(
                event.at >= due,
                "{:?} tickle at {} before {}",
                reason,
                event.at,
                due
            );
            prop_assert_eq!(
                next.last_activity_at,
                prev.last_activity_at,
                "a tickle is not activity"
            );
        }
        EventBody::MessageSent { body, .. } => {
            let sender = actor.person();
            prop_assert!(sender.is_some_and(|s| s == prev.owner || h.is_above(s, prev.owner)));
            prop_assert!(!body.trim().is_empty());
        }
        EventBody::FactSupplied {
            key,
            value,
            previous,
        } => {
            let writer = actor.person();
            prop_assert!(writer.is_some_and(|s| s == prev.owner || h.is_above(s, prev.owner)));
            prop_assert_eq!(
                previous.as_ref(),
                prev.facts.get(key),
                "the replaced value is kept"
            );
            prop_assert_eq!(next.facts.get(key), Some(value));
            prop_assert!(!next.missing_facts.contains(key));
            prop_assert_eq!(next.owner, prev.owner, "a fact moves nothing");
        }
        EventBody::CustomerReplied { body, .. } => {
            prop_assert_eq!(actor, Actor::Customer);
            prop_assert!(!body.trim().is_empty());
        }
        EventBody::NoteAdded { body, .. } => {
            prop_assert!(
                actor.person().is_some_and(|p| is_active(h, p)),
                "a note by a person on staff"
            );
            prop_assert!(!body.trim().is_empty());
            prop_assert_eq!(next.owner, prev.owner, "a note moves nothing");
        }
        EventBody::Reopened {
            owner,
            escalates_at,
        } => {
            prop_assert!(!prev.is_open(), "reopened an open case");
            prop_assert_eq!(actor, Actor::Customer);
            if prev.status == CaseStatus::Solved {
                let solver = prev.solution.as_ref().map(|s| s.solved_by);
                prop_assert_eq!(
                    Some(*owner),
                    solver,
                    "reopened to someone other than the solver"
                );
            } else {
                prop_assert_eq!(*owner, prev.owner, "a junk case reopens to its owner");
            }
            prop_assert_eq!(*escalates_at, event.at + ctx.rules.escalate_after);
            prop_assert!(next.is_open());
            prop_assert_eq!(next.rating.clone(), None);
            prop_assert_eq!(next.reopenings, prev.reopenings + 1);
        }
        EventBody::Solved { .. } => {
            prop_assert!(prev.is_open(), "solved a solved case");
            prop_assert_eq!(
                actor,
                Actor::Person { id: prev.owner },
                "only the owner solves"
            );
            prop_assert!(!next.is_open());
            prop_assert_eq!(
                next.solution.as_ref().map(|s| s.solved_by),
                Some(prev.owner)
            );
        }
        EventBody::MarkedJunk { owner, reason } => {
            prop_assert!(prev.is_open(), "marked a closed case junk");
            prop_assert_eq!(*owner, prev.owner);
            let by = actor.person();
            prop_assert!(
                by.is_some_and(
                    |p| is_active(h, p) && (p == prev.owner || h.is_above(p, prev.owner))
                ),
                "marked junk by {:?}, not the owner or above",
                actor
            );
            prop_assert!(!reason.contains('\n'));
            prop_assert_eq!(next.status, CaseStatus::Junk);
            prop_assert!(next.solution.is_none(), "a junk mark is not a solve");
            prop_assert_eq!(next.owner, prev.owner);
        }
        EventBody::JunkUndone { owner } => {
            prop_assert_eq!(prev.status, CaseStatus::Junk);
            let by = actor.person();
            let admin = by
                .and_then(|p| h.get(p))
                .is_some_and(|p| p.role == Role::Admin);
            prop_assert!(
                by.is_some_and(|p| is_active(h, p) && (admin || h.is_above(p, prev.owner))),
                "undone by {:?}, not above the owner",
                actor
            );
            prop_assert_eq!(*owner, prev.owner);
            prop_assert!(next.is_open());
            prop_assert_eq!(next.escalates_at, prev.escalates_at, "an undo buys no time");
        }
        EventBody::Rated { score, .. } => {
            prop_assert_eq!(
                prev.status,
                CaseStatus::Solved,
                "rated a case that is not solved"
            );
            prop_assert!(prev.rating.is_none(), "rated the same solution twice");
            prop_assert_eq!(actor, Actor::Customer);
            prop_assert!((1..=5).contains(score));
        }
    }

    // Every event is accounted for in the outbox, except the documented silences.
    let notifications = notifications_for(event, next);
    let silent = match &event.body {
        EventBody::Escalated { from, to } => from == to,
        EventBody::CustomerReplied { .. } => !next.is_open(),
        EventBody::AutomaticReceived { .. }
        | EventBody::DeliveryFailed { .. }
        | EventBody::NoteAdded { .. }
        // Junk is never answered.
        | EventBody::MarkedJunk { .. }
        // Completing the record is bookkeeping: nobody needs a mail about it.
        | EventBody::FactSupplied { .. } => true,
        _ => false,
    };
    prop_assert_eq!(
        notifications.is_empty(),
        silent,
        "notifications for {}: {:?}",
        kind,
        notifications
    );
    for n in &notifications {
        prop_assert_eq!(n.event_seq, event.seq);
        if let Recipient::Person { id } = n.recipient {
            prop_assert!(h.get(id).is_some(), "notification to unknown person {}", id);
        }
    }
    Ok(())
}

/// Checks the state and the whole log after a step.
fn check_state(case: &Case, log: &[Event], ctx: Context<'_>) -> Result<(), TestCaseError> {
    // Exactly one owner, and a real one.
    prop_assert!(
        ctx.hierarchy.get(case.owner).is_some(),
        "owner {} is not in the hierarchy",
        case.owner
    );
    let last_named_owner = log.iter().rev().find_map(|e| e.body.new_owner());
    prop_assert_eq!(
        last_named_owner,
        Some(case.owner),
        "the owner is the last one an event named"
    );

    // The log is 1..=n and replays to exactly the incremental state.
    let seqs: Vec<u32> = log.iter().map(|e| e.seq).collect();
    prop_assert_eq!(seqs, (1..=log.len() as u32).collect::<Vec<_>>());
    prop_assert_eq!(case.version as usize, log.len());
    let replayed =
        Case::from_events(log).map_err(|e| TestCaseError::fail(format!("replay failed: {e}")))?;
    prop_assert_eq!(&replayed, case);

    // Escalation at most once, ever.
    let escalations = log
        .iter()
        .filter(|e| matches!(e.body, EventBody::Escalated { .. }))
        .count();
    prop_assert!(escalations <= 1, "{} escalations", escalations);
    prop_assert_eq!(case.escalated, escalations == 1);

    // Rated at most once per solution: between two solved events, at most one rated.
    let mut rated_since_solved = 0;
    for e in log {
        match e.body {
            EventBody::Solved { .. } => rated_since_solved = 0,
            EventBody::Rated { .. } => {
                rated_since_solved += 1;
                prop_assert!(rated_since_solved <= 1, "two ratings for one solution");
            }
            _ => {}
        }
    }

    // Timers follow the state.
    let timers = timers_for(case, ctx.rules);
    if case.is_open() {
        let escalate: Vec<_> = timers
            .iter()
            .filter(|t| t.kind == TimerKind::Escalate)
            .collect();
        if case.escalated {
            prop_assert!(
                escalate.is_empty(),
                "an escalated case still has an escalation timer"
            );
        } else {
            prop_assert_eq!(escalate.len(), 1, "timers {:?}", timers);
            prop_assert_eq!(escalate[0].due_at, case.escalates_at);
        }
        prop_assert!(timers.iter().any(|t| t.kind == TimerKind::TickleIdle));
        prop_assert!(case.solution.is_none());
    } else {
        prop_assert!(timers.is_empty(), "a closed case has timers {:?}", timers);
        prop_assert_eq!(case.solution.is_some(), case.status == CaseStatus::Solved);
        prop_assert_eq!(case.junk_mark.is_some(), case.status == CaseStatus::Junk);
    }
    Ok(())
}

fn run(scenario: &Scenario) -> Result<(), TestCaseError> {
    let hierarchy = Hierarchy::new(scenario.people.clone());
    let category = category(scenario.manager, scenario.executive);
    let rules = rules();
    let mut now = t0();
    let ctx = |now| Context {
        hierarchy: &hierarchy,
        category: &category,
        rules: &rules,
        now,
    };

    let opened = open(&intake(), scenario.opener, ctx(now))
        .map_err(|e| TestCaseError::fail(format!("opening by an active person failed: {e}")))?;
    prop_assert_eq!(opened.body.new_owner(), Some(scenario.opener));
    let mut case = Case::from_events(std::slice::from_ref(&opened))
        .map_err(|e| TestCaseError::fail(format!("fold of opened failed: {e}")))?;
    let mut log = vec![opened];
    check_state(&case, &log, ctx(now))?;

    for step in &scenario.steps {
        now += Duration::seconds(step.advance);
        let actor = match step.actor {
            ActorSpec::Owner => Actor::Person { id: case.owner },
            ActorSpec::Above(raw) => {
                let above = hierarchy.chain_above(case.owner);
                Actor::Person {
                    id: if above.is_empty() {
                        case.owner
                    } else {
                        above[raw % above.len()]
                    },
                }
            }
            ActorSpec::Person(id) => Actor::Person { id },
            ActorSpec::Customer => Actor::Customer,
            ActorSpec::System => Actor::System,
        };
        // What a page offers this actor is exactly what the rules accept (with fields
        // that are fine), so no button leads to a refusal and none is missing.
        let offered = available_actions(&case, actor, ctx(now));
        let accepts = |command: Command| transition(&case, &command, actor, ctx(now)).is_ok();
        let text = || "Words".to_string();
        prop_assert_eq!(
            offered,
            Actions {
                solve: accepts(Command::Solve {
                    resolution: text(),
                    road: 2,
                    learned: text()
                }),
                pass_up: accepts(Command::PassUp {
                    to: None,
                    reason: text()
                }),
                take: accepts(Command::Take),
                upgrade: accepts(Command::Upgrade { reason: text() }),
                send_message: accepts(Command::SendMessage {
                    body: text(),
                    attachments: vec![]
                }),
                add_note: accepts(Command::AddNote {
                    body: text(),
                    attachments: vec![]
                }),
                mark_junk: accepts(Command::MarkJunk { reason: text() }),
                undo_junk: accepts(Command::UndoJunk),
                supply_fact: ctx(now).category.checklist.first().is_some_and(|item| {
                    accepts(Command::SupplyFact {
                        key: item.key.clone(),
                        value: "a value nobody typed before".into(),
                    })
                }),
            },
            "offered to {:?}",
            actor
        );
        let before = case.clone();
        let result = transition(&case, &step.command, actor, ctx(now));
        prop_assert_eq!(&case, &before, "deciding changed the case");

        // The scheduler's commands succeed exactly when they are due.
        match (&step.command, actor) {
            (Command::Escalate, Actor::System) => {
                let due = case.is_open() && !case.escalated && now >= case.escalates_at;
                prop_assert_eq!(result.is_ok(), due, "escalate: {:?}", result);
            }
            (
                Command::Tickle {
                    reason: TickleReason::Idle,
                },
                Actor::System,
            ) => {
                let due = case.is_open() && now >= idle_tickle_due(&case, &rules);
                prop_assert_eq!(result.is_ok(), due, "idle tickle: {:?}", result);
            }
            _ => {}
        }

        match result {
            Err(error) => {
                prop_assert_ne!(
                    error.kind(),
                    roadone_domain::ErrorKind::Internal,
                    "{}",
                    error
                );
            }
            Ok(change) => {
                prop_assert!(
                    !change.events.is_empty(),
                    "{} decided no events",
                    step.command.name()
                );
                for event in &change.events {
                    let prev = case.clone();
                    case.apply(event)
                        .map_err(|e| TestCaseError::fail(format!("fold failed: {e}")))?;
                    log.push(event.clone());
                    check_event(event, actor, &prev, &case, ctx(now))?;
                }
                // What is written as the case's state is what replaying its log gives.
                let replayed = Case::from_events(&log)
                    .map_err(|e| TestCaseError::fail(format!("replay failed: {e}")))?;
                prop_assert_eq!(
                    &change.after,
                    &replayed,
                    "the state written is not the replay"
                );
                prop_assert_eq!(&change.timers, &timers_for(&replayed, &rules));
                // Only an open case is waited on.
                prop_assert_eq!(change.timers.is_empty(), !replayed.is_open());
            }
        }
        check_state(&case, &log, ctx(now))?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_command_sequences_keep_the_rules_of_a_case(scenario in scenario()) {
        run(&scenario)?;
    }
}

/// Long quiet stretches: sequences made only of scheduler commands and the customer,
/// so the escalation and reminder clocks are exercised around their deadlines.
fn quiet_step() -> impl Strategy<Value = Step> {
    let command = prop_oneof![
        3 => Just(Command::Escalate),
        2 => Just(Command::Tickle { reason: TickleReason::Idle }),
        2 => Just(Command::Tickle { reason: TickleReason::Deadline }),
        2 => Just(Command::Solve { resolution: "done".into(), road: 2, learned: "x".into() }),
        2 => Just(Command::CustomerReply { body: "again".into(), attachments: vec![] }),
        2 => Just(Command::Rate { score: 4, delighted_by: String::new(), would_recommend: false }),
    ];
    let actor = prop_oneof![4 => Just(ActorSpec::System), 2 => Just(ActorSpec::Owner), 2 => Just(ActorSpec::Customer)];
    (actor, command, 0i64..=5 * 3_600).prop_map(|(actor, command, advance)| Step {
        actor,
        command,
        advance,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn scheduler_sequences_escalate_once_and_on_time(
        base in scenario(),
        steps in prop::collection::vec(quiet_step(), 0..=40),
    ) {
        run(&Scenario { steps, ..base })?;
    }
}

proptest! {
    /// Whatever a customer types as a subject, what is kept is one line with the same
    /// words: nothing it says can start a line of its own in a message built from it.
    #[test]
    fn a_subject_is_kept_on_one_line_with_its_words(raw in "[a-zA-Z \r\n\t\u{0b}\u{85}\u{1b}]{0,60}") {
        let kept = roadone_domain::rules::one_line(&raw);
        prop_assert!(!kept.chars().any(|c| c.is_control()), "{kept:?}");
        prop_assert_eq!(kept.trim(), kept.as_str());
        let words = |s: &str| s.split(|c: char| c.is_control() || c.is_whitespace()).filter(|w| !w.is_empty()).map(String::from).collect::<Vec<_>>();
        prop_assert_eq!(words(&kept), words(&raw));
    }
}
