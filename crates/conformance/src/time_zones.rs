//! Time zones: the one a person chose (cached with the directory, so a change moves the
//! directory version) and a customer's, where staff know it.

use crate::{t0, Fixture};
use roadone_store::Store;

pub async fn time_zones<S: Store>(store: S) {
    let f = Fixture::seed(&store).await;
    assert!(
        store
            .staff_time_zones()
            .await
            .expect("staff_time_zones")
            .is_empty(),
        "time_zones: nobody has chosen a zone yet"
    );
    let before = store.directory_version().await.expect("version");
    store
        .set_staff_time_zone(f.frontline.id, Some("Europe/London".into()))
        .await
        .expect("set_staff_time_zone");
    store
        .set_staff_time_zone(f.manager.id, Some("Asia/Kolkata".into()))
        .await
        .expect("set_staff_time_zone");
    store
        .set_staff_time_zone(f.frontline.id, Some("America/New_York".into()))
        .await
        .expect("set_staff_time_zone again");
    let mut zones = store.staff_time_zones().await.expect("staff_time_zones");
    zones.sort();
    let mut wanted = vec![
        (f.frontline.id, "America/New_York".to_string()),
        (f.manager.id, "Asia/Kolkata".to_string()),
    ];
    wanted.sort();
    assert_eq!(
        zones, wanted,
        "time_zones: the latest choice of each person"
    );
    let after = store.directory_version().await.expect("version");
    assert_ne!(
        after, before,
        "time_zones: a person's zone is cached with the directory, so it must move the version"
    );
    store
        .set_staff_time_zone(f.manager.id, None)
        .await
        .expect("clearing");
    let zones = store.staff_time_zones().await.expect("staff_time_zones");
    assert_eq!(
        zones,
        vec![(f.frontline.id, "America/New_York".to_string())],
        "time_zones: a cleared zone is gone (back to the company's)"
    );
    assert!(
        store
            .set_staff_time_zone(999_999, Some("UTC".into()))
            .await
            .is_err(),
        "time_zones: nobody's zone for a person who does not exist"
    );

    let head = f
        .open(
            &store,
            f.frontline.id,
            "delivery",
            "tz@example.com",
            "Parcel",
            t0(),
        )
        .await;
    let customer = head.customer_id;
    assert_eq!(
        store.customer_time_zone(customer).await.expect("read"),
        None,
        "time_zones: a new customer's zone is not known"
    );
    assert!(store
        .set_customer_time_zone(customer, Some("Australia/Sydney".into()))
        .await
        .expect("set_customer_time_zone"));
    assert_eq!(
        store.customer_time_zone(customer).await.expect("read"),
        Some("Australia/Sydney".into())
    );
    assert!(store
        .set_customer_time_zone(customer, None)
        .await
        .expect("clearing"));
    assert_eq!(
        store.customer_time_zone(customer).await.expect("read"),
        None
    );
    assert!(
        !store
            .set_customer_time_zone(999_999, Some("UTC".into()))
            .await
            .expect("an unknown customer is an answer, not an error"),
        "time_zones: setting an unknown customer's zone says so"
    );
    assert_eq!(store.customer_time_zone(999_999).await.expect("read"), None);
}
