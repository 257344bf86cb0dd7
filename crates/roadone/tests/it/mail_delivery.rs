//! The real server with a real SMTP relay (aiosmtpd): mail queued while the relay is down
//! survives a kill -9 and a restart, and goes out exactly once when the relay is back;
//! mail the killed server had claimed mid-send goes out within seconds of the restart.

use crate::common;

use common::{aiosmtpd_available, billing, free_port, people, wait_ready, Tokens, BIN};
use serde_json::json;
use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn serve(data: &Path, port: u16, relay: u16) -> Child {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--smtp-relay",
            &format!("smtp://127.0.0.1:{relay}"),
        ])
        .args(["--scheduler-interval", "200ms"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// aiosmtpd delivering into the maildir `dir`, on `port`.
fn sink(port: u16, dir: &Path) -> Child {
    Command::new("/usr/bin/python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Message-ID → how many times it arrived.
fn delivered(maildir: &Path) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    for sub in ["new", "cur"] {
        for entry in std::fs::read_dir(maildir.join(sub))
            .into_iter()
            .flatten()
            .flatten()
        {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let id = text
                .lines()
                .find_map(|l| {
                    l.strip_prefix("Message-ID:")
                        .or_else(|| l.strip_prefix("Message-Id:"))
                })
                .unwrap_or("?")
                .trim()
                .to_string();
            *seen.entry(id).or_insert(0) += 1;
        }
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_mail_survives_kill_9_and_goes_out_once_when_the_relay_is_back() {
    if !aiosmtpd_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let Tokens { admin, front } = people(&data, "mail.test");

    let (port, relay) = (free_port(), free_port());
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    // The relay is down from the start.
    let mut server = serve(&data, port, relay);
    wait_ready(&client, &base).await;
    billing(&client, &base, &admin).await;
    for n in 0..10 {
        let r = client
            .post(format!("{base}/api/v1/cases"))
            .bearer_auth(&front)
            .json(&json!({"customer": {"email": format!("c{n}@example.com")}, "category": "billing", "subject": format!("case {n}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    // Let the sender fail against the missing relay, then crash with the outbox full.
    tokio::time::sleep(Duration::from_millis(800)).await;
    server.kill().unwrap();
    server.wait().unwrap();

    let maildir = dir.path().join("maildir");
    let mut sink = sink(relay, &maildir);
    let mut server = serve(&data, port, relay);
    wait_ready(&client, &base).await;

    // Retries back off (15 s after the first failure), so allow a minute.
    let started = Instant::now();
    let seen = loop {
        let seen = delivered(&maildir);
        if seen.len() >= 10 || started.elapsed() > Duration::from_secs(60) {
            break seen;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    // A little longer, to catch any duplicate.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let seen_after = delivered(&maildir);
    server.kill().unwrap();
    server.wait().unwrap();
    sink.kill().unwrap();
    sink.wait().unwrap();
    assert_eq!(
        seen.len(),
        10,
        "every acknowledgment was delivered: {seen:?}"
    );
    assert_eq!(seen_after, seen, "nothing arrived twice");
    assert!(seen_after.values().all(|n| *n == 1), "{seen_after:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_claimed_by_a_killed_server_goes_out_within_seconds_of_the_restart() {
    if !aiosmtpd_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let Tokens { admin, front } = people(&data, "claims.test");
    // A relay that takes the connection and never says a word: the sender has claimed
    // the whole batch and waits on the first message when the server is killed.
    let hanging = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hanging_port = hanging.local_addr().unwrap().port();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut server = serve(&data, port, hanging_port);
    wait_ready(&client, &base).await;
    billing(&client, &base, &admin).await;
    for n in 0..10 {
        let r = client
            .post(format!("{base}/api/v1/cases"))
            .bearer_auth(&front)
            .json(&json!({"customer": {"email": format!("c{n}@example.com")}, "category": "billing", "subject": format!("case {n}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let started = Instant::now();
    while hanging.accept().is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the sender never connected"
        );
    }
    server.kill().unwrap();
    server.wait().unwrap();

    let (relay, maildir) = (free_port(), dir.path().join("maildir"));
    let mut sink = sink(relay, &maildir);
    tokio::time::sleep(Duration::from_millis(500)).await; // the sink's start
    let mut server = serve(&data, port, relay);
    wait_ready(&client, &base).await;
    let restarted = Instant::now();
    let seen = loop {
        let seen = delivered(&maildir);
        if seen.len() >= 10 || restarted.elapsed() > Duration::from_secs(30) {
            break seen;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let took = restarted.elapsed();
    let metrics = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    server.kill().unwrap();
    server.wait().unwrap();
    sink.kill().unwrap();
    sink.wait().unwrap();
    assert_eq!(
        seen.len(),
        10,
        "every acknowledgment was delivered: {seen:?}"
    );
    assert!(seen.values().all(|n| *n == 1), "{seen:?}");
    assert!(
        took < Duration::from_secs(5),
        "delivery resumed {took:?} after the restart; the lease alone would have held it 300 s"
    );
    // The sender may have claimed its rows in more than one go while the cases came in;
    // what it held when it was killed is counted, and nothing it did not hold.
    let released: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("roadone_mail_possible_duplicates_total "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no duplicate count in {metrics}"));
    assert!(
        (1..=10).contains(&released),
        "the released rows are counted ({released}): {metrics}"
    );
}
