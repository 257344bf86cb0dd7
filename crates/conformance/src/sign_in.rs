//! Checks of customer and staff sign-in, and of looking customers up.

use crate::{hours, minutes, t0, Fixture};
use roadone_domain::Customer;
use roadone_store::records::*;
use roadone_store::Store;
use roadone_store::StoreError;

/// Portal sign-in: a link signs its customer in once, before it expires, and opens a
/// session that lasts until it expires or is ended.
pub async fn customer_sign_in<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let ada = fx
        .open(
            &store,
            fx.frontline.id,
            "delivery",
            "Ada@Example.com",
            "Parcel",
            t0(),
        )
        .await;
    let bob = fx
        .open(
            &store,
            fx.frontline.id,
            "delivery",
            "bob@example.com",
            "Box",
            t0(),
        )
        .await;
    let found = store
        .customer_by_email("ada@example.com")
        .await
        .unwrap_or_else(|e| panic!("customer_sign_in: customer_by_email failed: {e}"))
        .unwrap_or_else(|| panic!("customer_sign_in: email lookup must ignore case"));
    assert_eq!(
        found.id, ada.customer_id,
        "customer_sign_in: wrong customer found"
    );
    assert_eq!(
        store
            .customer_by_email("nobody@example.com")
            .await
            .expect("customer_by_email"),
        None,
        "customer_sign_in: an unknown email finds nobody"
    );

    let link = |hash: u8, customer_id: i64, minutes_valid: i64| SignInLink {
        hash: vec![hash; 32],
        customer_id,
        created_at: t0(),
        expires_at: t0() + minutes(minutes_valid),
    };
    let session = |hash: u8| NewSession {
        hash: vec![hash; 32],
        created_at: t0(),
        expires_at: t0() + hours(24),
    };
    store
        .add_sign_in_link(link(1, ada.customer_id, 30))
        .await
        .unwrap_or_else(|e| panic!("customer_sign_in: add_sign_in_link failed: {e}"));
    store
        .add_sign_in_link(link(2, bob.customer_id, 30))
        .await
        .expect("add_sign_in_link");
    let unknown_customer = store
        .add_sign_in_link(link(3, bob.customer_id + 1000, 30))
        .await;
    assert!(
        matches!(unknown_customer, Err(StoreError::Invalid { field: "customer_id", .. })),
        "customer_sign_in: a link for an unknown customer must be refused, got {unknown_customer:?}"
    );

    let redeemed = store
        .redeem_sign_in_link(&[1; 32], t0() + minutes(5), session(11))
        .await
        .unwrap_or_else(|e| panic!("customer_sign_in: redeem failed: {e}"));
    assert_eq!(
        redeemed,
        Some(ada.customer_id),
        "customer_sign_in: a fresh link signs its customer in"
    );
    let again = store
        .redeem_sign_in_link(&[1; 32], t0() + minutes(6), session(12))
        .await
        .expect("redeem");
    assert_eq!(again, None, "customer_sign_in: a link works only once");
    let late = store
        .redeem_sign_in_link(&[2; 32], t0() + minutes(31), session(13))
        .await
        .expect("redeem");
    assert_eq!(
        late, None,
        "customer_sign_in: an expired link signs nobody in"
    );
    let forged = store
        .redeem_sign_in_link(&[9; 32], t0(), session(14))
        .await
        .expect("redeem");
    assert_eq!(
        forged, None,
        "customer_sign_in: an unknown link signs nobody in"
    );

    let who = |hash: u8, at| {
        let store = &store;
        async move {
            store
                .customer_session(&[hash; 32], at)
                .await
                .expect("customer_session")
        }
    };
    assert_eq!(
        who(11, t0() + hours(1)).await,
        Some(ada.customer_id),
        "customer_sign_in: the session knows its customer"
    );
    assert_eq!(
        who(12, t0() + hours(1)).await,
        None,
        "customer_sign_in: a refused redemption opens no session"
    );
    assert_eq!(
        who(11, t0() + hours(25)).await,
        None,
        "customer_sign_in: an expired session is over"
    );
    store
        .end_customer_session(&[11; 32])
        .await
        .unwrap_or_else(|e| panic!("customer_sign_in: end_customer_session failed: {e}"));
    assert_eq!(
        who(11, t0() + hours(1)).await,
        None,
        "customer_sign_in: a session ended by signing out is over"
    );
}

/// Staff sign-in: a password hash per person; sessions that end when they expire, when
/// signed out, when the password changes, or when the person is no longer active.
pub async fn staff_sign_in<S: Store>(store: S) {
    let fx = Fixture::seed(&store).await;
    let email = fx.staff.email.clone();
    assert_eq!(
        store.password_hash(&email).await.expect("password_hash"),
        Some((fx.staff.id, None)),
        "staff_sign_in: a new person has no password yet"
    );
    store
        .set_password_hash(fx.staff.id, "$argon2id$first")
        .await
        .unwrap_or_else(|e| panic!("staff_sign_in: set_password_hash failed: {e}"));
    assert_eq!(
        store
            .password_hash(&email.to_uppercase())
            .await
            .expect("password_hash"),
        Some((fx.staff.id, Some("$argon2id$first".to_string()))),
        "staff_sign_in: the hash is found by email in any case"
    );
    assert!(
        matches!(
            store.set_password_hash(fx.staff.id + 1000, "$x").await,
            Err(StoreError::UnknownPerson { .. })
        ),
        "staff_sign_in: no password for a person who does not exist"
    );
    let session = |hash: u8, days: i64| NewSession {
        hash: vec![hash; 32],
        created_at: t0(),
        expires_at: t0() + hours(24 * days),
    };
    store
        .add_staff_session(fx.staff.id, session(1, 1))
        .await
        .unwrap_or_else(|e| panic!("staff_sign_in: add_staff_session failed: {e}"));
    store
        .add_staff_session(fx.staff.id, session(2, 1))
        .await
        .expect("add_staff_session");
    store
        .add_staff_session(fx.manager.id, session(3, 1))
        .await
        .expect("add_staff_session");
    let who = |hash: u8, at| {
        let store = &store;
        async move {
            store
                .staff_session(&[hash; 32], at)
                .await
                .expect("staff_session")
        }
    };
    assert_eq!(
        who(1, t0() + hours(1)).await,
        Some(fx.staff.id),
        "staff_sign_in: the session knows its person"
    );
    assert_eq!(
        who(1, t0() + hours(25)).await,
        None,
        "staff_sign_in: an expired session is over"
    );
    store
        .end_staff_session(&[1; 32])
        .await
        .expect("end_staff_session");
    assert_eq!(
        who(1, t0() + hours(1)).await,
        None,
        "staff_sign_in: signed out"
    );
    assert_eq!(
        who(2, t0() + hours(1)).await,
        Some(fx.staff.id),
        "staff_sign_in: other sessions go on"
    );
    store
        .set_password_hash(fx.staff.id, "$argon2id$second")
        .await
        .expect("set_password_hash");
    assert_eq!(
        who(2, t0() + hours(1)).await,
        None,
        "staff_sign_in: a new password ends every session"
    );
    assert_eq!(
        who(3, t0() + hours(1)).await,
        Some(fx.manager.id),
        "staff_sign_in: another person's sessions go on"
    );
}

/// The customer lookup finds callers by their exact email, by words that start words of
/// their name or email (any case, accents ignored, all words needed), and by the end of
/// their phone's digits; each customer once, by name, at most `limit`.
pub async fn customer_lookup<S: Store>(store: S) {
    let f = Fixture::seed(&store).await;
    let people = [
        ("ana.lopez@example.com", "Ana López", "+1 202 555 0101"),
        ("bob_smith@example.com", "Bob Smith", "+44 20 7946 0000"),
        ("anatole@example.org", "Anatole France", "+33 1 23 45 67 89"),
    ];
    for (i, (email, name, phone)) in people.iter().enumerate() {
        let customer = Customer {
            email: Some(email.to_string()),
            name: Some(name.to_string()),
            phone: Some(phone.to_string()),
            ..Customer::default()
        };
        let intake = f.intake_from("delivery", customer, &format!("Case {i}"));
        let new = f.new_case(f.frontline.id, &intake, t0());
        store
            .open_case(new)
            .await
            .unwrap_or_else(|e| panic!("customer_lookup: opening a case failed: {e}"));
    }
    let names = |found: Vec<CustomerRecord>| -> Vec<String> {
        found.into_iter().filter_map(|c| c.name).collect()
    };
    let find = |query: CustomerQuery, limit: u32| {
        let store = &store;
        async move {
            store
                .find_customers(query.clone(), limit)
                .await
                .unwrap_or_else(|e| {
                    panic!("customer_lookup: find_customers({query:?}) failed: {e}")
                })
        }
    };
    let words = |w: &[&str]| CustomerQuery {
        words: w.iter().map(|s| s.to_string()).collect(),
        ..CustomerQuery::default()
    };
    let phone = |keys: &[&str]| CustomerQuery {
        phone_keys: keys.iter().map(|s| s.to_string()).collect(),
        ..CustomerQuery::default()
    };
    assert_eq!(
        names(find(words(&["ana"]), 10).await),
        vec!["Ana López", "Anatole France"],
        "customer_lookup: \"ana\" starts two names and two emails, each customer listed once, by name"
    );
    assert_eq!(
        names(find(words(&["LOPEZ"]), 10).await),
        vec!["Ana López"],
        "customer_lookup: a surname finds them, in any case and without its accent"
    );
    assert_eq!(
        names(find(words(&["smith", "bob"]), 10).await),
        vec!["Bob Smith"],
        "customer_lookup: every word must match, in any order"
    );
    assert!(
        find(words(&["bob", "france"]), 10).await.is_empty(),
        "customer_lookup: words of two customers find neither"
    );
    assert_eq!(
        names(find(words(&["example", "org"]), 10).await),
        vec!["Anatole France"],
        "customer_lookup: the words of the email count"
    );
    assert_eq!(
        names(
            find(
                CustomerQuery {
                    email: Some("bob_smith@example.com".into()),
                    ..CustomerQuery::default()
                },
                10
            )
            .await
        ),
        vec!["Bob Smith"],
        "customer_lookup: the whole email finds them"
    );
    // Keys are digits last first: "0000" is the end of +44 20 7946 0000.
    assert_eq!(
        names(find(phone(&["0000"]), 10).await),
        vec!["Bob Smith"],
        "customer_lookup: the last digits of a phone find its customer"
    );
    assert_eq!(
        names(find(phone(&["98765432133", "1010"]), 10).await),
        vec!["Ana López", "Anatole France"],
        "customer_lookup: any of several keys may match"
    );
    assert!(
        find(phone(&["9999"]), 10).await.is_empty(),
        "customer_lookup: a number nobody has finds nobody"
    );
    assert!(
        find(words(&["%"]), 10).await.is_empty() && find(words(&["\"*"]), 10).await.is_empty(),
        "customer_lookup: wildcards and quotes are characters, never syntax"
    );
    assert!(
        find(CustomerQuery::default(), 10).await.is_empty(),
        "customer_lookup: an empty query finds nobody"
    );
    assert_eq!(
        find(words(&["a"]), 1).await.len(),
        1,
        "customer_lookup: at most `limit` customers"
    );
}
