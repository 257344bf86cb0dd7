//! The shape the code promises (docs/design.md §5), checked against the source itself:
//! only the services reach the store, the server knows no particular backend, and no
//! source file grows past what a reader can hold.

use std::path::{Path, PathBuf};

/// The services: each owns one concept and is the only code that reads or writes it.
/// Handlers, pages, mail intake, the CLI and the demo call their methods.
const SERVICES: &[&str] = &[
    "accounts.rs",
    "calls/about.rs",
    "calls/intake.rs",
    "calls/twilio.rs",
    "calls/missed.rs",
    "calls/lines.rs",
    "app.rs",
    "canned_replies.rs",
    "cases.rs",
    "categories.rs",
    "customers.rs",
    "directory.rs",
    "experiments/input.rs",
    "experiments/mod.rs",
    "experiments/routing.rs",
    "health.rs",
    "junk_mail.rs",
    "languages.rs",
    "metrics.rs",
    "orders.rs",
    "people.rs",
    "saved_views.rs",
    "scheduler.rs",
    "second_factor.rs",
    "service.rs",
    "sessions.rs",
    "settings.rs",
    "time_zones.rs",
    "mail/inbound_limits.rs",
    "mail/sender.rs",
    "reports/calls.rs",
    "reports/customer_math.rs",
    "reports/delight.rs",
    "reports/experiment.rs",
    "reports/roads.rs",
    "reports/trail.rs",
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

/// The code of a file without its comments and its tests (a unit test may stage what it
/// checks through the store itself): `*_tests.rs` files and whatever follows `#[cfg(test)]`.
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    if path.to_string_lossy().ends_with("_tests.rs") {
        return Vec::new();
    }
    let text = std::fs::read_to_string(path).expect("readable source");
    let lines: Vec<&str> = text.lines().collect();
    // A test module written in place (`#[cfg(test)]` then `mod tests {`) ends the code.
    let tests_start = lines
        .windows(2)
        .position(|w| w[0].trim() == "#[cfg(test)]" && w[1].trim_end().ends_with('{'))
        .unwrap_or(lines.len());
    lines[..tests_start]
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(i, l)| (i + 1, l.to_string()))
        .collect()
}

/// `.store` as a field access (`state.store`, `self.store`, or `.store` on its own line
/// after a line break), never `.store_files(` or `.stored`.
fn touches_store(line: &str) -> bool {
    line.match_indices(".store").any(|(i, _)| {
        let after = line[i + ".store".len()..].chars().next();
        !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

#[test]
fn only_the_services_reach_the_store() {
    let server = workspace().join("crates/server/src");
    for service in SERVICES {
        assert!(
            server.join(service).is_file(),
            "{service} is listed as a service but does not exist"
        );
    }
    let mut files = Vec::new();
    rust_files(&server, &mut files);
    rust_files(&workspace().join("crates/roadone/src"), &mut files);
    let mut outside = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&server).ok();
        let is_service = relative
            .and_then(|r| r.to_str())
            .is_some_and(|r| SERVICES.contains(&r));
        if is_service {
            continue;
        }
        for (n, line) in code_lines(file) {
            if touches_store(&line) {
                outside.push(format!("{}:{n}: {}", file.display(), line.trim()));
            }
        }
    }
    assert!(
        outside.is_empty(),
        "code outside the services reaches the store; call a service instead:\n{}",
        outside.join("\n")
    );
}

#[test]
fn the_check_sees_a_store_access() {
    assert!(touches_store("    let x = state.store.people().await?;"));
    assert!(touches_store("        .store"));
    assert!(!touches_store("state.store_files(files)"));
    assert!(!touches_store("let stored = state.load_case(id)"));
}

#[test]
fn the_server_knows_no_particular_store() {
    let manifest = std::fs::read_to_string(workspace().join("crates/server/Cargo.toml"))
        .expect("the server's manifest");
    let dependencies = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .expect("a [dependencies] table");
    assert!(
        !dependencies.contains("roadone-sqlite"),
        "the server crate depends on the SQLite store; the binary chooses the backend"
    );
    let mut files = Vec::new();
    rust_files(&workspace().join("crates/server/src"), &mut files);
    for file in files {
        for (n, line) in code_lines(&file) {
            assert!(
                !line.contains("roadone_sqlite"),
                "{}:{n} names the SQLite backend",
                file.display()
            );
        }
    }
}

#[test]
fn no_source_file_is_longer_than_a_reader_can_hold() {
    let mut files = Vec::new();
    for krate in std::fs::read_dir(workspace().join("crates")).expect("crates/") {
        let src = krate.expect("a crate").path().join("src");
        if src.is_dir() {
            rust_files(&src, &mut files);
        }
    }
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f).expect("source").lines().count();
            (lines > 620).then(|| format!("{}: {lines} lines", f.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "split these by concern:\n{}",
        long.join("\n")
    );
}
