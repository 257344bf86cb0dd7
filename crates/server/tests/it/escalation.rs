//! The 20-hour rule and the ticklers, driven by a fake clock and on-demand sweeps
//! (docs/design.md §2.6, §2.7): exactly once, even with racing schedulers, several servers,
//! or a deadline that passed while the server was down.

use crate::common;

use common::*;
use roadone_server::scheduler::{Scheduler, SweepReport};
use serde_json::{json, Value};

fn escalations(events: &[Value]) -> Vec<&Value> {
    events.iter().filter(|e| e["kind"] == "escalated").collect()
}

fn tickles<'a>(events: &'a [Value], reason: &str) -> Vec<&'a Value> {
    events
        .iter()
        .filter(|e| e["kind"] == "tickled" && e["data"]["reason"] == reason)
        .collect()
}

#[tokio::test]
async fn an_unsolved_case_goes_to_the_category_executive_exactly_once_after_20_hours() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let id = app.open_case_id(&org.front1, "Nobody solved this").await;

    // A minute before the deadline nothing escalates.
    app.set_clock(hours(20) - minutes(1));
    app.sweep().await;
    let v = app.case(id).await;
    assert_eq!(v["owner"], org.front1.id);
    assert_eq!(v["escalated"], false);
    assert!(escalations(v["events"].as_array().expect("events")).is_empty());

    app.set_clock(hours(20) + minutes(1));
    app.sweep().await;
    app.sweep().await;
    let v = app.case(id).await;
    assert_eq!(
        v["owner"], org.vp.id,
        "the category's executive owns it now"
    );
    assert_eq!(v["escalated"], true);
    assert_eq!(v["state"], "open");
    let events = v["events"].as_array().expect("events");
    let esc = escalations(events);
    assert_eq!(esc.len(), 1, "escalated exactly once: {:?}", kinds(events));
    assert_eq!(esc[0]["actor"], json!({"type": "system"}));
    assert_eq!(
        esc[0]["data"],
        json!({"from": org.front1.id, "to": org.vp.id})
    );
    assert_eq!(time(&esc[0]["at"]), t0() + hours(20) + minutes(1));

    // Much later, with more sweeps: still once.
    app.set_clock(hours(60));
    app.sweep().await;
    let events = app.events(id).await;
    assert_eq!(escalations(&events).len(), 1, "{:?}", kinds(&events));
    let seqs: Vec<_> = events
        .iter()
        .map(|e| e["seq"].as_u64().expect("seq"))
        .collect();
    assert_eq!(
        seqs,
        (1..=events.len() as u64).collect::<Vec<_>>(),
        "seqs stay consecutive"
    );

    // On the VP's own list now.
    let r = app
        .get(&org.vp.token, "/api/v1/cases?owner=me&state=open")
        .await;
    assert_eq!(r.body.as_array().expect("list").len(), 1);
    assert_eq!(r.body[0]["id"], id);
}

#[tokio::test]
async fn concurrent_sweeps_escalate_each_case_exactly_once() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let mut ids = Vec::new();
    for i in 0..20 {
        let by = if i % 2 == 0 { &org.front1 } else { &org.front2 };
        ids.push(app.open_case_id(by, &format!("case {i}")).await);
    }
    app.set_clock(hours(20) + minutes(1));

    let a = Scheduler::new(app.state.clone());
    let b = Scheduler::new(app.state.clone());
    let (ra, rb) = tokio::join!(a.sweep(), b.sweep());
    let (ra, rb) = (ra.expect("sweep a"), rb.expect("sweep b"));
    let (ra2, rb2) = tokio::join!(a.sweep(), b.sweep());
    assert_eq!(
        ra2.expect("sweep a again").fired + rb2.expect("sweep b again").fired,
        0,
        "nothing left to fire"
    );

    for id in &ids {
        let events = app.events(*id).await;
        assert_eq!(
            escalations(&events).len(),
            1,
            "case {id}: {:?}",
            kinds(&events)
        );
        assert_eq!(app.case(*id).await["owner"], org.vp.id);
    }
    // Each case had three timers due; the idle reminder and the escalation fire, once each.
    // The "deadline near" reminder is dropped: at 20h01 the escalation itself tells the owner.
    assert_eq!(
        ra.fired + rb.fired,
        2 * ids.len(),
        "each due timer fired by one scheduler only: {ra:?} {rb:?}"
    );
    for id in &ids {
        assert!(
            tickles(&app.events(*id).await, "deadline").is_empty(),
            "case {id}: no deadline reminder after the deadline"
        );
    }
}

#[tokio::test]
async fn two_servers_on_one_database_escalate_exactly_once() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let mut ids = Vec::new();
    for i in 0..10 {
        ids.push(app.open_case_id(&org.front1, &format!("case {i}")).await);
    }
    let (other_app, other_state) = app.second_server().await;
    app.set_clock(hours(21));

    let mine = Scheduler::new(app.state.clone());
    let theirs = Scheduler::new(other_state.clone());
    let (a, b) = tokio::join!(mine.sweep(), theirs.sweep());
    a.expect("sweep on server 1");
    b.expect("sweep on server 2");
    let (a, b) = tokio::join!(mine.sweep(), theirs.sweep());
    a.expect("sweep on server 1");
    b.expect("sweep on server 2");

    for id in &ids {
        let events = app.events(*id).await;
        assert_eq!(
            escalations(&events).len(),
            1,
            "case {id}: {:?}",
            kinds(&events)
        );
        assert_eq!(
            tickles(&events, "deadline").len(),
            0,
            "case {id}: no deadline reminder after the deadline: {:?}",
            kinds(&events)
        );
    }
    other_app.stop().await;
}

#[tokio::test]
async fn a_case_solved_in_time_is_never_escalated() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let id = app.open_case_id(&org.front1, "Solved quickly").await;
    app.advance(hours(2));
    app.act_ok(
        &org.front1,
        id,
        "solve",
        &json!({"resolution": "Fixed.", "road": 3, "learned": "FAQ was unclear."}),
    )
    .await;

    for h in [4, 16, 20, 21, 48] {
        app.set_clock(hours(h));
        let report = app.sweep().await;
        assert_eq!(
            report.fired, 0,
            "nothing fires on a solved case at {h}h: {report:?}"
        );
    }
    let v = app.case(id).await;
    assert_eq!(v["state"], "solved");
    assert_eq!(v["owner"], org.front1.id);
    assert_eq!(v["escalated"], false);
    assert_eq!(
        kinds(v["events"].as_array().expect("events")),
        ["opened", "solved"],
        "no escalation, no reminders"
    );

    // Also just before the deadline.
    let late = app
        .open_case_id(&org.front2, "Solved at the last minute")
        .await;
    app.advance(hours(20) - minutes(1));
    app.sweep().await; // reminders may fire; no escalation yet
    app.act_ok(
        &org.front2,
        late,
        "solve",
        &json!({"resolution": "Fixed.", "road": 2, "learned": "Be faster."}),
    )
    .await;
    app.advance(hours(1));
    app.sweep().await;
    let events = app.events(late).await;
    assert!(escalations(&events).is_empty(), "{:?}", kinds(&events));
    assert_eq!(events.last().expect("events")["kind"], "solved");
}

#[tokio::test]
async fn the_owner_is_reminded_of_the_deadline_at_16_hours() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let id = app.open_case_id(&org.front1, "Slow one").await;

    app.set_clock(hours(16) - minutes(1));
    app.sweep().await;
    assert!(
        tickles(&app.events(id).await, "deadline").is_empty(),
        "not before 80% of 20h"
    );

    app.set_clock(hours(16));
    app.sweep().await;
    let events = app.events(id).await;
    let deadline = tickles(&events, "deadline");
    assert_eq!(deadline.len(), 1, "{:?}", kinds(&events));
    assert_eq!(deadline[0]["actor"], json!({"type": "system"}));
    assert_eq!(deadline[0]["data"]["owner"], org.front1.id);
    assert_eq!(time(&deadline[0]["at"]), t0() + hours(16));
    assert!(escalations(&events).is_empty());

    // Once only, and a reminder is not a change of owner.
    app.set_clock(hours(19));
    app.sweep().await;
    let v = app.case(id).await;
    assert_eq!(
        tickles(v["events"].as_array().expect("events"), "deadline").len(),
        1
    );
    assert_eq!(v["owner"], org.front1.id);
}

#[tokio::test]
async fn an_idle_case_is_tickled_every_4_hours_without_activity() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let id = app.open_case_id(&org.front1, "Idle one").await;

    app.set_clock(hours(4) - minutes(1));
    app.sweep().await;
    assert!(
        tickles(&app.events(id).await, "idle").is_empty(),
        "not before 4h"
    );

    app.set_clock(hours(4));
    app.sweep().await;
    let events = app.events(id).await;
    let idle = tickles(&events, "idle");
    assert_eq!(idle.len(), 1, "{:?}", kinds(&events));
    assert_eq!(idle[0]["actor"], json!({"type": "system"}));
    assert_eq!(idle[0]["data"]["owner"], org.front1.id);
    assert_eq!(time(&idle[0]["at"]), t0() + hours(4));

    // Activity at 5h (a pass-up to the lead) restarts the idle clock: nothing at 8h30...
    app.set_clock(hours(5));
    app.act_ok(
        &org.front1,
        id,
        "pass-up",
        &json!({"reason": "needs the lead"}),
    )
    .await;
    app.set_clock(hours(8) + minutes(30));
    app.sweep().await;
    assert_eq!(
        tickles(&app.events(id).await, "idle").len(),
        1,
        "the pass-up was activity"
    );

    // ...and the new owner is reminded 4h after it.
    app.set_clock(hours(9));
    app.sweep().await;
    let events = app.events(id).await;
    let idle = tickles(&events, "idle");
    assert_eq!(idle.len(), 2, "{:?}", kinds(&events));
    assert_eq!(idle[1]["data"]["owner"], org.lead.id);
    assert_eq!(time(&idle[1]["at"]), t0() + hours(9));

    // Still nothing happening: again 4h after the last reminder.
    app.set_clock(hours(13));
    app.sweep().await;
    assert_eq!(tickles(&app.events(id).await, "idle").len(), 3);
}

#[tokio::test]
async fn a_deadline_passed_while_the_server_was_down_fires_once_at_start() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let id = app
        .open_case_id(&org.front1, "Opened just before the outage")
        .await;

    let stopped = app.stop().await;
    stopped.clock.advance(hours(26));
    let app = stopped.restart().await;

    // The restarted server still knows everyone (same tokens) and the case.
    let before = app
        .get(&org.front1.token, &format!("/api/v1/cases/{id}"))
        .await;
    assert_eq!(before.status, reqwest::StatusCode::OK, "{}", before.text);
    assert_eq!(before.body["owner"], org.front1.id);

    let report = app.sweep().await;
    assert!(report.fired >= 1, "{report:?}");
    let v = app.case(id).await;
    let events = v["events"].as_array().expect("events");
    assert_eq!(escalations(events).len(), 1, "{:?}", kinds(events));
    assert_eq!(v["owner"], org.vp.id);
    assert_eq!(
        time(&escalations(events)[0]["at"]),
        t0() + hours(26),
        "fired at start, not at some later tick"
    );

    let report = app.sweep().await;
    assert_eq!(report, SweepReport::default(), "nothing left to fire");
    let events = app.events(id).await;
    assert_eq!(escalations(&events).len(), 1, "{:?}", kinds(&events));
}

#[tokio::test]
async fn a_sweep_fires_only_what_is_due_among_a_thousand_open_cases() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let body = intake("Bulk");

    // Ten cases at t0, then a thousand at t0+3h.
    let mut early = Vec::new();
    for i in 0..10 {
        early.push(app.open_case_id(&org.front1, &format!("early {i}")).await);
    }
    app.set_clock(hours(3));
    let late = open_many(&app, &org.front2, &body, 1000).await;
    assert_eq!(late.len(), 1000);

    // At t0+3h30 nothing is due anywhere.
    app.set_clock(hours(3) + minutes(30));
    let report = app.sweep().await;
    assert_eq!(
        report,
        SweepReport::default(),
        "1,010 open cases, none due: nothing fires"
    );

    // At t0+4h exactly the ten early cases are due their idle reminder.
    app.set_clock(hours(4));
    let report = app.sweep().await;
    assert_eq!(
        report,
        SweepReport {
            fired: 10,
            skipped: 0
        }
    );
    for id in &early {
        let events = app.events(*id).await;
        assert_eq!(kinds(&events), ["opened", "tickled"], "case {id}");
    }
    for id in late.iter().step_by(50) {
        assert_eq!(
            kinds(&app.events(*id).await),
            ["opened"],
            "case {id} is not due yet"
        );
    }
    assert_eq!(app.sweep().await, SweepReport::default());
}

/// Opens `n` cases as `by`, 50 requests at a time.
async fn open_many(app: &TestApp, by: &Member, body: &Value, n: usize) -> Vec<i64> {
    let mut ids = Vec::with_capacity(n);
    let url = format!("{}/api/v1/cases", app.url);
    while ids.len() < n {
        let mut batch = tokio::task::JoinSet::new();
        for _ in 0..(n - ids.len()).min(50) {
            let request = app.client.post(&url).bearer_auth(&by.token).json(body);
            batch.spawn(async move {
                let r = request.send().await.expect("the server answers");
                assert_eq!(r.status(), reqwest::StatusCode::CREATED);
                r.json::<Value>().await.expect("json")["id"]
                    .as_i64()
                    .expect("id")
            });
        }
        while let Some(id) = batch.join_next().await {
            ids.push(id.expect("task"));
        }
    }
    ids
}
