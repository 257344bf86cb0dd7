//! Checks of merging two customers who are one person.

use crate::{t0, Fixture};
use roadone_domain::Customer;
use roadone_store::records::*;
use roadone_store::Store;

pub async fn customer_merges<S: Store>(store: S) {
    const CHECK: &str = "customer_merges";
    let fx = Fixture::seed(&store).await;
    let work = fx
        .open(
            &store,
            fx.frontline.id,
            "billing",
            "ann@work.example",
            "From work",
            t0(),
        )
        .await;
    let home_customer = Customer {
        email: Some("ann@home.example".into()),
        name: Some("Ann Home".into()),
        phone: Some("+442079460123".into()),
        external_id: Some("crm-9".into()),
        language: None,
    };
    let intake = fx.intake_from("billing", home_customer, "From home");
    let home = match store
        .open_case(fx.new_case(fx.frontline.id, &intake, t0()))
        .await
        .unwrap_or_else(|e| panic!("{CHECK}: {e}"))
    {
        OpenOutcome::Created(h) => h,
        other => panic!("{CHECK}: {other:?}"),
    };
    store
        .add_orders(
            vec![NewOrder {
                order_id: "h-1".into(),
                customer: CustomerRef::Email("ann@home.example".into()),
                ordered_at: t0(),
                amount_cents: 500,
                currency: "EUR".into(),
            }],
            t0(),
        )
        .await
        .expect("orders");
    let (from, into) = (home.customer_id, work.customer_id);
    // Only the merged one's time zone is known: the kept one takes it.
    store
        .set_customer_time_zone(from, Some("Europe/Paris".into()))
        .await
        .expect("set_customer_time_zone");
    let outcome = store
        .merge_customers(from, into, fx.staff.id, t0())
        .await
        .unwrap_or_else(|e| panic!("{CHECK}: merge_customers failed: {e}"));
    assert_eq!(
        outcome,
        MergeOutcome {
            cases: 1,
            orders: 1
        },
        "{CHECK}: the merged customer's case and order moved"
    );
    assert_eq!(
        store.customer_time_zone(into).await.expect("read"),
        Some("Europe/Paris".into()),
        "{CHECK}: a time zone known only for the merged customer is kept"
    );
    let cases = store
        .list_cases(CaseFilter {
            customer_id: Some(into),
            limit: 10,
            ..CaseFilter::default()
        })
        .await
        .expect("list");
    assert_eq!(
        cases.len(),
        2,
        "{CHECK}: both cases are the kept customer's now"
    );
    let kept = store.customer(into).await.unwrap().unwrap();
    assert_eq!(
        (
            kept.phone.as_deref(),
            kept.external_id.as_deref(),
            kept.email.as_deref()
        ),
        (
            Some("+442079460123"),
            Some("crm-9"),
            Some("ann@work.example")
        ),
        "{CHECK}: what the kept one lacked is filled in; its own email stays"
    );
    let by_old_email = store.customer_by_email("ann@home.example").await.unwrap();
    assert_eq!(
        by_old_email.map(|c| c.id),
        Some(into),
        "{CHECK}: the merged one's email leads to the one kept"
    );
    let found = store
        .find_customers(
            CustomerQuery {
                words: vec!["ann".into()],
                ..CustomerQuery::default()
            },
            10,
        )
        .await
        .unwrap();
    assert!(
        found.iter().all(|c| c.id != from),
        "{CHECK}: a merged customer is not found by lookups any more"
    );
    // A new case from the old address joins the kept customer.
    let again = fx
        .open(
            &store,
            fx.frontline.id,
            "billing",
            "ann@home.example",
            "Again",
            t0(),
        )
        .await;
    assert_eq!(
        again.customer_id, into,
        "{CHECK}: new cases join the one kept"
    );
    assert!(
        store
            .merge_customers(from, into, fx.staff.id, t0())
            .await
            .is_err(),
        "{CHECK}: a customer is merged once"
    );
    assert!(
        store
            .merge_customers(into, into, fx.staff.id, t0())
            .await
            .is_err(),
        "{CHECK}: nobody is merged into themselves"
    );
}
