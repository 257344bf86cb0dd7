//! The directory version: the one number every server checks before trusting its cached
//! people, categories and settings.

use crate::{hours, t0, Fixture};
use roadone_domain::Role;
use roadone_store::records::*;
use roadone_store::Store;

/// The directory version moves with every change to people, categories or settings (so a
/// server sees another's change), and with nothing else (so case traffic never makes every
/// server read the directory again).
pub async fn directory_version<S: Store>(store: S) {
    let version = || async {
        store
            .directory_version()
            .await
            .unwrap_or_else(|e| panic!("directory_version: reading it failed: {e}"))
    };
    let empty = version().await;
    let f = Fixture::seed(&store).await;
    let seeded = version().await;
    assert_ne!(
        seeded, empty,
        "directory_version: adding people and categories must move it"
    );
    store.people().await.expect("people");
    store.categories().await.expect("categories");
    assert_eq!(
        version().await,
        seeded,
        "directory_version: reading must not move it"
    );

    f.open(
        &store,
        f.frontline.id,
        "delivery",
        "c@example.com",
        "Parcel",
        t0(),
    )
    .await;
    assert_eq!(
        version().await,
        seeded,
        "directory_version: opening a case must not move it"
    );
    let refused = store
        .add_person(
            NewPerson {
                name: "Again".into(),
                email: f.staff.email.clone(),
                role: Role::Staff,
                reports_to: None,
            },
            t0(),
        )
        .await;
    assert!(
        refused.is_err(),
        "directory_version: a duplicate email is refused"
    );
    assert_eq!(
        version().await,
        seeded,
        "directory_version: a refused write must not move it"
    );

    let mut last = seeded;
    let mut moved = |now: i64, what: &str| {
        assert_ne!(now, last, "directory_version: {what} must move it");
        last = now;
    };
    store
        .update_person(
            f.frontline2.id,
            PersonUpdate {
                reports_to: None,
                active: Some(false),
                ..PersonUpdate::default()
            },
        )
        .await
        .expect("deactivating a person");
    moved(version().await, "deactivating a person");
    let mut renamed = f.delivery.clone();
    renamed.name = "Deliveries".into();
    store
        .update_category(renamed)
        .await
        .expect("renaming a category");
    moved(version().await, "renaming a category");
    store
        .save_settings(
            vec![("escalate_after".into(), Some("10h".into()))],
            f.exec.id,
            t0() + hours(1),
        )
        .await
        .expect("saving a setting");
    moved(version().await, "saving a setting");
    store
        .save_settings(
            vec![("escalate_after".into(), None)],
            f.exec.id,
            t0() + hours(2),
        )
        .await
        .expect("clearing a setting");
    moved(version().await, "clearing a setting");
}
