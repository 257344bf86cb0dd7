//! The `roadone` command line, run as a user would run it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_roadone");

fn roadone(data: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .output()
        .expect("run roadone")
}

fn ok(data: &Path, args: &[&str]) -> String {
    let out = roadone(data, args);
    assert!(
        out.status.success(),
        "roadone {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn users_tokens_migrate_and_backup() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let all = roadone_sqlite::migrations::latest_version();
    let first = ok(&data, &["migrate"]);
    assert!(
        first.contains(&format!("{all} migration(s) applied")),
        "a new store gets every migration: {first}"
    );
    assert!(
        ok(&data, &["migrate"]).contains("0 migration(s) applied"),
        "migrations run once"
    );

    ok(
        &data,
        &[
            "user",
            "add",
            "--name",
            "Cora Chief",
            "--email",
            "cora@example.com",
            "--role",
            "executive",
        ],
    );
    let added = ok(
        &data,
        &[
            "user",
            "add",
            "--name",
            "Finn Front",
            "--email",
            "finn@example.com",
            "--role",
            "frontline",
            "--reports-to",
            "cora@example.com",
        ],
    );
    assert!(added.contains("finn@example.com"));
    // Two-step sign-in turned off on the shell (an administrator's lost phone): says
    // when there was none, and names an unknown email.
    let off = ok(
        &data,
        &["user", "two-step-off", "--email", "finn@example.com"],
    );
    assert!(
        off.contains("finn@example.com had no two-step sign-in"),
        "{off}"
    );
    let nobody = roadone(
        &data,
        &["user", "two-step-off", "--email", "nobody@example.com"],
    );
    assert!(!nobody.status.success());
    assert!(
        String::from_utf8_lossy(&nobody.stderr).contains("nobody has the email nobody@example.com"),
        "{}",
        String::from_utf8_lossy(&nobody.stderr)
    );

    // Bad input is refused with a message naming the problem, and changes nothing.
    let dup = roadone(
        &data,
        &[
            "user",
            "add",
            "--name",
            "Again",
            "--email",
            "FINN@example.com",
            "--role",
            "staff",
        ],
    );
    assert!(!dup.status.success());
    assert!(
        String::from_utf8_lossy(&dup.stderr).contains("email"),
        "{}",
        String::from_utf8_lossy(&dup.stderr)
    );
    // The same check as the API's: a space is a typing mistake, not an address.
    let spaced = roadone(
        &data,
        &[
            "user", "add", "--name", "Xavier", "--email", "x y", "--role", "staff",
        ],
    );
    assert!(!spaced.status.success());
    assert!(
        String::from_utf8_lossy(&spaced.stderr)
            .contains("--email: \"x y\" is not an email address"),
        "{}",
        String::from_utf8_lossy(&spaced.stderr)
    );
    assert!(!roadone(&data, &["token", "issue", "--email", "x y"])
        .status
        .success());
    let role = roadone(
        &data,
        &[
            "user",
            "add",
            "--name",
            "X",
            "--email",
            "x@example.com",
            "--role",
            "boss",
        ],
    );
    assert!(!role.status.success());
    assert!(String::from_utf8_lossy(&role.stderr).contains("unknown role"));
    let boss = roadone(
        &data,
        &[
            "user",
            "add",
            "--name",
            "Y",
            "--email",
            "y@example.com",
            "--role",
            "staff",
            "--reports-to",
            "nobody@example.com",
        ],
    );
    assert!(!boss.status.success());
    assert!(String::from_utf8_lossy(&boss.stderr).contains("--reports-to"));
    let nobody = roadone(&data, &["token", "issue", "--email", "nobody@example.com"]);
    assert!(!nobody.status.success());

    // The token is printed alone, and two issues give two different tokens.
    let t1 = ok(&data, &["token", "issue", "--email", "finn@example.com"]);
    let t2 = ok(&data, &["token", "issue", "--email", "finn@example.com"]);
    assert_eq!(t1.lines().count(), 1);
    assert!(t1.trim().len() >= 40 && !t1.trim().contains(' '));
    assert_ne!(t1, t2);

    let backup = dir.path().join("copy.db");
    ok(&data, &["backup", backup.to_str().unwrap()]);
    assert!(backup.exists());
    // The copy is a working data directory of its own.
    let restored = dir.path().join("restored");
    std::fs::create_dir_all(&restored).unwrap();
    std::fs::copy(&backup, restored.join("roadone.db")).unwrap();
    let t3 = ok(
        &restored,
        &["token", "issue", "--email", "cora@example.com"],
    );
    assert!(!t3.trim().is_empty());
    // A backup never overwrites a file.
    let again = roadone(&data, &["backup", backup.to_str().unwrap()]);
    assert!(!again.status.success());
}

#[test]
fn bad_durations_are_refused_with_the_flag_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = roadone(
        dir.path(),
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--escalate-after",
            "soon",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--escalate-after") && err.contains("soon"),
        "{err}"
    );
}

#[test]
fn first_serve_creates_an_admin_and_prints_a_working_token() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut token = None;
    let started = Instant::now();
    let mut seen = String::new();
    while started.elapsed() < Duration::from_secs(30) {
        let Some(Ok(line)) = lines.next() else { break };
        seen.push_str(&line);
        seen.push('\n');
        if line.contains("shown once") {
            token = lines
                .next()
                .and_then(Result::ok)
                .map(|t| t.trim().to_string());
        }
        if line.contains("serving on") {
            break;
        }
    }
    let token = token.unwrap_or_else(|| panic!("no admin token printed:\n{seen}"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = rt.block_on(async {
        reqwest::Client::new()
            .get(format!("http://127.0.0.1:{port}/api/v1/people"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);
    child.kill().unwrap();
    child.wait().unwrap();

    // The second start finds the admin and prints no new secret.
    let mut again = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(again.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.contains("serving on"), "{first}");
    // SIGTERM, as a service manager sends it, stops the server cleanly.
    let term = Command::new("kill")
        .args(["-TERM", &again.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let started = Instant::now();
    loop {
        if let Some(status) = again.try_wait().unwrap() {
            assert!(
                status.success(),
                "a graceful stop exits with 0, got {status}"
            );
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the server did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
