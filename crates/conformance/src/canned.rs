//! Checks of canned replies: shared ones reach everyone, personal ones only their owner.

use crate::{t0, Fixture};
use roadone_store::records::*;
use roadone_store::Store;

pub async fn canned_replies<S: Store>(store: S) {
    const CHECK: &str = "canned_replies";
    let fx = Fixture::seed(&store).await;
    let reply = |owner, category: Option<&str>, title: &str| CannedReply {
        id: 0,
        owner,
        category: category.map(str::to_string),
        title: title.into(),
        body: format!("{title}, {{customer_name}}."),
    };
    let add = |r: CannedReply| {
        let store = &store;
        async move {
            store
                .add_canned_reply(r, fx.manager.id, t0())
                .await
                .unwrap_or_else(|e| panic!("{CHECK}: add_canned_reply failed: {e}"))
        }
    };
    let shared = add(reply(None, Some("billing"), "Refund on its way")).await;
    add(reply(Some(fx.staff.id), None, "A personal thanks")).await;
    add(reply(Some(fx.frontline.id), None, "Frontline's own")).await;
    let titles = |person| {
        let store = &store;
        async move {
            store
                .canned_replies(person)
                .await
                .unwrap_or_else(|e| panic!("{CHECK}: canned_replies failed: {e}"))
                .into_iter()
                .map(|r| r.title)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        titles(fx.staff.id).await,
        vec!["A personal thanks", "Refund on its way"],
        "{CHECK}: the shared ones and one's own, by title"
    );
    assert_eq!(titles(fx.manager.id).await, vec!["Refund on its way"]);
    assert!(
        store
            .add_canned_reply(reply(None, Some("nope"), "x"), fx.manager.id, t0())
            .await
            .is_err(),
        "{CHECK}: no reply for a category that does not exist"
    );
    let corrected = CannedReply {
        title: "Your refund is on its way".into(),
        body: "Hello {customer_name}, it is on its way.".into(),
        category: None,
        ..shared.clone()
    };
    assert!(store.update_canned_reply(corrected.clone()).await.unwrap());
    let now = store.canned_replies(fx.staff.id).await.unwrap();
    let kept = now.iter().find(|r| r.id == shared.id).expect("still there");
    assert_eq!(
        kept, &corrected,
        "{CHECK}: the new title, text and category"
    );
    assert_eq!(kept.owner, None, "{CHECK}: still shared");
    assert!(
        store
            .update_canned_reply(CannedReply {
                category: Some("nope".into()),
                ..corrected.clone()
            })
            .await
            .is_err(),
        "{CHECK}: no update to a category that does not exist"
    );
    assert!(
        !store
            .update_canned_reply(CannedReply {
                id: 999_999,
                ..corrected.clone()
            })
            .await
            .unwrap(),
        "{CHECK}: no such reply"
    );
    assert!(store.delete_canned_reply(shared.id).await.unwrap());
    assert!(
        !store.delete_canned_reply(shared.id).await.unwrap(),
        "{CHECK}: deleted once"
    );
    assert_eq!(titles(fx.manager.id).await, Vec::<String>::new());
}
