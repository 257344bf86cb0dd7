//! Migration 0009 fills the case projection's outcome columns from the events of a store
//! that existed before it: the outcomes read afterwards are the ones the events say.

use chrono::Duration;
use roadone_conformance::{t0, Fixture};
use roadone_domain::{Actor, Command};
use roadone_sqlite::{SqliteOptions, SqliteStore};
use roadone_store::Store;

#[tokio::test(flavor = "multi_thread")]
async fn outcomes_are_backfilled_from_the_events() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roadone.db");
    let store = SqliteStore::open(SqliteOptions::new(&path)).unwrap();
    let f = Fixture::seed(&store).await;
    let p = |id| Actor::Person { id };
    let solve = || Command::Solve {
        resolution: "Refunded".into(),
        road: 3,
        learned: "Refunds are slow".into(),
    };
    let solved = f
        .open(
            &store,
            f.frontline.id,
            "delivery",
            "a@example.com",
            "Solved",
            t0(),
        )
        .await;
    f.act(
        &store,
        solved.id,
        solve(),
        p(f.frontline.id),
        t0() + Duration::hours(1),
    )
    .await;
    let escalated = f
        .open(
            &store,
            f.frontline2.id,
            "delivery",
            "b@example.com",
            "Late",
            t0(),
        )
        .await;
    f.act(
        &store,
        escalated.id,
        Command::Escalate,
        Actor::System,
        t0() + Duration::hours(20),
    )
    .await;
    let before = store.case_outcomes().await.unwrap();
    assert_eq!(before.len(), 2);
    assert_eq!(
        before[0].solved,
        Some((t0() + Duration::hours(1), f.frontline.id, 3))
    );
    assert!(before[1].escalated);
    drop(store);

    // Back to a store of schema 8: without the columns 0009 adds (and what came later).
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TABLE experiment_assignments; DROP TABLE experiment_events;
             DROP TABLE experiment_versions; DROP TABLE experiments;
             DROP INDEX cases_by_customer_opening;
             DROP TABLE phone_lines; DROP INDEX cases_by_channel_opening;
             DROP TABLE instances; DROP TABLE inbound_messages;
             DROP INDEX outbox_claimed; DROP INDEX timers_claimed;
             ALTER TABLE timers DROP COLUMN claimed_by; ALTER TABLE outbox DROP COLUMN claimed_by;
             DROP TABLE search_queue; DROP TABLE search_identity;
             CREATE VIRTUAL TABLE case_text USING fts5(body, content = '');",
        )
        .unwrap();
        for table in ["people", "categories", "settings"] {
            for change in ["added", "changed", "removed"] {
                conn.execute_batch(&format!("DROP TRIGGER {table}_{change}"))
                    .unwrap();
            }
        }
        // Its triggers name the directory version: gone before it is.
        conn.execute_batch("DROP TABLE staff_time_zones;").unwrap();
        conn.execute_batch(
            "DROP INDEX cases_by_owner_change; DROP INDEX cases_by_filters;
             DROP INDEX cases_open_by_filters;
             DROP TABLE directory_version; DROP TABLE staff_password_links;
             DROP TRIGGER customer_words_added; DROP TRIGGER customer_words_changed;
             DROP TRIGGER customer_words_removed; DROP TABLE customer_words;
             DROP INDEX customers_by_phone_key; ALTER TABLE customers DROP COLUMN phone_key;
             DROP INDEX orders_by_customer; DROP INDEX cases_escalated; DROP INDEX cases_by_change;
             ALTER TABLE cases DROP COLUMN channel; ALTER TABLE cases DROP COLUMN awaiting_customer;
             DROP TABLE saved_views; DROP TABLE canned_replies; DROP TABLE customer_merges;
             ALTER TABLE customers DROP COLUMN merged_into; DROP INDEX cases_by_opening;
             DROP TABLE staff_second_factors; DROP TABLE staff_recovery_codes;
             DROP TABLE staff_pending_sign_ins; ALTER TABLE customers DROP COLUMN time_zone;
             ALTER TABLE customers DROP COLUMN language;
             DROP TABLE suspended_mail; DROP TABLE junk_tokens; DROP TABLE junk_taught; DROP TABLE calls; DROP TABLE twilio_callbacks;",
        )
        .unwrap();
        for column in [
            "intake_owner",
            "solved_at",
            "solved_by",
            "road",
            "escalated",
        ] {
            conn.execute_batch(&format!("ALTER TABLE cases DROP COLUMN {column}"))
                .unwrap();
        }
        conn.pragma_update(None, "user_version", 8).unwrap();
    }
    let store = SqliteStore::open(SqliteOptions::new(&path)).unwrap();
    let after = store.case_outcomes().await.unwrap();
    assert_eq!(after, before, "the migration fills in what the events say");
}
