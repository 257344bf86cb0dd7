//! Migration 0014 makes customers stored before it findable by the end of their phone
//! number and by any word of their name: the lookup index covers old rows too.

use roadone_conformance::{t0, Fixture};
use roadone_domain::Customer;
use roadone_sqlite::{SqliteOptions, SqliteStore};
use roadone_store::{CustomerQuery, Store};

#[tokio::test(flavor = "multi_thread")]
async fn customers_from_before_the_lookup_are_found_by_phone_end_and_surname() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roadone.db");
    let store = SqliteStore::open(SqliteOptions::new(&path)).unwrap();
    let f = Fixture::seed(&store).await;
    let customer = Customer {
        email: Some("grace@example.com".into()),
        name: Some("Grace Hopper".into()),
        phone: Some("+44 20 7946 0123".into()),
        ..Customer::default()
    };
    let intake = f.intake_from("delivery", customer, "An old case");
    store
        .open_case(f.new_case(f.frontline.id, &intake, t0()))
        .await
        .unwrap();
    drop(store);

    // Back to schema 13: no phone keys, no word index.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TABLE experiment_assignments; DROP TABLE experiment_events;
             DROP TABLE experiment_versions; DROP TABLE experiments;
             DROP INDEX cases_by_customer_opening;
             DROP TABLE phone_lines; DROP INDEX cases_by_channel_opening;
             DROP INDEX cases_by_owner_change; DROP INDEX cases_by_filters;
             DROP INDEX cases_open_by_filters;
             DROP TRIGGER customer_words_added; DROP TRIGGER customer_words_changed;
             DROP TRIGGER customer_words_removed; DROP TABLE customer_words;
             DROP INDEX customers_by_phone_key; ALTER TABLE customers DROP COLUMN phone_key;
             DROP INDEX orders_by_customer; DROP INDEX cases_escalated; DROP INDEX cases_by_change;
             ALTER TABLE cases DROP COLUMN channel; ALTER TABLE cases DROP COLUMN awaiting_customer;
             DROP TABLE saved_views; DROP TABLE canned_replies; DROP TABLE customer_merges;
             ALTER TABLE customers DROP COLUMN merged_into; DROP INDEX cases_by_opening;
             DROP TABLE staff_second_factors; DROP TABLE staff_recovery_codes;
             DROP TABLE staff_pending_sign_ins;
             DROP TABLE staff_time_zones; ALTER TABLE customers DROP COLUMN time_zone;
             ALTER TABLE customers DROP COLUMN language;
             DROP TABLE suspended_mail; DROP TABLE junk_tokens; DROP TABLE junk_taught; DROP TABLE calls; DROP TABLE twilio_callbacks;",
        )
        .unwrap();
        conn.pragma_update(None, "user_version", 13).unwrap();
    }
    let store = SqliteStore::open(SqliteOptions::new(&path)).unwrap();
    let by_phone = store
        .find_customers(
            CustomerQuery {
                phone_keys: vec![roadone_domain::phone::key("0123")],
                ..CustomerQuery::default()
            },
            10,
        )
        .await
        .unwrap();
    assert_eq!(by_phone.len(), 1, "found by the last digits of the phone");
    let by_surname = store
        .find_customers(
            CustomerQuery {
                words: vec!["hopper".into()],
                ..CustomerQuery::default()
            },
            10,
        )
        .await
        .unwrap();
    assert_eq!(
        by_surname, by_phone,
        "and by the surname, the same customer"
    );
}
