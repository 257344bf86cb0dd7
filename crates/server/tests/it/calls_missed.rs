//! No missed call without an owner: a call nobody answered opens a phone case owned as new
//! mail is, with a reminder to call back after two hours; sending it again opens nothing
//! more; another missed call from the caller joins the open case; answered legs, old
//! records, callers who got through and internal extensions open nothing.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A call at `t0() + minutes(at)` that rang for 40 s; answered after 4 s when `answered`.
fn call(id: &str, caller: &str, at: i64, answered: bool, linked: Option<&str>) -> Value {
    let start = t0() + minutes(at);
    let mut c = json!({
        "call_id": id,
        "caller": caller,
        "caller_name": "Ada Caller",
        "callee": "2000",
        "arrived_at": start.to_rfc3339(),
        "ended_at": (start + seconds(40)).to_rfc3339(),
        "disposition": if answered { "answered" } else { "no_answer" },
    });
    if answered {
        c["answered_at"] = json!((start + seconds(4)).to_rfc3339());
    }
    if let Some(l) = linked {
        c["linked_id"] = json!(l);
    }
    c
}

async fn send(app: &TestApp, calls: Vec<Value>) -> Value {
    let r = app
        .post(
            &app.admin_token,
            "/api/v1/calls",
            &json!({ "calls": calls }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body
}

async fn missed_call_cases(app: &TestApp) -> Vec<Value> {
    let r = app
        .get(&app.admin_token, "/api/v1/cases?q=Missed%20call&state=all")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body.as_array().expect("a list of cases").clone()
}

fn tickles(events: &[Value]) -> usize {
    events.iter().filter(|e| e["kind"] == "tickled").count()
}

#[tokio::test]
async fn a_missed_call_becomes_one_case_with_one_owner_and_a_call_back_reminder() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    app.set_clock(minutes(1));
    let first = send(&app, vec![call("M-1", "+447700900456", 0, false, None)]).await;
    assert_eq!(first["missed_call_cases"], 1, "{first}");

    let cases = missed_call_cases(&app).await;
    assert_eq!(cases.len(), 1, "{cases:?}");
    let id = cases[0]["id"].as_i64().expect("id");
    let case = app.case(id).await;
    assert_eq!(case["channel"], "phone");
    assert_eq!(case["subject"], "Missed call from +447700900456");
    assert!(
        [org.front1.id, org.front2.id].contains(&case["owner"].as_i64().unwrap()),
        "a frontline person owns it: {}",
        case["owner"]
    );
    assert!(
        case["events"][0]["data"]["body"]
            .as_str()
            .unwrap()
            .contains("Call them back"),
        "{}",
        case["events"][0]
    );

    // The same record again, and another missed call from the caller: still one case.
    let again = send(&app, vec![call("M-1", "+447700900456", 0, false, None)]).await;
    assert_eq!(again["missed_call_cases"], 0, "{again}");
    app.set_clock(minutes(6));
    let second = send(&app, vec![call("M-2", "+44 7700 900456", 5, false, None)]).await;
    assert_eq!(
        (
            second["missed_call_cases"].as_i64(),
            second["calls_on_open_cases"].as_i64()
        ),
        (Some(0), Some(1)),
        "{second}"
    );
    assert_eq!(missed_call_cases(&app).await.len(), 1);

    // The call-back reminder: not before two hours, then once.
    app.set_clock(minutes(1) + hours(2) - seconds(1));
    app.sweep().await;
    assert_eq!(tickles(&app.events(id).await), 0);
    app.set_clock(minutes(1) + hours(2));
    app.sweep().await;
    app.sweep().await;
    let events = app.events(id).await;
    assert_eq!(tickles(&events), 1, "{:?}", kinds(&events));

    // The caller gets through the next day: shown on the case, which stays open.
    app.set_clock(hours(24));
    let mut back = call("M-3", "+447700900456", 24 * 60 - 5, true, None);
    back["answered_by"] = json!("SIP/fran");
    send(&app, vec![back]).await;
    assert_eq!(app.case(id).await["state"], "open");
    staff::set_passwords(&app, &[org.manager.id]).await;
    let manager = staff::StaffSession::sign_in(&app, org.manager.id).await;
    let page = manager.get_text(&format!("/staff/cases/{id}")).await;
    assert_eq!(
        page.matches("missed: rang 40 s").count(),
        2,
        "both missed calls on the case: {page}"
    );
    assert!(page.contains("answered after 4 s by SIP/fran"), "{page}");
    let link = page
        .split("href=\"/staff/customers/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the case page links its customer");
    let theirs = manager.get_text(&format!("/staff/customers/{link}")).await;
    assert_eq!(
        theirs.matches("+447700900456 to 2000").count(),
        3,
        "{theirs}"
    );
}

#[tokio::test]
async fn answered_legs_old_records_callers_who_got_through_and_extensions_open_nothing() {
    let app = TestApp::spawn().await;
    app.org().await;
    app.set_clock(hours(1));
    let r = send(
        &app,
        vec![
            // A queue rang two phones; the second answered.
            call("Q-1a", "+447700900111", 0, false, Some("Q-1")),
            call("Q-1b", "+447700900111", 0, true, Some("Q-1")),
            // Missed, then got through ten minutes later.
            call("R-1", "+447700900222", 10, false, None),
            call("R-2", "+447700900222", 20, true, None),
            // An internal extension.
            call("X-1", "2001", 30, false, None),
        ],
    )
    .await;
    assert_eq!(r["missed_call_cases"], 0, "{r}");
    // Yesterday's records, imported today, are history: no call-back queue.
    app.set_clock(hours(30));
    let old = send(&app, vec![call("O-1", "+447700900333", 0, false, None)]).await;
    assert_eq!(old["missed_call_cases"], 0, "{old}");
    assert!(missed_call_cases(&app).await.is_empty());
}

#[tokio::test]
async fn with_nobody_to_own_it_the_calls_are_stored_and_the_problem_is_said() {
    let app = TestApp::spawn().await;
    app.set_clock(minutes(1));
    let r = send(&app, vec![call("N-1", "+447700900444", 0, false, None)]).await;
    assert_eq!(r["added"], 1, "{r}");
    assert_eq!(r["missed_call_cases"], 0, "{r}");
    let problem = r["follow_up_problem"].as_str().unwrap_or_default();
    assert!(
        problem.contains("category") || problem.contains("nobody to own"),
        "{r}"
    );
    // Once there is someone (and a category), sending the batch again finishes the job.
    app.org().await;
    let again = send(&app, vec![call("N-1", "+447700900444", 0, false, None)]).await;
    assert_eq!(
        (
            again["already_known"].as_i64(),
            again["missed_call_cases"].as_i64()
        ),
        (Some(1), Some(1)),
        "{again}"
    );
}

#[tokio::test]
async fn the_scheduler_finishes_a_follow_up_that_failed_without_the_batch_sent_again() {
    let app = TestApp::spawn().await;
    app.set_clock(minutes(1));
    let r = send(&app, vec![call("F-1", "+447700900555", 0, false, None)]).await;
    assert!(r["follow_up_problem"].is_string(), "{r}");
    let still = app.state.follow_up_missed_calls_again().await.unwrap();
    assert_eq!(still.cases_opened, 0);
    assert!(
        still.problem.is_some(),
        "still nobody to own it: said again"
    );
    app.org().await;
    let done = app.state.follow_up_missed_calls_again().await.unwrap();
    assert_eq!((done.cases_opened, done.problem), (1, None));
    let cases = missed_call_cases(&app).await;
    assert_eq!(cases.len(), 1, "{cases:?}");
    // Followed up once: the next sweep and a resend find the case.
    let next = app.state.follow_up_missed_calls_again().await.unwrap();
    assert_eq!((next.cases_opened, next.calls_linked), (0, 0));
    let again = send(&app, vec![call("F-1", "+447700900555", 0, false, None)]).await;
    assert_eq!(again["missed_call_cases"], 0, "{again}");
    // A record of a call that ended more than a day ago is history: the sweep, which
    // looks at the last day, does not see it; a fresh one it does.
    app.set_clock(hours(30));
    send(&app, vec![call("H-1", "+447700900666", 0, false, None)]).await;
    let seen = |since| {
        let store = app.store.clone();
        async move {
            let legs = store.missed_calls_without_case(since).await.unwrap();
            legs.iter().map(|l| l.call_id.clone()).collect::<Vec<_>>()
        }
    };
    assert!(seen(t0() + hours(6)).await.is_empty());
    assert_eq!(seen(t0() - hours(1)).await, ["H-1"]);
}

#[tokio::test]
async fn the_calls_report_counts_answers_in_one_ring_and_talk_time_per_operator() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    // Long ago for the clock (no follow-up): a report is history.
    let mut quick = call("A-1", "+447700900101", -3000, true, None);
    quick["answered_by"] = json!("SIP/ann");
    let mut slow = call("A-2", "+447700900102", -2990, true, None);
    slow["answered_at"] = json!((t0() + minutes(-2990) + seconds(30)).to_rfc3339());
    // An agent the platform names by their email is shown by name.
    let fran = staff::email_of(&app, org.front1.id).await;
    slow["answered_by"] = json!(fran.to_uppercase());
    send(
        &app,
        vec![
            quick,
            slow,
            call("A-3", "+447700900103", -2980, false, None),
        ],
    )
    .await;
    let month = (t0() + minutes(-3000)).format("%Y-%m").to_string();
    let r = app
        .get(
            &org.manager.token,
            &format!("/api/v1/reports/calls?month={month}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let b = &r.body;
    assert_eq!(
        (
            b["offered"].as_i64(),
            b["answered"].as_i64(),
            b["one_ring"].as_i64()
        ),
        (Some(3), Some(2), Some(1)),
        "{b}"
    );
    assert_eq!(b["abandoned"], 1);
    assert_eq!(b["ring"]["p90_seconds"], 30.0);
    // Bob talked 10 s (answered at 30 s of a 40 s call), Ann 36 s: Ann first.
    assert_eq!(b["operators"][0]["lines"], json!(["SIP/ann"]));
    assert_eq!(b["operators"][0]["person"], Value::Null);
    assert_eq!(b["operators"][0]["talk_seconds"], 36.0);
    assert_eq!(b["operators"][1]["talk_seconds"], 10.0);
    assert_eq!(b["operators"][1]["person"], org.front1.id);
    assert_eq!(b["names"][org.front1.id.to_string()], "Fran Front", "{b}");

    let csv = app
        .send(app.authed(
            reqwest::Method::GET,
            &format!("/api/v1/reports/calls?month={month}&format=csv"),
            &org.manager.token,
        ))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.text
            .starts_with("section,key,name,offered,answered,one_ring"),
        "{}",
        csv.text
    );
    assert!(
        csv.text.contains(&format!("month,{month},,3,2,1,")),
        "{}",
        csv.text
    );
    assert!(
        csv.text
            .contains("operator,SIP/ann,,,1,1,,,36,36,36,0,0,0,0,0"),
        "{}",
        csv.text
    );

    let bad = app
        .get(&org.manager.token, "/api/v1/reports/calls?month=March")
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.body["error"]["field"], "month", "{}", bad.text);
    let front = app
        .get(
            &org.front1.token,
            &format!("/api/v1/reports/calls?month={month}"),
        )
        .await;
    assert_eq!(front.status, StatusCode::FORBIDDEN);

    // The page says the same in words.
    staff::set_passwords(&app, &[org.manager.id]).await;
    let manager = staff::StaffSession::sign_in(&app, org.manager.id).await;
    let page = manager
        .get_text(&format!("/staff/reports/calls?month={month}"))
        .await;
    assert!(
        page.contains("<strong>33%</strong> of 3 calls were answered in one ring"),
        "{page}"
    );
    assert!(
        page.contains("<strong>1</strong> callers gave up"),
        "{page}"
    );
    assert!(
        page.contains("<th scope=\"row\">SIP/ann</th><td>1</td><td>1</td><td>36 s</td>"),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            "<th scope=\"row\">Fran Front<br><span class=\"hint\">{}</span></th><td>1</td><td>0</td><td>10 s</td>",
            fran.to_uppercase()
        )),
        "{page}"
    );
}
