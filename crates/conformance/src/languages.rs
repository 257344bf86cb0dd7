//! Customers' languages: the one an intake brings is kept for a new customer and fills in
//! a known customer's that is not set, but never replaces one (anyone can write in with
//! someone's address); the customer's own choice replaces it.

use crate::{t0, Fixture};
use roadone_domain::Customer;
use roadone_store::{OpenOutcome, Store};

async fn open_as<S: Store>(store: &S, f: &Fixture, email: &str, language: Option<&str>) -> i64 {
    let customer = Customer {
        email: Some(email.into()),
        language: language.map(str::to_string),
        ..Customer::default()
    };
    let intake = f.intake_from("delivery", customer, "Where is my parcel?");
    match store
        .open_case(f.new_case(f.frontline.id, &intake, t0()))
        .await
    {
        Ok(OpenOutcome::Created(head)) => head.customer_id,
        other => panic!("languages: opening must create the case, got {other:?}"),
    }
}

pub async fn customer_languages<S: Store>(store: S) {
    let f = Fixture::seed(&store).await;
    let french = open_as(&store, &f, "marie@example.fr", Some("fr")).await;
    assert_eq!(
        store.customer_language(french).await.expect("read"),
        Some("fr".into()),
        "languages: a new customer keeps the language their intake brought"
    );
    let again = open_as(&store, &f, "marie@example.fr", Some("en")).await;
    assert_eq!(
        again, french,
        "languages: the same address is the same customer"
    );
    assert_eq!(
        store.customer_language(french).await.expect("read"),
        Some("fr".into()),
        "languages: a later intake never replaces a known language"
    );

    let unknown = open_as(&store, &f, "sam@example.com", None).await;
    assert_eq!(store.customer_language(unknown).await.expect("read"), None);
    open_as(&store, &f, "sam@example.com", Some("fr")).await;
    assert_eq!(
        store.customer_language(unknown).await.expect("read"),
        Some("fr".into()),
        "languages: a later intake fills in a language not known"
    );

    assert!(store
        .set_customer_language(french, Some("en".into()))
        .await
        .expect("set_customer_language"));
    assert_eq!(
        store.customer_language(french).await.expect("read"),
        Some("en".into()),
        "languages: the customer's own choice replaces it"
    );
    assert!(store
        .set_customer_language(french, None)
        .await
        .expect("clearing"));
    assert_eq!(store.customer_language(french).await.expect("read"), None);
    assert!(
        !store
            .set_customer_language(999_999, Some("fr".into()))
            .await
            .expect("an unknown customer is an answer, not an error"),
        "languages: setting an unknown customer's language says so"
    );
}
