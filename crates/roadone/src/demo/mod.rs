//! Demo data: a believable company of 28 people, five categories and ~3,000 cases of the
//! last 90 days, so every screen and report has something to show at once. Each category
//! manager runs a team (a team lead and the frontline), so a manager's login has cases
//! below it to take; a frontline starter who joined today has an invitation waiting; the
//! company's phone region is GB, so a caller's `07700 900123` finds their `+44` number.
//!
//! Everything is generated from a fixed seed, so the demo tells the same story on every
//! load, but times are relative to the real `now`. The generator never writes an event
//! by hand: each case is opened with [`roadone_domain::open`] and every later step is a
//! [`Command`](roadone_domain::Command) decided by [`roadone_domain::decide`] at its simulated time, written with
//! its timers and notifications exactly as the server's `open_case` / `act` write them.
//! The scheduler is simulated too: before each step, every timer of the case that fell
//! due (idle reminders, the deadline warning, the executive escalation) fires first, as
//! `system`, at its due time — so the reminders and escalations in the demo are the ones
//! Roadone itself would have produced.
//!
//! The story, in numbers a report will find: two frontline agents pass the buck far more
//! than the others (and their team lead solves those cases in minutes with no new
//! information), two are markedly better rated, one team lead lets cases sit until the
//! executive gets them, and the cases opened in the last 20 hours are still open. Upgrades
//! carry the reason frontline gives for that kind of case (`categories::Topic::upgrade`).
//!
//! Where things are: the company in [`people`] and [`categories`], the customers in
//! [`customers`], shared texts in [`texts`], time in [`clock`], each case's plan in
//! [`plan`] and its run into the store in [`story`]; then the history's
//! mail is marked sent (`AppState::mark_history_delivered`), [`orders`] adds the sales and
//! [`calls`] a quarter of calls, the starter is invited and [`report`] sums it up;
//! [`logins`] chooses whose logins to print.

mod calls;
mod categories;
mod clock;
mod customers;
mod experiment;
mod logins;
mod orders;
mod people;
mod plan;
mod report;
mod story;
mod texts;

use anyhow::{bail, Context as _, Result};
use categories::CATEGORIES;
use clock::opening_times;
use customers::customer_pool;
use people::PEOPLE;
use plan::World;
use rand::distributions::WeightedIndex;
use rand::prelude::*;
use rand::rngs::StdRng;
use roadone_domain::{Category, ChecklistItem, PersonId, Role};
use roadone_server::people::PersonForm;
use roadone_server::AppState;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use story::{run_story, Shared};

use logins::invite_starter;
pub use logins::{login_for, waiting_invitation, WaitingInvitation};
pub use report::DemoReport;

/// The seed of the whole demo: change it and the company tells another story.
const SEED: u64 = 0x0005_EED0_0D0E;
/// Every demo person's password for the staff pages.
pub const DEMO_PASSWORD: &str = "roadone-demo";
const CASES: usize = 3_000;
const CUSTOMERS: usize = 1_200;
const DAYS: i64 = 90;
/// Cases opened this recently are left open, part-way through their story.
const RECENT_HOURS: i64 = 20;
/// Stories written concurrently: the SQLite writer commits them in groups.
const IN_FLIGHT: usize = 200;
/// The simulated scheduler stops repeating idle reminders after this many in a row, or
/// this many in a case (the real one goes on every `tickle_after`: with the default 4 h
/// that changes nothing, but `serve --demo --tickle-after 10s` would mean thousands).
const MAX_IDLE_TICKLES_IN_A_ROW: u32 = 6;
const MAX_IDLE_TICKLES_PER_CASE: u32 = 12;
/// How many cases past their deadline are still open with the executive.
const WITH_EXECUTIVE: usize = 4;

pub async fn load(state: &AppState) -> Result<DemoReport> {
    let started = std::time::Instant::now();
    if !state.people().await?.is_empty() {
        bail!(
            "the demo loads into an empty data directory only; this one already has people in it"
        );
    }
    let now = state.now();
    let mut rng = StdRng::seed_from_u64(SEED);

    // --- the organisation -------------------------------------------------------------
    let mut ids: HashMap<&'static str, PersonId> = HashMap::new();
    for spec in PEOPLE {
        let email = if spec.role == Role::Admin {
            state.config().admin_email.clone()
        } else {
            format!("{}@demo.roadone.local", spec.key.replace('_', "."))
        };
        let reports_to = spec.boss.map(|b| ids[b]);
        let person = state
            .add_person(PersonForm {
                name: spec.name.into(),
                email,
                role: spec.role.to_string(),
                reports_to,
            })
            .await
            .with_context(|| format!("adding demo person {}", spec.name))?;
        ids.insert(spec.key, person.id);
    }
    for cat in CATEGORIES {
        roadone_server::categories::add(
            state,
            Category {
                key: cat.key.into(),
                name: cat.name.into(),
                checklist: cat
                    .checklist
                    .iter()
                    .map(|(key, label, required)| ChecklistItem {
                        key: (*key).into(),
                        label: (*label).into(),
                        required: *required,
                        // Order numbers in written messages fill the fact by themselves.
                        pattern: (*key == "order_id").then(|| {
                            r"(?i)order\s*(?:no\.?|number|#)?\s*:?\s*([A-Z]{0,3}-?\d{5,})"
                                .to_string()
                        }),
                    })
                    .collect(),
                manager: ids[cat.manager],
                executive: ids[cat.executive],
            },
        )
        .await
        .with_context(|| format!("adding demo category {}", cat.key))?;
    }
    state.refresh_directory().await?;
    // The demo's customers call from +44 numbers: read national numbers as British ones,
    // and show times as the company's British staff and customers read them.
    state
        .save_settings(
            vec![
                ("phone_region".into(), Some("GB".into())),
                ("time_zone".into(), Some("Europe/London".into())),
            ],
            ids["admin"],
        )
        .await?;

    // --- the plans (all randomness is drawn here, in one order) ----------------------------
    let world = World::new(&ids, now, state.rules().escalate_after);
    let customers = customer_pool(&mut rng);
    // The customers are known before their cases, so each one's arm is too.
    let history_start = now - chrono::Duration::days(DAYS + 1);
    let customer_ids = state
        .find_or_add_customers(
            customers.iter().map(|c| c.customer.clone()).collect(),
            history_start,
        )
        .await?;
    let delight = experiment::set_up(state, &ids, history_start, now).await?;
    // Most customers write once or twice a quarter, a quarter of them regularly, a few a lot.
    let customer_weights =
        WeightedIndex::new((0..customers.len()).map(|_| match rng.gen_range(0..100) {
            0..=69 => 1.0,
            70..=94 => 3.0,
            _ => 8.0,
        }))
        .expect("weights");
    let times = opening_times(&mut rng, now);
    // The last few cases whose deadline has passed are still with their executive, so
    // executives have open cases too; every other one of them is the CEO's (account access).
    let deadline_passed = times.partition_point(|t| *t + state.rules().escalate_after <= now);
    let with_executive = deadline_passed.saturating_sub(WITH_EXECUTIVE)..deadline_passed;
    let mut plans = Vec::with_capacity(CASES);
    let mut contacted = HashSet::new();
    for (i, opened_at) in times.into_iter().enumerate() {
        let index = customer_weights.sample(&mut rng);
        let customer = &customers[index];
        contacted.insert(customer.customer.email.clone());
        let force = with_executive.contains(&i).then_some(i % 2 == 0);
        let served_by = experiment::served_by(&delight, customer_ids[index]);
        plans.push(world.plan(&mut rng, opened_at, customer, force, served_by));
    }

    let taken: Vec<calls::Taken> = plans
        .iter()
        .filter(|p| p.intake.channel == roadone_domain::Channel::Phone)
        .filter_map(|p| {
            Some(calls::Taken {
                phone: p.intake.customer.phone.clone()?,
                opened_at: p.opened_at,
                by: p.by,
            })
        })
        .collect();

    experiment::place(state, &plans).await?;

    // --- the stories, many at once so the writer can group its commits ----------------------
    let shared = Arc::new(Shared {
        state: state.clone(),
        now,
        personas: world.personas.clone(),
    });
    let permits = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let mut stories = tokio::task::JoinSet::new();
    let mut report = DemoReport {
        people: PEOPLE.len(),
        categories: CATEGORIES.len(),
        ..DemoReport::default()
    };
    for plan in plans {
        // Waiting for a permit before spawning keeps the cases opened in time order.
        let permit = permits.clone().acquire_owned().await?;
        let shared = shared.clone();
        stories.spawn(async move {
            let outcome = run_story(&shared, plan).await;
            drop(permit);
            outcome
        });
        while let Some(done) = stories.try_join_next() {
            report.merge(done??);
        }
    }
    while let Some(done) = stories.join_next().await {
        report.merge(done??);
    }
    report.customers = contacted.len();
    report.notifications = state.mark_history_delivered(now).await?;
    report.orders = orders::load(state, now).await?;
    report.calls = calls::load(state, now, &taken).await?;
    // The demo's cases are all from the last 90 days: compare 30 days of sales around them.
    let admin = state
        .person_by_email(&state.config().admin_email)
        .await?
        .context("the demo administrator")?;
    state
        .save_settings(
            vec![(
                "sales_window".into(),
                Some(orders::DEMO_SALES_WINDOW.into()),
            )],
            admin.id,
        )
        .await?;
    // Everyone can sign in to the staff pages with the one demo password.
    let hash = roadone_server::passwords::hash(DEMO_PASSWORD.into()).await?;
    for person in state.people().await? {
        state.set_password_hash(person.id, &hash).await?;
    }
    // Then the starter joins, with no password yet: the administrator invites them.
    report.invitation = Some(invite_starter(state, &ids, admin.id).await?);
    report.people = state.people().await?.len();
    report.elapsed = started.elapsed();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::logins::below;
    use super::people::STARTER;
    use super::*;
    use roadone_domain::{Actor, Case, CaseStatus, Command, EventBody};
    use roadone_server::accounts::Invitation;
    use roadone_server::Config;
    use roadone_store::CaseFilter;

    #[tokio::test(flavor = "multi_thread")]
    async fn the_demo_tells_a_believable_story_through_the_rules() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let state = crate::store::build_state(Config {
            data_dir: tmp.path().to_path_buf(),
            ..Default::default()
        })
        .await
        .expect("state");
        let report = load(&state).await.expect("demo loads");

        let people = state.people().await.unwrap();
        // 27 with a history, and the starter who joined today.
        assert!((26..=30).contains(&people.len()), "{} people", people.len());
        assert_eq!(report.people, people.len());
        assert_eq!(state.categories().await.unwrap().len(), 5);

        let mut heads = Vec::new();
        loop {
            let page = state
                .list_cases(CaseFilter {
                    limit: 1000,
                    offset: heads.len() as u32,
                    ..Default::default()
                })
                .await
                .unwrap();
            if page.is_empty() {
                break;
            }
            heads.extend(page);
        }
        assert!(
            (2_500..=3_500).contains(&heads.len()),
            "{} cases",
            heads.len()
        );
        assert_eq!(heads.len(), report.cases);

        let mut kinds: HashMap<&'static str, usize> = HashMap::new();
        let mut open = 0;
        let mut upgrades = 0;
        for head in &heads {
            let stored = state
                .load_case(head.id)
                .await
                .unwrap()
                .expect("case exists");
            let case = Case::from_events(&stored.events).expect("events replay");
            assert_eq!(case.status, head.status, "case {}", head.id);
            assert_eq!(case.owner, head.owner, "case {}", head.id);
            assert_eq!(case.version as usize, stored.events.len());
            if case.is_open() {
                open += 1;
            }
            for event in &stored.events {
                *kinds.entry(event.body.kind().as_str()).or_default() += 1;
                if let EventBody::Upgraded { reason, .. } = &event.body {
                    upgrades += 1;
                    assert_fits_the_case(&case, reason);
                }
            }
        }
        for kind in [
            "passed_up",
            "taken",
            "upgraded",
            "escalated",
            "tickled",
            "solved",
            "rated",
            "reopened",
        ] {
            assert!(
                kinds.get(kind).copied().unwrap_or(0) > 0,
                "no {kind} events: {kinds:?}"
            );
        }
        assert!(upgrades > 0, "no upgrades");
        assert!(open > 0, "no open cases");
        assert_eq!(open, report.open_cases);
        assert_eq!(
            heads
                .iter()
                .filter(|h| h.status == CaseStatus::Open)
                .count(),
            open
        );
        // The frontline login the demo prints has something in "my cases".
        let frontline = login_for(&state, &people, Role::Frontline)
            .await
            .unwrap()
            .expect("a frontline person");
        let mine = state
            .list_cases(CaseFilter {
                owner: Some(frontline.person.id),
                status: Some(CaseStatus::Open),
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(
            !mine.is_empty(),
            "the first frontline person has no open cases"
        );

        // Every category manager runs a team.
        for manager in people.iter().filter(|p| p.role == Role::Manager) {
            let team = below(&people, manager.id);
            assert!(
                team.len() >= 2,
                "{} has {} active people below them",
                manager.name,
                team.len()
            );
        }
        // The manager login the demo prints has open cases below it, and may take one.
        let manager = login_for(&state, &people, Role::Manager)
            .await
            .unwrap()
            .expect("a manager");
        assert!(manager.team >= 2, "{} has no team", manager.person.name);
        let team = below(&people, manager.person.id);
        let theirs = state
            .list_cases(CaseFilter {
                owners: team.clone(),
                status: Some(CaseStatus::Open),
                limit: 1000,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(
            !theirs.is_empty(),
            "nobody below {} owns an open case",
            manager.person.name
        );
        assert_eq!(theirs.len(), manager.team_open);
        let taken = state
            .act(
                theirs[0].id,
                Actor::Person {
                    id: manager.person.id,
                },
                &Command::Take,
            )
            .await
            .expect("the printed manager can take a case from their team");
        let case = Case::from_events(&taken.events).unwrap();
        assert_eq!(case.owner, manager.person.id);

        // One invitation waits: the starter's, who has no password yet, and its link works.
        let waiting: Vec<_> = state
            .accounts()
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.invite_expires_at.is_some())
            .collect();
        assert_eq!(waiting.len(), 1, "{waiting:?}");
        let starter = people
            .iter()
            .find(|p| p.id == waiting[0].person)
            .expect("the invited person");
        assert_eq!(starter.name, STARTER.name);
        assert!(starter.active && !waiting[0].has_password);
        assert!(
            below(&people, starter.id).is_empty()
                && state
                    .list_cases(CaseFilter {
                        owner: Some(starter.id),
                        limit: 1,
                        ..Default::default()
                    })
                    .await
                    .unwrap()
                    .is_empty(),
            "the starter has no history"
        );
        let invitation = report.invitation.as_ref().expect("an invitation");
        assert_eq!(invitation.name, starter.name);
        let Invitation::NotMailed { link, .. } = &invitation.sent else {
            panic!("the demo has no mail relay, yet the invitation was mailed");
        };
        let secret = link.rsplit('/').next().unwrap();
        let (person, _) = state
            .password_link(secret)
            .await
            .unwrap()
            .expect("the printed link works");
        assert_eq!(person.id, starter.id);

        // Staff type a caller's number the way it is said, and find them.
        assert_eq!(
            state.rules().phone_region.map(|r| r.to_string()).as_deref(),
            Some("GB")
        );
        assert_eq!(state.company_zone().name(), "Europe/London");
        let mut caller = None;
        for head in &heads {
            let customer = state.customer(head.customer_id).await.unwrap();
            if let Some(c) = customer.filter(|c| c.phone.is_some()) {
                caller = Some(c);
                break;
            }
        }
        let caller = caller.expect("a customer with a phone");
        let phone = caller.phone.clone().unwrap();
        assert!(phone.starts_with("+447700"), "{phone}");
        let national = format!("0{} {}", &phone[3..7], &phone[7..]);
        let found = state.find_customers(&national, 20).await.unwrap();
        assert!(
            found.iter().any(|c| c.id == caller.id),
            "{national} does not find {phone}"
        );
    }

    /// The reason is the one frontline gives for the case's own kind of problem: the
    /// upgrade text of the category topic its subject was written from.
    fn assert_fits_the_case(case: &Case, reason: &str) {
        let cat = CATEGORIES
            .iter()
            .find(|c| c.key == case.category)
            .expect("a demo category");
        assert!(
            cat.topics
                .iter()
                .any(|t| fills(t.subject, &case.subject) && fills(t.upgrade, reason)),
            "upgrade reason {reason:?} does not fit {:?} in {}",
            case.subject,
            cat.key
        );
    }

    /// Whether `text` is `template` with its `{placeholders}` filled in.
    fn fills(template: &str, text: &str) -> bool {
        let parts: Vec<&str> = template
            .split('{')
            .enumerate()
            .map(|(i, part)| match i {
                0 => part,
                _ => part.split_once('}').map_or(part, |(_, rest)| rest),
            })
            .collect();
        let mut rest = text;
        for (i, part) in parts.iter().enumerate() {
            let at = if i == 0 {
                rest.starts_with(part).then_some(0)
            } else if i == parts.len() - 1 {
                rest.ends_with(part).then(|| rest.len() - part.len())
            } else {
                rest.find(part)
            };
            let Some(at) = at else {
                return false;
            };
            rest = &rest[at + part.len()..];
        }
        parts.len() > 1 || rest.is_empty()
    }
}
