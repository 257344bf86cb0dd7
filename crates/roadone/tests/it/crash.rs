//! Kill -9 the real server during concurrent intake, restart it, and check that every case
//! that was acknowledged with a 201 is there with all its events.

use crate::common;

use common::{billing, free_port, people, wait_ready, Tokens, BIN};
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn serve(data: &Path, port: u16) -> Child {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start roadone serve")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_case_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let Tokens { admin, front } = people(data, "crash.test");

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut server = serve(data, port);
    wait_ready(&client, &base).await;
    billing(&client, &base, &admin).await;

    // 16 clients open cases as fast as they can; each remembers what got a 201.
    let acknowledged = Arc::new(Mutex::new(Vec::<(i64, String)>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut clients = Vec::new();
    for c in 0..16 {
        let (client, base, front, acknowledged, stop) = (
            client.clone(),
            base.clone(),
            front.clone(),
            acknowledged.clone(),
            stop.clone(),
        );
        clients.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                let subject = format!("client {c} case {n}");
                let sent = client
                    .post(format!("{base}/api/v1/cases"))
                    .bearer_auth(&front)
                    .json(&json!({"customer": {"email": format!("c{c}@crash.test")}, "category": "billing", "subject": subject}))
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status() == 201 => {
                        let body: Value = r.json().await.unwrap_or(Value::Null);
                        if let Some(id) = body["id"].as_i64() {
                            acknowledged.lock().unwrap().push((id, subject));
                        }
                    }
                    // Refused or cut off by the kill: not acknowledged, so nothing is promised.
                    _ => {}
                }
            }
        }));
    }
    // Let intake run, then kill the server in the middle of it.
    while acknowledged.lock().unwrap().len() < 300 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill().expect("kill -9 the server");
    server.wait().unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 300);

    let mut server = serve(data, port);
    wait_ready(&client, &base).await;
    for (id, subject) in &acknowledged {
        let r = client
            .get(format!("{base}/api/v1/cases/{id}"))
            .bearer_auth(&front)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            200,
            "acknowledged case {id} is missing after the crash"
        );
        let case: Value = r.json().await.unwrap();
        assert_eq!(case["subject"], subject.as_str());
        let events = case["events"].as_array().unwrap();
        assert_eq!(
            events.len(),
            1,
            "case {id} should have exactly its opened event"
        );
        assert_eq!(events[0]["kind"], "opened");
        assert_eq!(events[0]["seq"], 1);
    }
    // The server still takes new cases after the restart.
    let r = client
        .post(format!("{base}/api/v1/cases"))
        .bearer_auth(&front)
        .json(&json!({"customer": {"email": "after@crash.test"}, "category": "billing", "subject": "after the crash"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    server.kill().unwrap();
    server.wait().unwrap();
}
