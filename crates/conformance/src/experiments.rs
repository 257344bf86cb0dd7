//! Checks of experiments: versions and the steps of their life, and customers' arms kept
//! once decided (across cases, and through a merge).

use crate::{t0, Fixture};
use chrono::Duration;
use roadone_domain::{Arm, Channel, Customer, ExperimentSettings, ExperimentState, Lifecycle};
use roadone_store::records::*;
use roadone_store::{AssignmentRequest, Store, StoreError};

fn settings(fx: &Fixture) -> ExperimentSettings {
    ExperimentSettings {
        name: "Delight desk".into(),
        hypothesis: "Treated customers buy more".into(),
        team: vec![fx.staff.id],
        fraction: 0.5,
        channels: vec![Channel::Email],
        categories: vec![],
        planned_start: t0(),
        planned_end: t0() + Duration::days(90),
        monthly_cost: 1000.0,
        currency: "EUR".into(),
        look_back_days: 90,
    }
}

fn customer(email: &str) -> Customer {
    Customer {
        email: Some(email.into()),
        ..Customer::default()
    }
}

fn request(email: &str, version: u32, at: chrono::DateTime<chrono::Utc>) -> AssignmentRequest {
    AssignmentRequest {
        key: "delight".into(),
        version,
        fraction: 0.5,
        customer: customer(email),
        on_the_phone: false,
        at,
    }
}

pub async fn experiments<S: Store>(store: S) {
    const CHECK: &str = "experiments";
    let fx = Fixture::seed(&store).await;
    let by = fx.manager.id;
    let created = store
        .create_experiment("delight".into(), settings(&fx), by, t0())
        .await
        .unwrap_or_else(|e| panic!("{CHECK}: create_experiment: {e}"));
    assert_eq!(created.experiment.state, ExperimentState::Draft, "{CHECK}");
    let again = store
        .create_experiment("delight".into(), settings(&fx), by, t0())
        .await;
    assert!(
        matches!(again, Err(StoreError::Duplicate { field: "key", .. })),
        "{CHECK}: a second experiment with one key must be refused, got {again:?}"
    );
    // A draft changes in place.
    let mut changed = settings(&fx);
    changed.fraction = 0.4;
    let draft = store
        .change_experiment("delight".into(), 1, changed.clone(), by, t0())
        .await
        .unwrap_or_else(|e| panic!("{CHECK}: change_experiment: {e}"));
    assert_eq!(
        (draft.experiment.version, draft.versions.len()),
        (1, 1),
        "{CHECK}"
    );
    assert_eq!(draft.experiment.settings.fraction, 0.4, "{CHECK}");
    let started = store
        .experiment_step("delight".into(), Lifecycle::Start, by, t0())
        .await
        .unwrap_or_else(|e| panic!("{CHECK}: start: {e}"));
    assert_eq!(
        started.experiment.state,
        ExperimentState::Running,
        "{CHECK}"
    );
    let twice = store
        .experiment_step("delight".into(), Lifecycle::Start, by, t0())
        .await;
    assert!(
        matches!(twice, Err(StoreError::Conflict(_))),
        "{CHECK}: starting twice must be refused, got {twice:?}"
    );
    // A started one's change is a new version; a stale version is refused.
    changed.fraction = 0.5;
    let v2 = store
        .change_experiment("delight".into(), 1, changed.clone(), by, t0())
        .await
        .unwrap_or_else(|e| panic!("{CHECK}: change when running: {e}"));
    assert_eq!(
        (v2.experiment.version, v2.versions.len()),
        (2, 2),
        "{CHECK}"
    );
    assert_eq!(v2.versions[0].settings.fraction, 0.4, "{CHECK}: history");
    let stale = store
        .change_experiment("delight".into(), 1, settings(&fx), by, t0())
        .await;
    assert!(
        matches!(stale, Err(StoreError::Conflict(_))),
        "{CHECK}: {stale:?}"
    );

    // A customer's arm is decided once.
    let first = store
        .assign_customer(request("ann@example.com", 2, t0()))
        .await
        .unwrap_or_else(|e| panic!("{CHECK}: assign_customer: {e}"));
    assert!(first.new, "{CHECK}: the first assignment decides");
    let expected =
        if roadone_domain::assignment::bucket("delight", &first.customer_id.to_string()) < 0.5 {
            Arm::Treated
        } else {
            Arm::Control
        };
    assert_eq!(first.arm, expected, "{CHECK}: the arm is the hash's");
    let later = store
        .assign_customer(AssignmentRequest {
            fraction: 0.0001,
            ..request("ann@example.com", 3, t0() + Duration::days(3))
        })
        .await
        .expect("assign again");
    assert!(!later.new, "{CHECK}");
    assert_eq!(
        (later.arm, later.version, later.assigned_at),
        (first.arm, 2, t0()),
        "{CHECK}: a later case reads the stored arm"
    );
    // Merged: the kept customer has the earlier assignment.
    let mut arms = Vec::new();
    for i in 0..40 {
        let a = store
            .assign_customer(request(
                &format!("c{i}@example.com"),
                2,
                t0() + Duration::hours(1),
            ))
            .await
            .expect("assign");
        arms.push(a);
    }
    let other = arms
        .iter()
        .find(|a| a.arm != first.arm)
        .unwrap_or_else(|| panic!("{CHECK}: 40 customers at 50% all in one arm"));
    store
        .merge_customers(first.customer_id, other.customer_id, fx.staff.id, t0())
        .await
        .expect("merge");
    let kept = store
        .assignment("delight".into(), other.customer_id)
        .await
        .expect("assignment")
        .expect("kept one is assigned");
    assert_eq!(
        (kept.arm, kept.assigned_at),
        (first.arm, t0()),
        "{CHECK}: a merge keeps the earliest assignment"
    );
    let via_merged = store
        .assignment("delight".into(), first.customer_id)
        .await
        .expect("assignment");
    assert_eq!(via_merged.map(|a| a.customer_id), Some(other.customer_id));

    // The report's reading: assigned customers not merged away, with their cases since.
    store
        .add_orders(
            vec![
                NewOrder {
                    order_id: "before".into(),
                    customer: CustomerRef::Email("c5@example.com".into()),
                    ordered_at: t0() - Duration::days(10),
                    amount_cents: 700,
                    currency: "EUR".into(),
                },
                NewOrder {
                    order_id: "after".into(),
                    customer: CustomerRef::Email("c5@example.com".into()),
                    ordered_at: t0() + Duration::days(10),
                    amount_cents: 1100,
                    currency: "EUR".into(),
                },
                NewOrder {
                    order_id: "late".into(),
                    customer: CustomerRef::Email("c5@example.com".into()),
                    ordered_at: t0() + Duration::days(40),
                    amount_cents: 5000,
                    currency: "EUR".into(),
                },
                NewOrder {
                    order_id: "dollars".into(),
                    customer: CustomerRef::Email("c5@example.com".into()),
                    ordered_at: t0() + Duration::days(11),
                    amount_cents: 9900,
                    currency: "USD".into(),
                },
            ],
            t0(),
        )
        .await
        .expect("orders");
    fx.open(
        &store,
        fx.frontline.id,
        "billing",
        "c5@example.com",
        "Before",
        t0() - Duration::days(5),
    )
    .await;
    let after = fx
        .open(
            &store,
            fx.staff.id,
            "billing",
            "c5@example.com",
            "After",
            t0() + Duration::days(2),
        )
        .await;
    let data = store
        .experiment_data("delight".into(), "EUR".into(), 90, 30)
        .await
        .unwrap_or_else(|e| panic!("{CHECK}: experiment_data: {e}"));
    assert_eq!(
        data.customers.len(),
        40,
        "{CHECK}: the merged one is left out"
    );
    let c5 = data
        .customers
        .iter()
        .find(|c| c.customer_id == arms[5].customer_id)
        .expect("c5");
    assert_eq!(
        (
            c5.sales_before_cents,
            c5.sales_after_cents,
            c5.contacts_before
        ),
        (700, 1100, 1),
        "{CHECK}: sales and contacts either side of the assignment, in one currency, \
         after it only in the 30 days followed"
    );
    let cases: Vec<_> = data
        .cases
        .iter()
        .filter(|c| c.customer_id == c5.customer_id)
        .collect();
    assert_eq!(cases.len(), 1, "{CHECK}: only cases since the assignment");
    assert_eq!(
        (cases[0].case_id, cases[0].first_owner),
        (after.id, fx.staff.id),
        "{CHECK}"
    );
    let open = store
        .open_cases_of(vec![fx.staff.id, fx.exec.id])
        .await
        .expect("open_cases_of");
    assert!(
        open.contains(&(fx.staff.id, 1)) && open.contains(&(fx.exec.id, 0)),
        "{CHECK}: {open:?}"
    );
    let traffic = |channels: Vec<&str>, categories: Vec<&str>| {
        store.customers_opening_between(
            t0() - Duration::days(10),
            t0() + Duration::days(10),
            channels.into_iter().map(String::from).collect(),
            categories.into_iter().map(String::from).collect(),
        )
    };
    assert_eq!(
        traffic(vec![], vec![]).await.expect("traffic"),
        1,
        "{CHECK}: c5, once"
    );
    assert_eq!(
        traffic(vec!["email"], vec!["billing"])
            .await
            .expect("traffic"),
        1
    );
    assert_eq!(
        traffic(vec!["phone"], vec![]).await.expect("traffic"),
        0,
        "{CHECK}"
    );
    assert_eq!(
        traffic(vec![], vec!["delivery"]).await.expect("traffic"),
        0,
        "{CHECK}"
    );
    let found = store
        .find_or_add_customers(
            vec![
                customer("c5@example.com"),
                customer("new@example.com"),
                customer("new@example.com"),
            ],
            t0(),
        )
        .await
        .expect("find_or_add_customers");
    assert_eq!(
        found[0], arms[5].customer_id,
        "{CHECK}: a known customer is found"
    );
    assert_eq!(found[1], found[2], "{CHECK}: a new one is created once");
    let by_phone = store
        .customer_by_phone("+44 20 7946 0999".into())
        .await
        .expect("customer_by_phone");
    assert_eq!(by_phone, None, "{CHECK}: an unknown number is nobody");
    let ended = store
        .experiment_step(
            "delight".into(),
            Lifecycle::End,
            by,
            t0() + Duration::days(30),
        )
        .await
        .expect("end");
    assert_eq!(
        ended.running_periods(),
        vec![(t0(), Some(t0() + Duration::days(30)))],
        "{CHECK}"
    );
    let after_end = store
        .change_experiment("delight".into(), 2, settings(&fx), by, t0())
        .await;
    assert!(matches!(after_end, Err(StoreError::Conflict(_))), "{CHECK}");
}
