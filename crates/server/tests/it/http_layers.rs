//! The layers every request goes through (`http::layers`): a request id on every answer,
//! a panicking handler answered with a 500 while the server goes on, and a time limit
//! that answers a slow handler without cutting a long download short. The misbehaving
//! routes (`/api/faults/…`, `/faults/…`) exist only in a `fault-injection` build.

use crate::common;

use common::TestApp;
use reqwest::{Method, StatusCode};
use std::time::{Duration, Instant};

fn request_id(r: &common::Resp) -> String {
    r.headers
        .get("x-request-id")
        .unwrap_or_else(|| panic!("no x-request-id on {} {}", r.status, r.text))
        .to_str()
        .expect("a readable request id")
        .to_string()
}

#[tokio::test]
async fn every_answer_carries_a_request_id_and_a_sane_one_from_the_client_is_kept() {
    let app = TestApp::spawn().await;
    // Made up when the client sent none: on a success, an API error, a page, a miss.
    let mut seen = Vec::new();
    for (path, status) in [
        ("/healthz", StatusCode::OK),
        ("/api/v1/cases", StatusCode::UNAUTHORIZED),
        ("/contact", StatusCode::OK),
        ("/api/v1/nowhere", StatusCode::NOT_FOUND),
    ] {
        let r = app.send(app.request(Method::GET, path)).await;
        assert_eq!(r.status, status, "{path}: {}", r.text);
        let id = request_id(&r);
        assert_eq!(id.len(), 36, "{path}: a UUID, not {id:?}");
        seen.push(id);
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 4, "each request has its own id: {seen:?}");

    // Kept and echoed when the client sent a sane one, success or refusal alike.
    for path in ["/healthz", "/api/v1/cases"] {
        let r = app
            .send(
                app.request(Method::GET, path)
                    .header("x-request-id", "client-42.retry:1"),
            )
            .await;
        assert_eq!(request_id(&r), "client-42.retry:1", "{path}");
    }

    // Replaced when it is not: too long, or with what could forge a log line.
    for odd in ["x".repeat(129), "two words".to_string(), "a\"b".to_string()] {
        let r = app
            .send(
                app.request(Method::GET, "/healthz")
                    .header("x-request-id", &odd),
            )
            .await;
        let id = request_id(&r);
        assert_ne!(id, odd);
        assert_eq!(id.len(), 36, "{odd:?} was replaced by a UUID, not {id:?}");
    }
}

#[tokio::test]
async fn a_panicking_handler_is_answered_500_and_the_server_goes_on_serving() {
    let app = TestApp::spawn().await;
    for attempt in 0..2 {
        let r = app
            .send(
                app.request(Method::GET, "/api/faults/panic")
                    .header("x-request-id", format!("panic-{attempt}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.text);
        assert!(r.is_json(), "{:?}", r.headers);
        assert_eq!(r.body["error"]["code"], "internal", "{}", r.text);
        assert_eq!(
            r.body["error"]["message"], "internal error",
            "no detail of the panic is given away"
        );
        assert_eq!(request_id(&r), format!("panic-{attempt}"));
        // The same server, on a new connection or the same, answers the next request.
        let r = app.send(app.request(Method::GET, "/healthz")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.text, "ok");
    }
    // A page that panics shows the error page, with the pages' headers.
    let r = app.send(app.request(Method::GET, "/faults/panic")).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    let content_type = r.headers["content-type"].to_str().unwrap();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(r.text.contains("Something went wrong"), "{}", r.text);
    assert!(r.headers.contains_key("content-security-policy"));
    request_id(&r);
    // And the panics were counted like any answer.
    let metrics = app.send(app.request(Method::GET, "/metrics")).await.text;
    let line =
        "roadone_http_requests_total{method=\"GET\",route=\"/api/faults/panic\",status=\"500\"} 2";
    assert!(metrics.contains(line), "no {line:?} in:\n{metrics}");
}

#[tokio::test]
async fn a_handler_slower_than_the_time_limit_is_answered_503_with_the_json_error() {
    let app = TestApp::spawn_with(|c| c.http_request_timeout = Duration::from_secs(1)).await;
    let started = Instant::now();
    let r = app
        .send(
            app.request(Method::GET, "/api/faults/sleep/5000")
                .header("x-request-id", "slow-1"),
        )
        .await;
    let took = started.elapsed();
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text);
    assert!(r.is_json(), "{:?}", r.headers);
    assert_eq!(r.body["error"]["code"], "unavailable", "{}", r.text);
    assert_eq!(request_id(&r), "slow-1");
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(4),
        "answered at the limit, not when the handler would have finished: {took:?}"
    );
    // Within the limit, the same route answers as usual.
    let r = app
        .send(app.request(Method::GET, "/api/faults/sleep/10"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.text, "slept");
}

/// The limit is on the time to the answer's head: a client reading a large file slowly
/// gets all of it.
#[tokio::test]
async fn a_download_read_slowly_is_not_cut_by_the_time_limit() {
    let app = TestApp::spawn_with(|c| c.http_request_timeout = Duration::from_secs(3)).await;
    let org = app.org().await;
    let id = app.open_case_id(&org.front1, "With a large file").await;
    // Larger than the socket buffers on both sides, so the server is still writing
    // when the limit has passed.
    let file: Vec<u8> = (0..20 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let form = reqwest::multipart::Form::new()
        .text("body", "the whole log")
        .part(
            "file",
            reqwest::multipart::Part::bytes(file.clone()).file_name("server.log"),
        );
    let r = app
        .send(
            app.authed(
                Method::POST,
                &format!("/api/v1/cases/{id}/notes"),
                &org.front1.token,
            )
            .multipart(form),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let sha = app
        .events(id)
        .await
        .iter()
        .find_map(|e| {
            e["data"]["attachments"][0]["sha256"]
                .as_str()
                .map(String::from)
        })
        .expect("the note's file");
    let response = app
        .authed(
            Method::GET,
            &format!("/api/v1/cases/{id}/attachments/{sha}"),
            &org.front1.token,
        )
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_secs(4)).await;
    let body = response.bytes().await.expect("the whole file");
    assert_eq!(body.len(), file.len());
    assert!(body.as_ref() == file.as_slice(), "the file, byte for byte");
}
