//! `roadone import cdr FILE`, run as a user would: an Asterisk Master.csv in the sample
//! configuration's 18 columns, imported twice (the second adds nothing), a broken row
//! named by its line, and what it refuses (no time zone, an unknown layout, 17 columns).

use crate::common::run;

/// Two answered calls, one missed (the answer field empty, unquoted), and a cut row.
const MASTER: &str = r#""","+447700900123","2000","from-pstn","""Ada Caller"" <+447700900123>","SIP/trunk-00000001","SIP/2000-0000000a","Dial","SIP/2000,30","2024-07-15 10:00:00","2024-07-15 10:00:04","2024-07-15 10:05:04",304,300,"ANSWERED","DOCUMENTATION","1721034000.1",""
"","+447700900456","2000","from-pstn","","SIP/trunk-00000002","","Dial","SIP/2000,30","2024-07-15 10:10:00",,"2024-07-15 10:10:20",20,0,"NO ANSWER","DOCUMENTATION","1721034600.2",""
"","2001","2000","from-internal","","SIP/2001-00000003","SIP/2000-0000000b","Dial","SIP/2000,30","2024-07-15 11:00:00","2024-07-15 11:00:02","2024-07-15 11:01:02",62,60,"ANSWERED","DOCUMENTATION","1721037600.3",""
"","+447700900789","2000","from-pstn"
"#;

#[test]
fn an_asterisk_file_is_imported_once_and_its_broken_row_named() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("Master.csv");
    std::fs::write(&file, MASTER).unwrap();
    let path = file.to_str().unwrap();
    let first = run(
        &data,
        &["import", "cdr", path, "--timezone", "Europe/London"],
    );
    assert!(first.ok, "{}", first.stderr);
    assert!(
        first.stdout.contains("3 calls (asterisk): 3 added, 0 already known, 0 conflicting (kept as stored), 1 bad rows skipped"),
        "{}",
        first.stdout
    );
    assert!(
        first
            .stderr
            .contains("line 4: 4 columns, the layout has 18; skipped"),
        "{}",
        first.stderr
    );
    let again = run(
        &data,
        &[
            "import",
            "cdr",
            path,
            "--timezone",
            "Europe/London",
            "--format",
            "asterisk",
        ],
    );
    assert!(again.ok, "{}", again.stderr);
    assert!(
        again.stdout.contains("0 added, 3 already known"),
        "importing again adds nothing: {}",
        again.stdout
    );
    // The report over them: the extension's call out is not offered; one of the two
    // offered was answered, after 4 s (one ring); the other rang 20 s unanswered.
    let report = run(&data, &["report", "calls", "--month", "2024-07"]);
    assert!(report.ok, "{}", report.stderr);
    assert!(
        report
            .stdout
            .contains("2 offered, 1 answered; in one ring (≤ 6 s) 50.0%"),
        "{}",
        report.stdout
    );
    assert!(
        report.stdout.contains("abandoned 1 (waited p50 20 s"),
        "{}",
        report.stdout
    );
    let bad = run(&data, &["report", "calls", "--month", "July"]);
    assert!(!bad.ok);
    assert!(bad.stderr.contains("--month"), "{}", bad.stderr);
}

#[test]
fn what_cannot_be_read_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("Master.csv");
    std::fs::write(&file, MASTER).unwrap();
    let path = file.to_str().unwrap();
    let no_zone = run(&data, &["import", "cdr", path]);
    assert!(!no_zone.ok);
    assert!(no_zone.stderr.contains("--timezone"), "{}", no_zone.stderr);
    let bad_zone = run(
        &data,
        &["import", "cdr", path, "--timezone", "Mars/Olympus"],
    );
    assert!(!bad_zone.ok);
    assert!(
        bad_zone.stderr.contains("Mars/Olympus"),
        "{}",
        bad_zone.stderr
    );
    let bad_format = run(
        &data,
        &[
            "import",
            "cdr",
            path,
            "--timezone",
            "UTC",
            "--format",
            "cisco",
        ],
    );
    assert!(!bad_format.ok);
    assert!(
        bad_format.stderr.contains("--format"),
        "{}",
        bad_format.stderr
    );

    let seventeen = dir.path().join("seventeen.csv");
    let row = MASTER.lines().next().unwrap();
    let cut = &row[..row.rfind(",\"\"").unwrap()];
    std::fs::write(&seventeen, format!("{cut}\n")).unwrap();
    let r = run(
        &data,
        &[
            "import",
            "cdr",
            seventeen.to_str().unwrap(),
            "--timezone",
            "UTC",
        ],
    );
    assert!(!r.ok);
    assert!(r.stderr.contains("17 columns"), "{}", r.stderr);

    let nothing = dir.path().join("junk.csv");
    std::fs::write(&nothing, "\"\",\"a\"\n").unwrap();
    let r = run(
        &data,
        &[
            "import",
            "cdr",
            nothing.to_str().unwrap(),
            "--timezone",
            "UTC",
        ],
    );
    assert!(!r.ok);
    assert!(
        r.stderr.contains("2 columns is not an Asterisk"),
        "{}",
        r.stderr
    );
}
