//! What the tests of the real `roadone` binary share: running its commands, a free
//! port, waiting for a server, the people and category every story starts with.

// Each test binary uses a different part of it.
#![allow(dead_code)]

use serde_json::json;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_roadone");

/// Runs `roadone --data-dir DATA ARGS…`, which must succeed; returns its standard output.
pub fn roadone(data: &Path, args: &[&str]) -> String {
    let out = run(data, args);
    assert!(out.ok, "roadone {args:?}: {}", out.stderr);
    out.stdout.trim().to_string()
}

/// What a command did, success or not, as a user sees it.
pub struct Run {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `roadone --data-dir DATA ARGS…`, which may fail.
pub fn run(data: &Path, args: &[&str]) -> Run {
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .output()
        .expect("run roadone");
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits (at most 30 s) until the server at `base` answers `/healthz`.
pub async fn wait_ready(client: &reqwest::Client, base: &str) {
    let started = Instant::now();
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server at {base} did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The API tokens of the people [`people`] adds.
pub struct Tokens {
    pub admin: String,
    pub front: String,
}

/// Adds an admin, an executive (person 2) and a frontline person reporting to them,
/// each `…@domain`; returns the admin's and the frontline person's tokens.
pub fn people(data: &Path, domain: &str) -> Tokens {
    let email = |who: &str| format!("{who}@{domain}");
    for (name, who, role) in [
        ("Ann Admin", "admin", "admin"),
        ("Eve Exec", "exec", "executive"),
    ] {
        roadone(
            data,
            &[
                "user",
                "add",
                "--name",
                name,
                "--email",
                &email(who),
                "--role",
                role,
            ],
        );
    }
    roadone(
        data,
        &[
            "user",
            "add",
            "--name",
            "Fred Front",
            "--email",
            &email("front"),
            "--role",
            "frontline",
            "--reports-to",
            &email("exec"),
        ],
    );
    Tokens {
        admin: roadone(data, &["token", "issue", "--email", &email("admin")]),
        front: roadone(data, &["token", "issue", "--email", &email("front")]),
    }
}

/// Adds the category `billing` (no checklist; the executive is its manager).
pub async fn billing(client: &reqwest::Client, base: &str, admin: &str) {
    let r = client
        .post(format!("{base}/api/v1/categories"))
        .bearer_auth(admin)
        .json(&json!({"key": "billing", "name": "Billing", "checklist": [], "manager": 2, "executive": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "adding the billing category");
}

/// Whether the SMTP server the mail tests deliver to is installed; says so loudly
/// when not, and refuses to skip under `ROADONE_TEST_REQUIRE_ALL=1`.
pub fn aiosmtpd_available() -> bool {
    let ok = Command::new("/usr/bin/python3")
        .args(["-c", "import aiosmtpd"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        let message = "aiosmtpd is not installed (apt-get install python3-aiosmtpd): SKIPPING the delivery test";
        if std::env::var("ROADONE_TEST_REQUIRE_ALL").as_deref() == Ok("1") {
            panic!("{message}, but ROADONE_TEST_REQUIRE_ALL=1");
        }
        eprintln!("\n!!!!!!!! {message} !!!!!!!!\n");
    }
    ok
}
