//! The staff pages, live: a signed-in person follows a case as server-sent events
//! (`/staff/live/cases/{id}`) and hears every change to it, whoever made it and on
//! whichever server, and who else has it open; the lists hear of new cases
//! (`/staff/live/cases`). Nobody else gets a stream, and stopping the server ends them.

use crate::common;

use common::staff::{set_passwords, StaffSession};
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

/// However long anything here may take to arrive; waiting longer is a failure.
const WITHIN: Duration = Duration::from_secs(5);

/// One event of a stream.
#[derive(Debug, Clone, PartialEq)]
struct Event {
    name: String,
    id: Option<String>,
    data: String,
}

impl Event {
    fn json(&self) -> Value {
        serde_json::from_str(&self.data)
            .unwrap_or_else(|e| panic!("{} carries JSON: {e}: {:?}", self.name, self.data))
    }
}

/// An open event stream, read as it comes.
struct Stream {
    response: reqwest::Response,
    buffer: String,
    /// Comments seen (`: keep-alive`).
    comments: usize,
}

impl Stream {
    async fn open(request: reqwest::RequestBuilder) -> Stream {
        let response = request.send().await.expect("the server answers");
        assert_eq!(response.status(), StatusCode::OK, "a stream is opened");
        let kind = response.headers()["content-type"].to_str().unwrap();
        assert_eq!(kind, "text/event-stream");
        Stream {
            response,
            buffer: String::new(),
            comments: 0,
        }
    }

    /// The next event (comments and `retry:` skipped); `None` when the stream ended.
    async fn next(&mut self) -> Option<Event> {
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = Event {
                    name: "message".into(),
                    id: None,
                    data: String::new(),
                };
                let mut any = false;
                for line in block.lines().filter(|l| !l.is_empty()) {
                    let (field, value) = line.split_once(':').unwrap_or((line, ""));
                    let value = value.strip_prefix(' ').unwrap_or(value);
                    match field {
                        "" => self.comments += 1,
                        "event" => event.name = value.into(),
                        "id" => event.id = Some(value.into()),
                        "data" => {
                            event.data.push_str(value);
                            any = true;
                        }
                        _ => {}
                    }
                }
                if any {
                    return Some(event);
                }
            }
            let chunk = self.response.chunk().await.expect("the stream reads")?;
            self.buffer
                .push_str(std::str::from_utf8(&chunk).expect("UTF-8"));
        }
    }

    /// The first event named `name` that `wanted` accepts, within [`WITHIN`].
    async fn until(&mut self, name: &str, wanted: impl Fn(&Event) -> bool) -> Event {
        let waited = tokio::time::timeout(WITHIN, async {
            loop {
                match self.next().await {
                    Some(e) if e.name == name && wanted(&e) => return e,
                    Some(_) => continue,
                    None => panic!("the stream ended before {name}"),
                }
            }
        })
        .await;
        waited.unwrap_or_else(|_| panic!("no {name} event within {WITHIN:?}"))
    }

    /// The events that arrive within `time` (to show that nothing else does).
    async fn quiet_for(&mut self, time: Duration) -> Vec<Event> {
        let mut seen = Vec::new();
        let _ = tokio::time::timeout(time, async {
            while let Some(e) = self.next().await {
                seen.push(e);
            }
        })
        .await;
        seen
    }
}

fn names(event: &Event) -> Vec<String> {
    serde_json::from_value(event.json()).expect("a list of names")
}

/// A server with the organisation, its people's passwords set, and one open case.
async fn with_a_case() -> (TestApp, Org, i64) {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    set_passwords(&app, &[org.front1.id, org.lead.id, org.manager.id]).await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    (app, org, id)
}

async fn follow(session: &StaffSession, path: &str) -> Stream {
    Stream::open(session.get(path)).await
}

#[tokio::test]
async fn an_open_case_page_hears_a_change_made_by_someone_else_through_the_api() {
    let (app, org, id) = with_a_case().await;
    let fran = StaffSession::sign_in(&app, org.front1.id).await;
    let mut stream = follow(&fran, &format!("/staff/live/cases/{id}")).await;
    let alone = stream.until("viewers", |_| true).await;
    assert!(names(&alone).is_empty(), "nobody else is here: {alone:?}");

    let noted = app
        .act_ok(
            &org.manager,
            id,
            "notes",
            &json!({"body": "Refund approved."}),
        )
        .await;
    let version = noted["version"].as_u64().expect("a version");
    let changed = stream.until("changed", |_| true).await;
    assert_eq!(changed.data, version.to_string(), "{changed:?}");
    assert_eq!(changed.id.as_deref(), Some(version.to_string().as_str()));

    // The customer writes back: that is a change too.
    let token = app.customer_token_of(id).await;
    let wrote = app
        .send(
            app.request(
                reqwest::Method::POST,
                &format!("/api/v1/cases/{id}/customer-messages?token={token}"),
            )
            .json(&json!({"body": "Thank you!"})),
        )
        .await;
    assert_eq!(wrote.status, StatusCode::OK, "{}", wrote.text);
    let changed = stream.until("changed", |_| true).await;
    assert_eq!(changed.data, (version + 1).to_string());

    // Another case's changes are not this page's news.
    let other = app.open_case_id(&org.front1, "Another").await;
    app.act_ok(&org.manager, other, "notes", &json!({"body": "Elsewhere."}))
        .await;
    let later = stream.quiet_for(Duration::from_millis(300)).await;
    assert!(
        later.iter().all(|e| e.name != "changed"),
        "only this case's changes: {later:?}"
    );
}

#[tokio::test]
async fn a_page_that_missed_changes_is_told_the_version_at_once() {
    let (app, org, id) = with_a_case().await;
    let fran = StaffSession::sign_in(&app, org.front1.id).await;
    app.act_ok(&org.manager, id, "notes", &json!({"body": "One."}))
        .await;
    let noted = app
        .act_ok(&org.manager, id, "notes", &json!({"body": "Two."}))
        .await;
    let now = noted["version"].as_u64().unwrap().to_string();

    // The page shows version 1 (`?since=`), or the browser connects again after event 2.
    let mut stale = follow(&fran, &format!("/staff/live/cases/{id}?since=1")).await;
    assert_eq!(stale.until("changed", |_| true).await.data, now);
    let mut again = Stream::open(
        fran.get(&format!("/staff/live/cases/{id}"))
            .header("Last-Event-ID", "2"),
    )
    .await;
    assert_eq!(again.until("changed", |_| true).await.data, now);

    // Up to date (or claiming a version from the future): nothing to tell.
    for since in [now.as_str(), "99"] {
        let mut current = follow(&fran, &format!("/staff/live/cases/{id}?since={since}")).await;
        let heard = current.quiet_for(Duration::from_millis(300)).await;
        assert!(
            heard.iter().all(|e| e.name != "changed"),
            "since={since}: {heard:?}"
        );
    }
}

#[tokio::test]
async fn a_second_viewer_is_named_to_the_first_until_their_stream_drops() {
    let (app, org, id) = with_a_case().await;
    let fran = StaffSession::sign_in(&app, org.front1.id).await;
    let leo = StaffSession::sign_in(&app, org.lead.id).await;
    let path = format!("/staff/live/cases/{id}");
    let mut frans = follow(&fran, &path).await;
    assert!(names(&frans.until("viewers", |_| true).await).is_empty());

    let mut leos = follow(&leo, &path).await;
    let seen = frans.until("viewers", |e| !names(e).is_empty()).await;
    assert_eq!(names(&seen), ["Leo Lead"]);
    let seen = leos.until("viewers", |_| true).await;
    assert_eq!(names(&seen), ["Fran Front"], "each is told of the other");

    // Fran's second tab names nobody new to Leo, and not Fran to herself.
    let mut frans_tab = follow(&fran, &path).await;
    assert_eq!(
        names(&frans_tab.until("viewers", |_| true).await),
        ["Leo Lead"]
    );
    let heard = leos.quiet_for(Duration::from_millis(300)).await;
    assert!(
        heard.iter().all(|e| e.name != "viewers"),
        "Fran was here already: {heard:?}"
    );
    drop(frans_tab);

    // Leo closes the page: Fran is alone again.
    drop(leos);
    let alone = frans.until("viewers", |e| names(e).is_empty()).await;
    assert!(names(&alone).is_empty());
    let live = app.state.live();
    let deadline = std::time::Instant::now() + WITHIN;
    while live.streams_on(id) != 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the closed streams are no longer counted: {}",
            live.streams_on(id)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn nobody_signed_in_gets_a_stream() {
    let (app, org, id) = with_a_case().await;
    let paths = [
        format!("/staff/live/cases/{id}"),
        "/staff/live/cases".into(),
    ];
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for path in &paths {
        for cookie in [None, Some("roadone_staff=forged")] {
            let mut request = client.get(format!("{}{path}", app.url));
            if let Some(cookie) = cookie {
                request = request.header("cookie", cookie);
            }
            let r = request.send().await.unwrap();
            assert!(
                matches!(r.status(), StatusCode::UNAUTHORIZED | StatusCode::SEE_OTHER),
                "{path} with {cookie:?}: {}",
                r.status()
            );
            let kind = r.headers().get("content-type").map(|v| v.to_str().unwrap());
            assert_ne!(kind, Some("text/event-stream"), "{path}: no stream");
        }
    }
    // An API token is no staff session either.
    let r = client
        .get(format!("{}{}", app.url, paths[0]))
        .bearer_auth(&org.front1.token)
        .send()
        .await
        .unwrap();
    assert!(!r.status().is_success(), "{}", r.status());
    // A signed-in person asking for a case that does not exist: not found.
    let fran = StaffSession::sign_in(&app, org.front1.id).await;
    let r = fran.get("/staff/live/cases/999999").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_list_hears_of_a_new_case() {
    let (app, org, first) = with_a_case().await;
    let fran = StaffSession::sign_in(&app, org.front1.id).await;
    let mut stream = follow(&fran, "/staff/live/cases").await;
    let newest = stream.until("newest", |_| true).await;
    assert_eq!(newest.data, first.to_string());
    let id = app.open_case_id(&org.front1, "A new one").await;
    let opened = stream.until("opened", |_| true).await;
    assert_eq!(opened.data, id.to_string());
    // Changes to a case are not openings.
    app.act_ok(&org.manager, id, "notes", &json!({"body": "Seen."}))
        .await;
    let heard = stream.quiet_for(Duration::from_millis(300)).await;
    assert!(heard.iter().all(|e| e.name != "opened"), "{heard:?}");
    // Connecting again from the first case: the newer one is told at once.
    let mut again = follow(&fran, &format!("/staff/live/cases?since={first}")).await;
    assert_eq!(again.until("opened", |_| true).await.data, id.to_string());
}

/// The list page says which case was newest as it was made; following from there, a case
/// opened after the page and before the stream connected is still announced.
#[tokio::test]
async fn a_case_opened_between_the_list_page_and_its_stream_is_announced() {
    let (app, org, first) = with_a_case().await;
    let fran = StaffSession::sign_in(&app, org.front1.id).await;
    let page = fran.get_text("/staff/cases").await;
    let marker = format!(r#"data-newest-case="{first}""#);
    assert!(page.contains(&marker), "{page}");
    let between = app.open_case_id(&org.front1, "Opened in between").await;
    let mut stream = follow(&fran, &format!("/staff/live/cases?since={first}")).await;
    assert_eq!(
        stream.until("opened", |_| true).await.data,
        between.to_string()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_made_on_another_server_arrives_too() {
    let (app, org, id) = with_a_case().await;
    let (second, _second_state) = app.second_server().await;
    let fran = StaffSession::sign_in(&app, org.front1.id).await;
    let mut case = follow(&fran, &format!("/staff/live/cases/{id}")).await;
    let mut list = follow(&fran, "/staff/live/cases").await;
    case.until("viewers", |_| true).await;
    list.until("newest", |_| true).await;

    let client = reqwest::Client::new();
    let r = client
        .post(format!("{}/api/v1/cases/{id}/notes", second.url()))
        .bearer_auth(&org.manager.token)
        .json(&json!({"body": "Written on the other server."}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let version = r.json::<Value>().await.unwrap()["version"]
        .as_u64()
        .unwrap();
    let changed = case.until("changed", |_| true).await;
    assert_eq!(changed.data, version.to_string());

    let r = client
        .post(format!("{}/api/v1/cases", second.url()))
        .bearer_auth(&org.front1.token)
        .json(&intake("Opened on the other server"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let opened_id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let opened = list.until("opened", |_| true).await;
    assert_eq!(opened.data, opened_id.to_string());
    second.stop().await;
}

#[tokio::test]
async fn stopping_the_server_ends_its_streams_without_waiting_for_them() {
    let (app, org, id) = with_a_case().await;
    let fran = StaffSession::sign_in(&app, org.front1.id).await;
    let mut case = follow(&fran, &format!("/staff/live/cases/{id}")).await;
    let mut list = follow(&fran, "/staff/live/cases").await;
    case.until("viewers", |_| true).await;
    list.until("newest", |_| true).await;
    let stopped = tokio::time::timeout(WITHIN, app.stop()).await;
    assert!(stopped.is_ok(), "the stop waited for the open streams");
    for stream in [&mut case, &mut list] {
        let end = tokio::time::timeout(WITHIN, async { while stream.next().await.is_some() {} });
        assert!(end.await.is_ok(), "the stream ended");
    }
}

#[tokio::test]
async fn the_script_is_served_and_the_pages_let_it_run_and_connect() {
    let (app, org, id) = with_a_case().await;
    let r = app
        .request(reqwest::Method::GET, "/static/live.js")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(r.headers()["cache-control"], "public, max-age=3600");
    let script = r.text().await.unwrap();
    assert!(script.contains("EventSource"), "{script}");

    let fran = StaffSession::sign_in(&app, org.front1.id).await;
    let r = fran
        .get(&format!("/staff/cases/{id}"))
        .send()
        .await
        .unwrap();
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let page = r.text().await.unwrap();
    for allowed in [
        "script-src 'self'",
        "connect-src 'self'",
        "default-src 'none'",
    ] {
        assert!(csp.contains(allowed), "{allowed} in {csp}");
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval") && !csp.contains('*'),
        "{csp}"
    );
    assert!(page.contains(r#"<script src="/static/live.js" defer></script>"#));
    assert!(
        page.contains(&format!(r#"data-live-case="{id}" data-version="1""#)),
        "{page}"
    );
    assert!(page.contains(r#"id="live""#) && page.contains(r#"id="timeline""#));
    // Everything the scripts do, the page does without them: no inline script at all,
    // only the two files the server serves.
    let scripts: Vec<&str> = page
        .match_indices("<script")
        .map(|(i, _)| &page[i..])
        .collect();
    assert_eq!(scripts.len(), 2, "{page}");
    for script in scripts {
        assert!(
            script.starts_with(r#"<script src="/static/live.js" defer></script>"#)
                || script.starts_with(r#"<script src="/static/shortcuts.js" defer></script>"#),
            "{script}"
        );
    }
}

#[tokio::test]
async fn an_idle_stream_gets_a_keep_alive_comment_every_15_seconds() {
    let (app, org, id) = with_a_case().await;
    let fran = StaffSession::sign_in(&app, org.front1.id).await;
    let mut stream = follow(&fran, &format!("/staff/live/cases/{id}")).await;
    stream.until("viewers", |_| true).await;
    assert_eq!(
        stream.comments, 0,
        "no comment before there is silence to fill"
    );
    let heard = stream.quiet_for(Duration::from_secs(17)).await;
    assert_eq!(stream.comments, 1, "one keep-alive in 17 s of silence");
    assert!(heard.is_empty(), "and nothing else: {heard:?}");
}
