//! The rules of experiments: which settings stand, how an experiment's life goes, which
//! arm a customer is in and who of the team serves them.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use roadone_domain::experiment::treated_owner;
use roadone_domain::{
    Arm, Channel, Experiment, ExperimentSettings, ExperimentState, Hierarchy, Lifecycle, Person,
    Role,
};

fn person(id: i64, role: Role, active: bool) -> Person {
    Person {
        id,
        name: format!("Person {id}"),
        email: format!("p{id}@example.com"),
        role,
        reports_to: None,
        active,
    }
}

fn people() -> Hierarchy {
    Hierarchy::new([
        person(1, Role::Frontline, true),
        person(2, Role::Frontline, true),
        person(3, Role::Frontline, false),
        person(4, Role::Admin, true),
        person(5, Role::Staff, true),
    ])
}

fn settings() -> ExperimentSettings {
    ExperimentSettings {
        name: "Delight desk".into(),
        hypothesis: "Customers served by people who care buy more".into(),
        team: vec![1, 2],
        fraction: 0.01,
        channels: vec![Channel::Phone],
        categories: vec![],
        planned_start: Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap(),
        planned_end: Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap(),
        monthly_cost: 4000.0,
        currency: "EUR".into(),
        look_back_days: 90,
    }
}

fn refusal(s: &ExperimentSettings) -> String {
    s.check(&people(), |c| c == "billing")
        .expect_err("refused")
        .to_string()
}

#[test]
fn good_settings_stand() {
    settings().check(&people(), |_| true).unwrap();
}

#[test]
fn each_bad_setting_is_refused_at_its_field() {
    let mut s = settings();
    s.team.clear();
    assert!(refusal(&s).starts_with("team: an experiment needs at least one person"));
    s.team = vec![3];
    assert_eq!(refusal(&s), "team: Person 3 is deactivated");
    s.team = vec![4];
    assert_eq!(refusal(&s), "team: Person 4 may not own cases");
    s.team = vec![99];
    assert_eq!(refusal(&s), "team: no person with id 99");
    for fraction in [0.0, 1.0, -0.5, 1.5, f64::NAN] {
        let s = ExperimentSettings {
            fraction,
            ..settings()
        };
        assert!(refusal(&s).starts_with("fraction: must be more than 0 and less than 1"));
    }
    let s = ExperimentSettings {
        fraction: 0.00001,
        ..settings()
    };
    assert!(refusal(&s).starts_with("fraction: must be at least 0.0001"));
    let s = ExperimentSettings {
        categories: vec!["shipping".into()],
        ..settings()
    };
    assert_eq!(refusal(&s), "categories: no category with key \"shipping\"");
    let s = ExperimentSettings {
        planned_end: settings().planned_start,
        ..settings()
    };
    assert_eq!(refusal(&s), "planned_end: must be after planned_start");
    let s = ExperimentSettings {
        currency: "euro".into(),
        ..settings()
    };
    assert!(refusal(&s).starts_with("currency:"));
    let s = ExperimentSettings {
        look_back_days: 0,
        ..settings()
    };
    assert!(refusal(&s).starts_with("look_back_days:"));
}

#[test]
fn a_life_goes_draft_running_paused_running_ended_and_no_other_way() {
    use ExperimentState::*;
    assert_eq!(Lifecycle::Start.apply(Draft).unwrap(), Running);
    assert_eq!(Lifecycle::Pause.apply(Running).unwrap(), Paused);
    assert_eq!(Lifecycle::Resume.apply(Paused).unwrap(), Running);
    assert_eq!(Lifecycle::End.apply(Paused).unwrap(), Ended);
    assert_eq!(Lifecycle::End.apply(Running).unwrap(), Ended);
    for (step, from) in [
        (Lifecycle::Start, Running),
        (Lifecycle::Start, Ended),
        (Lifecycle::Pause, Draft),
        (Lifecycle::Pause, Paused),
        (Lifecycle::Resume, Running),
        (Lifecycle::End, Ended),
        (Lifecycle::End, Draft),
    ] {
        let e = step.apply(from).unwrap_err();
        assert_eq!(
            e.kind(),
            roadone_domain::ErrorKind::Conflict,
            "{step:?} {from:?}"
        );
    }
}

#[test]
fn only_a_running_experiment_takes_customers_in_and_only_in_scope() {
    let mut e = Experiment {
        key: "delight".into(),
        state: ExperimentState::Draft,
        version: 1,
        settings: ExperimentSettings {
            categories: vec!["billing".into()],
            ..settings()
        },
    };
    let during = Utc.with_ymd_and_hms(2025, 4, 1, 0, 0, 0).unwrap();
    assert!(!e.takes_in(Channel::Phone, "billing", during));
    e.state = ExperimentState::Running;
    assert!(e.takes_in(Channel::Phone, "billing", during));
    assert!(!e.takes_in(Channel::Email, "billing", during), "channel");
    assert!(!e.takes_in(Channel::Phone, "returns", during), "category");
    assert!(
        !e.takes_in(Channel::Phone, "billing", e.settings.planned_end),
        "past end"
    );
    e.state = ExperimentState::Paused;
    assert!(!e.takes_in(Channel::Phone, "billing", during));
}

#[test]
fn experiments_overlap_when_channels_categories_and_times_all_meet() {
    let a = settings();
    let mut b = settings();
    assert!(a.overlaps(&b));
    b.channels = vec![Channel::Email];
    assert!(!a.overlaps(&b), "different channels");
    b.channels = vec![];
    assert!(a.overlaps(&b), "every channel meets phone");
    b.planned_start = a.planned_end;
    b.planned_end = a.planned_end + chrono::Duration::days(30);
    assert!(!a.overlaps(&b), "one after the other");
    let mut c = settings();
    c.categories = vec!["billing".into()];
    let mut d = settings();
    d.categories = vec!["returns".into()];
    assert!(!c.overlaps(&d), "different categories");
    let live = |key: &str, state, settings| Experiment {
        key: key.into(),
        state,
        version: 1,
        settings,
    };
    let others = [
        live("old", ExperimentState::Ended, settings()),
        live("draft", ExperimentState::Draft, settings()),
    ];
    let new = live("new", ExperimentState::Draft, settings());
    assert!(
        new.overlapping(&others).is_none(),
        "ended and drafts do not count"
    );
    let others = [live("other", ExperimentState::Paused, settings())];
    assert_eq!(new.overlapping(&others).unwrap().key, "other");
}

#[test]
fn the_least_loaded_able_member_serves_and_equals_take_turns() {
    let h = people();
    // 3 is deactivated, 4 may not own cases: only 1 and 2 can serve.
    let load = |id: i64| if id == 1 { 5 } else { 2 };
    assert_eq!(treated_owner(&[1, 2, 3, 4], &h, load, 0), Some(2));
    assert_eq!(treated_owner(&[1, 2, 3, 4], &h, load, 7), Some(2));
    let even = |_| 3;
    let turns: Vec<_> = (0..4)
        .map(|t| treated_owner(&[2, 1], &h, even, t).unwrap())
        .collect();
    assert_eq!(turns, vec![1, 2, 1, 2]);
    assert_eq!(treated_owner(&[3, 4], &h, even, 0), None);
}

proptest! {
    #[test]
    fn the_arm_is_the_hash_below_the_fraction(customer in 1i64..10_000_000, tenths in 1u32..10) {
        let e = Experiment {
            key: "delight".into(),
            state: ExperimentState::Running,
            version: 1,
            settings: ExperimentSettings { fraction: f64::from(tenths) / 10.0, ..settings() },
        };
        let (arm, at) = e.arm_for(customer);
        prop_assert_eq!(at, roadone_domain::assignment::bucket("delight", &customer.to_string()));
        prop_assert_eq!(arm == Arm::Treated, at < e.settings.fraction);
        // The same customer, asked again, is on the same side.
        prop_assert_eq!(e.arm_for(customer), (arm, at));
    }
}
