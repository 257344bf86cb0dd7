//! `roadone import orders FILE.csv` and `roadone report customer-math`, run as a user
//! would run them: good rows stored, bad rows named by their line and skipped, importing
//! again adds nothing, a header without a column is refused, the report prints.

use crate::common::{run, Run};
use std::path::{Path, PathBuf};

fn import(data: &Path, file: &Path) -> Run {
    run(data, &["import", "orders", file.to_str().unwrap()])
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write the CSV file");
    path
}

/// Line 1 is the header; lines 3, 5, 6 and 8 are bad.
const ORDERS: &str = "\
order_id,customer,ordered_at,amount,currency
A-1,ann@example.com,2025-02-25,10.00,EUR
A-2,ann@example.com,2025-02-26,1.234,EUR
A-3,C-7,2025-03-05T10:00:00Z,20,eur
A-4,C-7,2025-02-30,5.00,EUR
A-5,,2025-03-01,5.00,EUR
A-6, zed@example.com ,2025-03-02,-3.99,EUR
A-7,ann@example.com
";

fn summary(added: u64, known: u64, conflicting: u64, bad: u64) -> String {
    format!(
        "{added} added, {known} already known, {conflicting} conflicting (kept as stored), {bad} bad rows skipped"
    )
}

#[test]
fn good_rows_are_stored_bad_rows_named_by_line_and_a_second_import_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = write(dir.path(), "orders.csv", ORDERS);

    let first = import(&data, &file);
    assert!(first.ok, "the import succeeds: {}", first.stderr);
    assert!(
        first.stdout.contains(&summary(3, 0, 0, 4)),
        "stdout: {}",
        first.stdout
    );
    assert!(first.stdout.contains("orders.csv"), "{}", first.stdout);
    for (line, field) in [
        (3, "amount"),
        (5, "ordered_at"),
        (6, "customer"),
        (8, "ordered_at"),
    ] {
        let said = format!("line {line}: {field}: ");
        let row = first
            .stderr
            .lines()
            .find(|l| l.contains(&said))
            .unwrap_or_else(|| panic!("{said:?} in stderr: {}", first.stderr));
        assert!(row.ends_with("; skipped"), "{row}");
    }
    assert!(first.stderr.contains("\"1.234\""), "{}", first.stderr);
    assert!(first.stderr.contains("\"2025-02-30\""), "{}", first.stderr);
    for good in [2, 4, 7] {
        assert!(
            !first.stderr.contains(&format!("line {good}:")),
            "line {good} is good: {}",
            first.stderr
        );
    }

    let again = import(&data, &file);
    assert!(again.ok, "{}", again.stderr);
    assert!(
        again.stdout.contains(&summary(0, 3, 0, 4)),
        "importing again adds nothing: {}",
        again.stdout
    );

    // A1 with another amount conflicts and is kept as stored; A-8 is new. The columns may
    // come in any order, in any case, with others beside them.
    let more = write(
        dir.path(),
        "more.csv",
        "Currency,Amount,Note,Ordered_At,Customer,ORDER_ID\n\
         EUR,11.00,a typo,2025-02-25,ann@example.com,A-1\n\
         EUR,7.50,,2025-03-06,C-7,A-8\n\
         eur,20,,2025-03-05T10:00:00Z,C-7,A-3\n",
    );
    let mixed = import(&data, &more);
    assert!(mixed.ok, "{}", mixed.stderr);
    assert!(
        mixed.stdout.contains(&summary(1, 1, 1, 0)),
        "{}",
        mixed.stdout
    );
    assert!(
        mixed
            .stderr
            .contains("line 2: order A-1 is already stored with other details; kept as stored"),
        "{}",
        mixed.stderr
    );
    // The stored A-1 is the first one: the original line is still known.
    let original = write(
        dir.path(),
        "original.csv",
        "order_id,customer,ordered_at,amount,currency\nA-1,ann@example.com,2025-02-25,10.00,EUR\n",
    );
    let known = import(&data, &original);
    assert!(
        known.stdout.contains(&summary(0, 1, 0, 0)),
        "{}",
        known.stdout
    );

    // The report reads them: JSON with the currency and the window.
    let report = run(&data, &["report", "customer-math", "--format", "json"]);
    assert!(report.ok, "{}", report.stderr);
    let json: serde_json::Value = serde_json::from_str(&report.stdout)
        .unwrap_or_else(|e| panic!("the report is JSON ({e}): {}", report.stdout));
    assert_eq!(json["currency"], "EUR", "{json}");
    assert_eq!(json["other_currencies"], serde_json::json!([]));
    assert_eq!(json["window_days"], 90, "the sales_window rule's default");
    assert_eq!(json["cases_compared"], 0);
    assert_eq!(
        json["baseline_customers"], 3,
        "ann, C-7 and zed have orders"
    );

    let week = run(
        &data,
        &[
            "report",
            "customer-math",
            "--format",
            "json",
            "--window-days",
            "7",
        ],
    );
    assert!(week.ok, "{}", week.stderr);
    let week: serde_json::Value = serde_json::from_str(&week.stdout).unwrap();
    assert_eq!(week["window_days"], 7);

    let csv = run(&data, &["report", "customer-math", "--format", "csv"]);
    assert!(csv.ok, "{}", csv.stderr);
    assert!(
        csv.stdout
            .starts_with("grouping,key,name,n,customers,before,after,expected_after,raw_lift"),
        "{}",
        csv.stdout
    );
    assert!(csv.stdout.contains("\noverall,all,,0,0,"), "{}", csv.stdout);

    let table = run(&data, &["report", "customer-math"]);
    assert!(table.ok, "{}", table.stderr);
    assert!(
        table
            .stdout
            .contains("Customer math, EUR, 90 days before and after: 0 cases compared"),
        "{}",
        table.stdout
    );

    for (args, named) in [
        (vec!["--window-days", "0"], "window_days"),
        (vec!["--window-days", "1000"], "window_days"),
        (vec!["--currency", "GBP"], "GBP"),
        (vec!["--currency", "EURO"], "currency"),
        (vec!["--format", "xml"], "--format"),
    ] {
        let mut all = vec!["report", "customer-math"];
        all.extend(&args);
        let r = run(&data, &all);
        assert!(!r.ok, "{args:?} is refused: {}", r.stdout);
        assert!(r.stderr.contains(named), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn a_header_without_a_column_is_refused_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let rows = "A-1,ann@example.com,2025-02-25,10.00\nA-2,ann@example.com,2025-02-26,12.00\n";
    let file = write(
        dir.path(),
        "short.csv",
        &format!("order_id,customer,ordered_at,amount\n{rows}"),
    );
    let r = import(&data, &file);
    assert!(!r.ok, "a missing column fails: {}", r.stdout);
    assert!(
        r.stderr.contains(
            "the header must name the columns order_id, customer, ordered_at, amount, currency"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("(it has order_id, customer, ordered_at, amount)"),
        "{}",
        r.stderr
    );
    assert!(!r.stdout.contains("added"), "{}", r.stdout);

    // Nothing was stored: the same orders, with their currency, are all new.
    let full = write(
        dir.path(),
        "full.csv",
        "order_id,customer,ordered_at,amount,currency\n\
         A-1,ann@example.com,2025-02-25,10.00,EUR\n\
         A-2,ann@example.com,2025-02-26,12.00,EUR\n",
    );
    let r = import(&data, &full);
    assert!(r.ok, "{}", r.stderr);
    assert!(r.stdout.contains(&summary(2, 0, 0, 0)), "{}", r.stdout);
}

#[test]
fn a_file_with_no_good_row_or_no_file_fails() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = write(
        dir.path(),
        "bad.csv",
        "order_id,customer,ordered_at,amount,currency\nA-1,ann@example.com,soon,10.00,EUR\n",
    );
    let r = import(&data, &file);
    assert!(!r.ok, "{}", r.stdout);
    assert!(r.stderr.contains("line 2: ordered_at: "), "{}", r.stderr);
    assert!(r.stdout.contains(&summary(0, 0, 0, 1)), "{}", r.stdout);

    let missing = dir.path().join("missing.csv");
    let r = import(&data, &missing);
    assert!(!r.ok);
    assert!(r.stderr.contains("missing.csv"), "{}", r.stderr);
}

#[test]
fn blank_lines_do_not_shift_the_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = write(
        dir.path(),
        "gaps.csv",
        "order_id,customer,ordered_at,amount,currency\n\
         A-1,ann@example.com,2025-02-25,10.00,EUR\n\
         \n\
         A-2,ann@example.com,2025-02-26,1.234,EUR\n",
    );
    let r = import(&data, &file);
    assert!(r.ok, "{}", r.stderr);
    assert!(r.stdout.contains(&summary(1, 0, 0, 1)), "{}", r.stdout);
    assert!(
        r.stderr.contains("line 4: amount: "),
        "the bad row is on line 4: {}",
        r.stderr
    );
}

#[test]
fn the_report_with_no_orders_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let r = run(&data, &["report", "customer-math"]);
    assert!(r.ok, "{}", r.stderr);
    assert!(r.stdout.contains("No orders yet"), "{}", r.stdout);
    let r = run(&data, &["report", "customer-math", "--format", "json"]);
    assert!(r.ok, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(json["currency"].is_null(), "{json}");
}
