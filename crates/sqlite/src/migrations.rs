//! Schema migrations, embedded in the binary and applied in order at start.
//! `PRAGMA user_version` records how many have run.

use rusqlite::Connection;

const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_initial",
        include_str!("../migrations/0001_initial.sql"),
    ),
    (
        "0002_customer_access",
        include_str!("../migrations/0002_customer_access.sql"),
    ),
    (
        "0003_outbox_by_case",
        include_str!("../migrations/0003_outbox_by_case.sql"),
    ),
    (
        "0004_staff_sign_in",
        include_str!("../migrations/0004_staff_sign_in.sql"),
    ),
    (
        "0005_events_by_kind",
        include_str!("../migrations/0005_events_by_kind.sql"),
    ),
    (
        "0006_case_search",
        include_str!("../migrations/0006_case_search.sql"),
    ),
    (
        "0007_settings_and_customer_lookup",
        include_str!("../migrations/0007_settings_and_customer_lookup.sql"),
    ),
    ("0008_orders", include_str!("../migrations/0008_orders.sql")),
    (
        "0009_case_outcomes",
        include_str!("../migrations/0009_case_outcomes.sql"),
    ),
    (
        "0010_instances_and_inbound",
        include_str!("../migrations/0010_instances_and_inbound.sql"),
    ),
    (
        "0011_search_queue",
        include_str!("../migrations/0011_search_queue.sql"),
    ),
    (
        "0012_directory_version",
        include_str!("../migrations/0012_directory_version.sql"),
    ),
    (
        "0013_password_links",
        include_str!("../migrations/0013_password_links.sql"),
    ),
    (
        "0014_customer_lookup",
        include_str!("../migrations/0014_customer_lookup.sql"),
    ),
    (
        "0015_orders_by_customer",
        include_str!("../migrations/0015_orders_by_customer.sql"),
    ),
    (
        "0016_case_views",
        include_str!("../migrations/0016_case_views.sql"),
    ),
    (
        "0017_saved_views",
        include_str!("../migrations/0017_saved_views.sql"),
    ),
    (
        "0018_canned_replies",
        include_str!("../migrations/0018_canned_replies.sql"),
    ),
    (
        "0019_customer_merges",
        include_str!("../migrations/0019_customer_merges.sql"),
    ),
    (
        "0020_cases_by_opening",
        include_str!("../migrations/0020_cases_by_opening.sql"),
    ),
    (
        "0021_second_factor",
        include_str!("../migrations/0021_second_factor.sql"),
    ),
    (
        "0022_time_zones",
        include_str!("../migrations/0022_time_zones.sql"),
    ),
    (
        "0023_view_indexes",
        include_str!("../migrations/0023_view_indexes.sql"),
    ),
    (
        "0024_customer_languages",
        include_str!("../migrations/0024_customer_languages.sql"),
    ),
    (
        "0025_junk_mail",
        include_str!("../migrations/0025_junk_mail.sql"),
    ),
    ("0026_calls", include_str!("../migrations/0026_calls.sql")),
    (
        "0027_call_cases",
        include_str!("../migrations/0027_call_cases.sql"),
    ),
    (
        "0028_twilio_callbacks",
        include_str!("../migrations/0028_twilio_callbacks.sql"),
    ),
    (
        "0029_calls_in_arrival_order",
        include_str!("../migrations/0029_calls_in_arrival_order.sql"),
    ),
    (
        "0030_phone_lines",
        include_str!("../migrations/0030_phone_lines.sql"),
    ),
    (
        "0031_call_rings_and_recordings",
        include_str!("../migrations/0031_call_rings_and_recordings.sql"),
    ),
    (
        "0032_experiments",
        include_str!("../migrations/0032_experiments.sql"),
    ),
];

/// What a migration needs beyond SQL, run in its transaction right after it.
fn after(name: &str, tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    if name == "0014_customer_lookup" {
        // SQLite cannot reverse a string; the key is the domain's, so it is made there.
        let phones: Vec<(i64, String)> = tx
            .prepare("SELECT id, phone FROM customers WHERE phone IS NOT NULL")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut update = tx.prepare("UPDATE customers SET phone_key = ? WHERE id = ?")?;
        for (id, phone) in phones {
            update.execute(rusqlite::params![roadone_domain::phone::key(&phone), id])?;
        }
    }
    Ok(())
}

/// Applies every migration not yet applied; returns how many ran.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<usize> {
    let current: usize =
        conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    let mut ran = 0;
    for (index, (name, sql)) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        after(name, &tx)?;
        tx.pragma_update(None, "user_version", (index + 1) as i64)?;
        tx.commit()?;
        ran += 1;
    }
    Ok(ran)
}

pub fn latest_version() -> usize {
    MIGRATIONS.len()
}
