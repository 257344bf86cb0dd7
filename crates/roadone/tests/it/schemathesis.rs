//! The OpenAPI document declares what the server does: schemathesis (from PyPI) generates
//! requests from it against the real server and checks every answer — no server error, and
//! every status, content type and body as documented. A short, bounded run; `.ci/run`
//! installs schemathesis and points `ROADONE_SCHEMATHESIS` at it.

use crate::common;

use common::{billing, free_port, people, wait_ready, BIN};
use std::process::{Command, Stdio};
use std::time::Duration;

fn schemathesis() -> Option<String> {
    let candidate = std::env::var("ROADONE_SCHEMATHESIS").unwrap_or_else(|_| "schemathesis".into());
    let found = Command::new(&candidate)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return Some(candidate);
    }
    let message = "schemathesis is not installed (pip install schemathesis, or set ROADONE_SCHEMATHESIS): SKIPPING the OpenAPI check";
    if std::env::var("ROADONE_TEST_REQUIRE_ALL").as_deref() == Ok("1") {
        panic!("{message}, but ROADONE_TEST_REQUIRE_ALL=1");
    }
    eprintln!("\n!!!!!!!! {message} !!!!!!!!\n");
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_is_what_the_openapi_document_says() {
    let Some(schemathesis) = schemathesis() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let tokens = people(&data, "schema.test");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = Command::new(BIN)
        .arg("--data-dir")
        .arg(&data)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    wait_ready(&client, &base).await;
    billing(&client, &base, &tokens.admin).await;
    // Operations that take away the run's own credentials are left out: deactivating the
    // admin or revoking the token would turn everything after into 401s. Inbound mail is
    // raw RFC 5322, which schemathesis cannot generate.
    let run = Command::new(&schemathesis)
        .arg("run")
        .arg(format!("{base}/api/openapi.json"))
        .args(["--url", &base])
        .args(["-H", &format!("Authorization: Bearer {}", tokens.admin)])
        .args([
            "-c",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
        ])
        .args(["-n", "30", "--phases", "examples,fuzzing", "--seed", "20261201"])
        .args(["--request-timeout", "10"])
        .args(["--exclude-path", "/api/v1/inbound/email"])
        .args(["--exclude-path", "/api/v1/people/{id}/deactivate"])
        .args(["--exclude-path", "/api/v1/tokens/{id}/revoke"])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let output = tokio::time::timeout(
        Duration::from_secs(600),
        tokio::task::spawn_blocking(move || run.wait_with_output()),
    )
    .await
    .expect("schemathesis finishes within 10 minutes")
    .unwrap()
    .unwrap();
    server.kill().unwrap();
    let _ = server.wait();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis found answers the document does not declare:\n{text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains("passed"), "{text}");
}
