//! Slow and greedy HTTP clients, bounded by the configured limits: a half-sent request is
//! cut off after the header timeout, a body that never finishes gets a 408, and held
//! connections beyond the cap wait instead of using up the server's descriptors.

use crate::common;

use common::TestApp;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn read_all(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut buf = Vec::new();
    match tokio::time::timeout(within, stream.read_to_end(&mut buf)).await {
        Ok(_) => Some(String::from_utf8_lossy(&buf).into_owned()),
        Err(_) => None,
    }
}

#[tokio::test]
async fn slowloris_a_half_sent_request_is_closed_after_the_header_timeout() {
    let app = TestApp::spawn_with(|c| c.http_header_timeout = Duration::from_secs(1)).await;
    let mut stream = TcpStream::connect(app.state.config().listen).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    let started = Instant::now();
    let answer = read_all(&mut stream, Duration::from_secs(10)).await;
    assert!(answer.is_some(), "the connection is closed by the server");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "closed after about a second"
    );
    // An idle kept-alive connection is closed the same way.
    let mut idle = TcpStream::connect(app.state.config().listen).await.unwrap();
    let answer = read_all(&mut idle, Duration::from_secs(10)).await;
    assert!(answer.is_some(), "an idle connection is closed too");
}

#[tokio::test]
async fn slowloris_a_body_that_never_finishes_gets_a_408() {
    let app = TestApp::spawn_with(|c| c.http_request_timeout = Duration::from_secs(1)).await;
    let org = app.org().await;
    let mut stream = TcpStream::connect(app.state.config().listen).await.unwrap();
    let head = format!(
        "POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"subject\": ",
        org.front1.token
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let answer = read_all(&mut stream, Duration::from_secs(10))
        .await
        .expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request_timeout"), "{answer}");
}

#[tokio::test]
async fn resource_exhaustion_connections_beyond_the_cap_wait_and_health_still_answers_after() {
    let app = TestApp::spawn_with(|c| {
        c.http_max_connections = 4;
        c.http_header_timeout = Duration::from_secs(2);
    })
    .await;
    let addr = app.state.config().listen;
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(TcpStream::connect(addr).await.unwrap());
    }
    // A fifth client is not served while four connections are held ...
    let blocked = tokio::time::timeout(
        Duration::from_millis(500),
        reqwest::get(format!("http://{addr}/healthz")),
    )
    .await;
    assert!(blocked.is_err(), "the fifth waits for a free slot");
    // ... and is served once the idle ones time out, without anyone restarting anything.
    let served = tokio::time::timeout(
        Duration::from_secs(10),
        reqwest::get(format!("http://{addr}/healthz")),
    )
    .await
    .expect("served within the header timeout")
    .unwrap();
    assert!(served.status().is_success());
    drop(held);
}

#[tokio::test]
async fn authorisation_a_deactivated_persons_token_downloads_no_file_at_once() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let id = app.open_case_id(&org.front1, "With a private note").await;
    let form = reqwest::multipart::Form::new()
        .text("body", "internal: the customer's passport scan")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec())
                .file_name("passport.pdf"),
        );
    let r = app
        .send(
            app.authed(
                reqwest::Method::POST,
                &format!("/api/v1/cases/{id}/notes"),
                &org.front2.token,
            )
            .multipart(form),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let events = app.events(id).await;
    let sha = events
        .iter()
        .find_map(|e| e["data"]["attachments"][0]["sha256"].as_str())
        .expect("the note's file")
        .to_string();
    let path = format!("/api/v1/cases/{id}/attachments/{sha}");
    let (status, _, _) = app.client_get_raw(&path, Some(&org.front2.token)).await;
    assert_eq!(status, 200, "staff read files of any case they can see");
    let r = app
        .post(
            &app.admin_token,
            &format!("/api/v1/people/{}/deactivate", org.front2.id),
            &serde_json::json!({}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    // The token is still in the cache; the person is not active: refused now, not in a minute.
    let (status, _, body) = app.client_get_raw(&path, Some(&org.front2.token)).await;
    assert!(
        status == 401 || status == 404,
        "got {status}: {}",
        String::from_utf8_lossy(&body)
    );
}
