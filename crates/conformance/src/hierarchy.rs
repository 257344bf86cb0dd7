//! The hierarchy's rules are kept by the write itself, so two servers cannot together
//! make what each alone would have refused.

use crate::*;
use roadone_domain::Role;
use roadone_store::StoreError;

fn refused_on(result: roadone_store::StoreResult<roadone_domain::Person>, field: &str, what: &str) {
    match result {
        Err(StoreError::Invalid { field: f, .. }) if f == field => {}
        other => panic!("hierarchy_checks: {what} must be refused on {field}, got {other:?}"),
    }
}

/// A move that would put someone above themselves and the deactivation of the last
/// active administrator are refused by the store, and change nothing.
pub async fn hierarchy_checks<S: Store>(store: S) {
    let f = Fixture::seed(&store).await;
    let before = store.people().await.expect("people");
    let up = |reports_to| PersonUpdate {
        reports_to: Some(reports_to),
        active: None,
        ..PersonUpdate::default()
    };
    refused_on(
        store
            .update_person(f.exec.id, up(Some(f.frontline.id)))
            .await,
        "reports_to",
        "putting the executive under their own frontline",
    );
    refused_on(
        store.update_person(f.staff.id, up(Some(f.staff.id))).await,
        "reports_to",
        "a person reporting to themselves",
    );
    let admin = |name: &str| NewPerson {
        name: name.into(),
        email: format!("{name}@roadone.test"),
        role: Role::Admin,
        reports_to: None,
    };
    let first = store
        .add_person(admin("admin1"), t0())
        .await
        .expect("admin");
    let deactivate = PersonUpdate {
        reports_to: None,
        active: Some(false),
        ..PersonUpdate::default()
    };
    refused_on(
        store.update_person(first.id, deactivate.clone()).await,
        "id",
        "deactivating the last active administrator",
    );
    let mut after = store.people().await.expect("people");
    after.retain(|p| p.id != first.id);
    assert_eq!(
        after, before,
        "hierarchy_checks: a refused change must change nothing"
    );

    store
        .update_person(f.frontline.id, up(Some(f.manager.id)))
        .await
        .expect("hierarchy_checks: moving someone up the chain is allowed");
    let second = store
        .add_person(admin("admin2"), t0())
        .await
        .expect("admin");
    store
        .update_person(first.id, deactivate.clone())
        .await
        .expect("hierarchy_checks: with another admin, the first may go");
    refused_on(
        store.update_person(second.id, deactivate).await,
        "id",
        "deactivating the admin who is now the last",
    );
}
