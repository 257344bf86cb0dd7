//! Checks of the directory: people, categories, tokens, category edits and settings.

use crate::{hours, t0, Fixture};
use roadone_domain::{Category, ChecklistItem, Role};
use roadone_store::records::*;
use roadone_store::Store;
use roadone_store::StoreError;

/// People get ids; emails are unique regardless of case; `reports_to` must exist.
pub async fn people<S: Store>(store: S) {
    let ada = store
        .add_person(
            NewPerson {
                name: "Ada".into(),
                email: "ada@example.com".into(),
                role: Role::Executive,
                reports_to: None,
            },
            t0(),
        )
        .await
        .unwrap_or_else(|e| panic!("people: adding the first person failed: {e}"));
    assert_eq!(
        (
            ada.name.as_str(),
            ada.email.as_str(),
            ada.role,
            ada.reports_to,
            ada.active
        ),
        ("Ada", "ada@example.com", Role::Executive, None, true),
        "people: add_person must return the person as stored (active)"
    );
    let bo = store
        .add_person(
            NewPerson {
                name: "Bo".into(),
                email: "bo@example.com".into(),
                role: Role::Frontline,
                reports_to: Some(ada.id),
            },
            t0(),
        )
        .await
        .unwrap_or_else(|e| {
            panic!(
                "people: adding a person reporting to {} failed: {e}",
                ada.id
            )
        });
    assert_ne!(bo.id, ada.id, "people: two people must get different ids");
    assert_eq!(
        bo.reports_to,
        Some(ada.id),
        "people: reports_to must be kept"
    );

    for email in ["ada@example.com", "ADA@Example.COM"] {
        let dup = NewPerson {
            name: "Ada again".into(),
            email: email.into(),
            role: Role::Staff,
            reports_to: None,
        };
        match store.add_person(dup, t0()).await {
            Err(StoreError::Duplicate { field: "email", .. }) => {}
            other => panic!(
                "people: adding {email:?} when ada@example.com exists must fail with Duplicate {{ field: \"email\" }}, got {other:?}"
            ),
        }
    }

    let ghost_boss = ada.id.max(bo.id) + 1000;
    let orphan = NewPerson {
        name: "Cy".into(),
        email: "cy@example.com".into(),
        role: Role::Staff,
        reports_to: Some(ghost_boss),
    };
    match store.add_person(orphan, t0()).await {
        Err(StoreError::UnknownPerson { field: "reports_to", id }) if id == ghost_boss => {}
        other => panic!(
            "people: reports_to an unknown person must fail with UnknownPerson {{ field: \"reports_to\", id: {ghost_boss} }}, got {other:?}"
        ),
    }

    let mut all = store
        .people()
        .await
        .unwrap_or_else(|e| panic!("people: people() failed: {e}"));
    all.sort_by_key(|p| p.id);
    let mut expected = vec![ada.clone(), bo.clone()];
    expected.sort_by_key(|p| p.id);
    assert_eq!(
        all, expected,
        "people: people() must list exactly the two people added (no duplicate, no orphan)"
    );

    for query in ["ada@example.com", "ADA@EXAMPLE.COM", "Ada@Example.Com"] {
        let found = store
            .person_by_email(query)
            .await
            .unwrap_or_else(|e| panic!("people: person_by_email failed: {e}"));
        assert_eq!(
            found.as_ref(),
            Some(&ada),
            "people: person_by_email({query:?}) must find Ada case-insensitively"
        );
    }
    let found = store
        .person_by_email("cy@example.com")
        .await
        .unwrap_or_else(|e| panic!("people: {e}"));
    assert_eq!(
        found, None,
        "people: the refused person cy@example.com must not have been stored"
    );
    let found = store
        .person_by_email("nobody@example.com")
        .await
        .unwrap_or_else(|e| panic!("people: {e}"));
    assert_eq!(
        found, None,
        "people: person_by_email of an unknown email must be None"
    );
}

/// Categories round-trip with their checklist; keys are unique; manager and executive must exist.
pub async fn categories<S: Store>(store: S) {
    let boss = store
        .add_person(
            NewPerson {
                name: "Boss".into(),
                email: "boss@example.com".into(),
                role: Role::Executive,
                reports_to: None,
            },
            t0(),
        )
        .await
        .unwrap_or_else(|e| panic!("categories: adding a person failed: {e}"));
    let manager = store
        .add_person(
            NewPerson {
                name: "Manager".into(),
                email: "manager@example.com".into(),
                role: Role::Manager,
                reports_to: Some(boss.id),
            },
            t0(),
        )
        .await
        .unwrap_or_else(|e| panic!("categories: adding a person failed: {e}"));
    let billing = Category {
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
                label: "Order id (“if any”)".into(),
                required: false,
                pattern: None,
            },
        ],
        manager: manager.id,
        executive: boss.id,
    };
    let delivery = Category {
        key: "delivery".into(),
        name: "Delivery".into(),
        checklist: vec![],
        manager: manager.id,
        executive: boss.id,
    };
    for category in [&billing, &delivery] {
        let stored = store
            .add_category(category.clone(), t0())
            .await
            .unwrap_or_else(|e| panic!("categories: adding {} failed: {e}", category.key));
        assert_eq!(
            &stored, category,
            "categories: add_category must return the category as given"
        );
    }
    let mut listed = store
        .categories()
        .await
        .unwrap_or_else(|e| panic!("categories: categories() failed: {e}"));
    listed.sort_by(|a, b| a.key.cmp(&b.key));
    assert_eq!(
        listed,
        vec![billing.clone(), delivery.clone()],
        "categories: categories() must round-trip both, checklists included"
    );

    let again = Category {
        name: "Billing, again".into(),
        checklist: vec![],
        ..billing.clone()
    };
    match store.add_category(again, t0()).await {
        Err(StoreError::Duplicate { field: "key", .. }) => {}
        other => panic!("categories: a second category with key \"billing\" must fail with Duplicate {{ field: \"key\" }}, got {other:?}"),
    }

    let ghost = boss.id.max(manager.id) + 1000;
    let bad_manager = Category {
        key: "returns".into(),
        name: "Returns".into(),
        checklist: vec![],
        manager: ghost,
        executive: boss.id,
    };
    match store.add_category(bad_manager, t0()).await {
        Err(StoreError::UnknownPerson { field: "manager", id }) if id == ghost => {}
        other => panic!("categories: an unknown manager must fail with UnknownPerson {{ field: \"manager\", id: {ghost} }}, got {other:?}"),
    }
    let bad_exec = Category {
        key: "refunds".into(),
        name: "Refunds".into(),
        checklist: vec![],
        manager: manager.id,
        executive: ghost,
    };
    match store.add_category(bad_exec, t0()).await {
        Err(StoreError::UnknownPerson { field: "executive", id }) if id == ghost => {}
        other => panic!("categories: an unknown executive must fail with UnknownPerson {{ field: \"executive\", id: {ghost} }}, got {other:?}"),
    }

    let mut listed = store
        .categories()
        .await
        .unwrap_or_else(|e| panic!("categories: categories() failed: {e}"));
    listed.sort_by(|a, b| a.key.cmp(&b.key));
    assert_eq!(
        listed,
        vec![billing, delivery],
        "categories: refused categories must leave the stored ones exactly as they were"
    );
}

/// A token digest finds its person; an unknown digest finds nobody.
pub async fn tokens<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let hash_a: Vec<u8> = (0u8..32).collect();
    let hash_b: Vec<u8> = (0u8..32).rev().collect();
    store
        .add_token(fx.staff.id, hash_a.clone(), "laptop", t0())
        .await
        .unwrap_or_else(|e| panic!("tokens: add_token failed: {e}"));
    store
        .add_token(fx.manager.id, hash_b.clone(), "ci", t0())
        .await
        .unwrap_or_else(|e| panic!("tokens: add_token failed: {e}"));
    let found = store
        .person_by_token(&hash_a)
        .await
        .unwrap_or_else(|e| panic!("tokens: person_by_token failed: {e}"));
    assert_eq!(
        found,
        Some(fx.staff.id),
        "tokens: person_by_token must return the token's person"
    );
    let found = store
        .person_by_token(&hash_b)
        .await
        .unwrap_or_else(|e| panic!("tokens: person_by_token failed: {e}"));
    assert_eq!(
        found,
        Some(fx.manager.id),
        "tokens: person_by_token must return the token's person"
    );
    let unknown = [7u8; 32];
    let found = store
        .person_by_token(&unknown)
        .await
        .unwrap_or_else(|e| panic!("tokens: person_by_token failed: {e}"));
    assert_eq!(
        found, None,
        "tokens: an unknown token digest must find nobody"
    );

    let listed = store
        .tokens()
        .await
        .unwrap_or_else(|e| panic!("tokens: listing failed: {e}"));
    assert_eq!(listed.len(), 2, "tokens: both are listed");
    assert!(
        listed.iter().any(|t| t.hash == hash_a
            && t.person_id == fx.staff.id
            && t.label == "laptop"
            && t.revoked_at.is_none()),
        "tokens: with their person and label: {listed:?}"
    );
    assert!(
        store
            .revoke_token(&hash_b, t0())
            .await
            .expect("revoke_token"),
        "tokens: revoking a known token"
    );
    assert_eq!(
        store
            .person_by_token(&hash_b)
            .await
            .expect("person_by_token"),
        None,
        "tokens: a revoked token finds nobody"
    );
    assert!(
        !store
            .revoke_token(&[9u8; 32], t0())
            .await
            .expect("revoke_token"),
        "tokens: revoking an unknown token says so"
    );
    let listed = store.tokens().await.expect("tokens");
    assert_eq!(
        listed
            .iter()
            .find(|t| t.hash == hash_b)
            .and_then(|t| t.revoked_at),
        Some(t0()),
        "tokens: the listing shows when it was revoked"
    );
    let ghost = fx.frontline2.id + 1000;
    match store
        .add_token(ghost, unknown.to_vec(), "ghost", t0())
        .await
    {
        Err(StoreError::UnknownPerson { .. }) => {}
        other => panic!(
            "tokens: a token for an unknown person must fail with UnknownPerson, got {other:?}"
        ),
    }
    let found = store
        .person_by_token(&unknown)
        .await
        .unwrap_or_else(|e| panic!("tokens: person_by_token failed: {e}"));
    assert_eq!(
        found, None,
        "tokens: a refused token must not have been stored"
    );
}

/// Editing a category replaces everything but its key; people must exist; an unknown key
/// is refused and adds nothing.
pub async fn category_updates<S: Store>(store: S) {
    let f = Fixture::seed(&store).await;
    let edited = Category {
        name: "Billing and refunds".into(),
        checklist: vec![ChecklistItem {
            key: "invoice".into(),
            label: "Invoice number".into(),
            required: true,
            pattern: Some(r"(?i)inv-(\d+)".into()),
        }],
        manager: f.staff.id,
        ..f.billing.clone()
    };
    let stored = store
        .update_category(edited.clone())
        .await
        .unwrap_or_else(|e| panic!("category_updates: editing billing failed: {e}"));
    assert_eq!(
        stored, edited,
        "category_updates: update_category must return the category as given"
    );
    let listed = store
        .categories()
        .await
        .unwrap_or_else(|e| panic!("category_updates: categories() failed: {e}"));
    assert_eq!(
        listed.iter().find(|c| c.key == "billing"),
        Some(&edited),
        "category_updates: the edit must be what categories() returns afterwards"
    );
    assert_eq!(
        listed.iter().find(|c| c.key == "delivery"),
        Some(&f.delivery),
        "category_updates: editing billing must leave delivery alone"
    );

    let ghost = f.frontline2.id + 1000;
    let bad = Category {
        executive: ghost,
        ..edited.clone()
    };
    match store.update_category(bad).await {
        Err(StoreError::UnknownPerson { field: "executive", id }) if id == ghost => {}
        other => panic!("category_updates: an unknown executive must fail with UnknownPerson {{ field: \"executive\" }}, got {other:?}"),
    }
    let unknown = Category {
        key: "returns".into(),
        ..f.delivery.clone()
    };
    match store.update_category(unknown).await {
        Err(StoreError::Invalid { field: "key", .. }) => {}
        other => panic!("category_updates: editing a category that does not exist must fail with Invalid {{ field: \"key\" }}, got {other:?}"),
    }
    let after = store
        .categories()
        .await
        .unwrap_or_else(|e| panic!("category_updates: categories() failed: {e}"));
    assert_eq!(
        after, listed,
        "category_updates: refused edits must change nothing"
    );
}

/// Settings round-trip with who changed them and when; clearing removes one; a change by
/// an unknown person changes nothing.
pub async fn settings<S: Store>(store: S) {
    let f = Fixture::seed(&store).await;
    let initial = store
        .settings()
        .await
        .unwrap_or_else(|e| panic!("settings: settings() failed: {e}"));
    assert!(
        initial.is_empty(),
        "settings: a new store has no settings, found {initial:?}"
    );
    let at = t0();
    store
        .save_settings(
            vec![
                ("escalate_after".into(), Some("16h".into())),
                ("mail_from".into(), Some("help@example.com".into())),
            ],
            f.exec.id,
            at,
        )
        .await
        .unwrap_or_else(|e| panic!("settings: saving failed: {e}"));
    store
        .save_settings(
            vec![
                ("escalate_after".into(), Some("12h".into())),
                ("mail_from".into(), None),
                ("tickle_after".into(), Some("2h".into())),
            ],
            f.manager.id,
            at + hours(1),
        )
        .await
        .unwrap_or_else(|e| panic!("settings: saving again failed: {e}"));
    let mut listed = store
        .settings()
        .await
        .unwrap_or_else(|e| panic!("settings: settings() failed: {e}"));
    listed.sort_by(|a, b| a.key.cmp(&b.key));
    let expected = vec![
        SettingRecord {
            key: "escalate_after".into(),
            value: "12h".into(),
            changed_by: f.manager.id,
            changed_at: at + hours(1),
        },
        SettingRecord {
            key: "tickle_after".into(),
            value: "2h".into(),
            changed_by: f.manager.id,
            changed_at: at + hours(1),
        },
    ];
    assert_eq!(
        listed, expected,
        "settings: the latest value of each key with who and when; a cleared key is gone"
    );
    let ghost = f.frontline2.id + 1000;
    match store
        .save_settings(
            vec![("escalate_after".into(), Some("1h".into()))],
            ghost,
            at + hours(2),
        )
        .await
    {
        Err(StoreError::UnknownPerson { .. }) => {}
        other => panic!(
            "settings: a change by an unknown person must fail with UnknownPerson, got {other:?}"
        ),
    }
    let mut after = store
        .settings()
        .await
        .unwrap_or_else(|e| panic!("settings: settings() failed: {e}"));
    after.sort_by(|a, b| a.key.cmp(&b.key));
    assert_eq!(
        after, expected,
        "settings: a refused change must change nothing"
    );
}
