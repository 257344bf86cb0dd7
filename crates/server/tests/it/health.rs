//! `/healthz`, `/readyz` and `/metrics` as an operator and Prometheus see them, and the
//! takeover of claims when a server on the same node starts again.

use crate::common;

use common::{minutes, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::Value;

fn check<'a>(ready: &'a Value, name: &str) -> &'a Value {
    ready["checks"]
        .as_array()
        .expect("a list of checks")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {ready}"))
}

#[tokio::test]
async fn a_healthy_server_is_ready_and_names_every_check() {
    let app = TestApp::spawn().await;
    let r = app.send(app.request(Method::GET, "/readyz")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["ready"], true);
    for name in [
        "sqlite_writer",
        "sqlite_fsync",
        "sqlite_checkpointer",
        "sqlite_search_indexer",
        "heartbeat",
        "directory_watch",
        "store_writable",
        "outbox",
        "disk",
    ] {
        assert_eq!(check(&r.body, name)["ok"], true, "{name}: {}", r.text);
    }
    assert!(
        check(&r.body, "disk")["detail"]
            .as_str()
            .unwrap()
            .contains("MB free"),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_show_the_write_path() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    for i in 0..3 {
        app.open_case(&org.front1, &format!("Metrics {i}")).await;
    }
    let r = app.send(app.request(Method::GET, "/metrics")).await;
    assert_eq!(r.status, StatusCode::OK);
    let content_type = r.headers["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    let line = |prefix: &str| {
        r.text
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line starting {prefix:?} in:\n{}", r.text))
            .to_string()
    };
    // Three intakes, counted under the route pattern with their status.
    let opened =
        line("roadone_http_requests_total{method=\"POST\",route=\"/api/v1/cases\",status=\"201\"}");
    assert!(opened.ends_with(" 3"), "{opened}");
    let timed = line(
        "roadone_http_request_duration_seconds_count{method=\"POST\",route=\"/api/v1/cases\"}",
    );
    assert!(timed.ends_with(" 3"), "{timed}");
    // Each intake and each person added was a committed write.
    let batches = line("roadone_store_write_batch_size_count");
    let committed: u64 = batches.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(committed >= 3, "{batches}");
    let backlog = line("roadone_outbox_backlog");
    assert!(
        backlog.ends_with(" 3"),
        "three acknowledgments wait: {backlog}"
    );
    line("roadone_outbox_oldest_age_seconds");
    line("roadone_timers_due 0");
    line("roadone_disk_free_bytes");
    assert!(line("roadone_component_up{component=\"sqlite_writer\"}").ends_with(" 1"));
    assert!(line("roadone_component_up{component=\"heartbeat\"}").ends_with(" 1"));
    assert!(line("roadone_component_restarts_total{component=\"sqlite_writer\"}").ends_with(" 0"));
    line("roadone_log_lines_dropped_total");
    line("roadone_mail_possible_duplicates_total 0");
    assert!(r.text.trim_end().ends_with("# EOF"));
}

#[tokio::test]
async fn mail_waiting_too_long_makes_the_server_not_ready() {
    let app =
        TestApp::spawn_with(|c| c.outbox_stuck_after = std::time::Duration::from_secs(600)).await;
    let org = app.org().await;
    app.open_case(&org.front1, "Nobody delivers this").await;
    app.advance(minutes(11));
    let r = app.send(app.request(Method::GET, "/readyz")).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text);
    assert_eq!(r.body["ready"], false);
    let outbox = check(&r.body, "outbox");
    assert_eq!(outbox["ok"], false);
    assert!(
        outbox["detail"]
            .as_str()
            .unwrap()
            .contains("1 notification(s) waiting"),
        "{outbox}"
    );
}

#[tokio::test]
async fn a_server_starting_again_on_the_same_node_takes_over_its_claims_at_once() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    app.open_case(&org.front1, "Claimed when the server died")
        .await;
    // The first server claimed the acknowledgment (as its sender does before sending)
    // and then died without a word: its lease would hold for five minutes.
    let claimed = app
        .store
        .claim_outbox(
            &app.state.instance().id,
            app.now(),
            chrono::Duration::minutes(5),
            10,
        )
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let (second, state) = app.second_server().await;
    // Claimed as the second server (the store is the same database).
    let again = app
        .store
        .claim_outbox(
            &state.instance().id,
            app.now(),
            chrono::Duration::minutes(5),
            10,
        )
        .await
        .unwrap();
    assert_eq!(
        again.iter().map(|r| (r.id, r.attempts)).collect::<Vec<_>>(),
        vec![(claimed[0].id, 2)],
        "the new server sends it now, as a second attempt"
    );
    let metrics = reqwest::get(format!("{}/metrics", second.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("roadone_mail_possible_duplicates_total 1"),
        "the takeover is counted as a possible duplicate:\n{metrics}"
    );
    second.stop().await;
}

#[tokio::test]
async fn a_part_that_panics_is_started_again_and_readyz_says_so() {
    let app = TestApp::spawn().await;
    app.state.faults().inject("heartbeat");
    let started = std::time::Instant::now();
    let heartbeat = loop {
        let r = app.send(app.request(Method::GET, "/readyz")).await;
        let heartbeat = check(&r.body, "heartbeat").clone();
        if heartbeat["detail"]
            .as_str()
            .unwrap()
            .starts_with("running; restarted 1")
        {
            break heartbeat;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "the heartbeat was not restarted: {}",
            r.text
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(heartbeat["ok"], true);
    assert!(
        heartbeat["detail"]
            .as_str()
            .unwrap()
            .contains("a fault injected into heartbeat"),
        "{heartbeat}"
    );
    let metrics = app.send(app.request(Method::GET, "/metrics")).await.text;
    assert!(
        metrics.contains("roadone_component_restarts_total{component=\"heartbeat\"} 1"),
        "{metrics}"
    );
    // Restarted, it writes again: the store is writable.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let r = app.send(app.request(Method::GET, "/readyz")).await;
    assert_eq!(check(&r.body, "store_writable")["ok"], true, "{}", r.text);
}
