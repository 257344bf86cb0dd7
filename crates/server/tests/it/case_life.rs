//! The life of a case over HTTP, as staff and the customer see it (docs/design.md §2, §6).

use crate::common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn a_case_lives_from_intake_through_the_hierarchy_to_rating_and_reopening() {
    let app = TestApp::spawn().await;
    let org = app.org().await;

    // Intake by the frontline: 201 with everything the acknowledgment needs.
    let r = app
        .post(
            &org.front1.token,
            "/api/v1/cases",
            &intake("Charged twice in March"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let created = r.body;
    let id = created["id"].as_i64().expect("an id");
    let reference = created["ref"].as_str().expect("a reference");
    assert!(reference.starts_with("RD-"), "reference {reference}");
    assert_eq!(
        reference.trim_start_matches("RD-").parse::<i64>().ok(),
        Some(id),
        "the reference names the case"
    );
    assert_eq!(created["state"], "open");
    assert_eq!(
        created["owner"], org.front1.id,
        "the person who took the intake owns it"
    );
    let opened_at = time(&created["opened_at"]);
    assert_eq!(opened_at, t0());
    assert_eq!(
        time(&created["escalates_at"]),
        opened_at + hours(20),
        "the 20-hour rule"
    );
    let promised_by = time(&created["promised_by"]);
    assert!(
        promised_by > opened_at,
        "the customer is promised a time in the future"
    );
    assert_eq!(
        promised_by,
        opened_at + hours(24),
        "the default promise is 24 hours"
    );
    assert!(
        created.get("customer_link").is_none() && !created.to_string().contains("token="),
        "staff never see the customer's link (it is mailed to the customer): {created}"
    );
    let customer = app.customer_token_of(created["id"].as_i64().unwrap()).await;

    // The customer's link opens their case page without a staff token...
    let page = app
        .send(app.request(
            Method::GET,
            &format!("/portal/cases/{}?token={customer}", created["id"]),
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(
        page.text.contains(reference) && page.text.contains("I was charged twice for March."),
        "the case page shows the reference and the customer's message: {}",
        page.text
    );
    // ...and its token reads the same case through the API, with the acknowledgment.
    let view = app
        .send(app.request(
            Method::GET,
            &format!("/api/v1/cases/{id}/customer-view?token={customer}"),
        ))
        .await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.text);
    assert_eq!(view.body["ref"], reference);
    assert_eq!(view.body["state"], "open");
    assert_eq!(time(&view.body["promised_by"]), promised_by);
    assert_eq!(view.body["messages"][0]["from"], "you");
    assert_eq!(
        view.body["messages"][0]["body"],
        "I was charged twice for March."
    );

    // GET shows the opening event with the facts.
    let case = app
        .get(&org.front1.token, &format!("/api/v1/cases/{id}"))
        .await;
    assert_eq!(case.status, StatusCode::OK, "{}", case.text);
    assert_eq!(case.body["ref"], reference);
    assert_eq!(case.body["category"], "billing");
    assert_eq!(case.body["subject"], "Charged twice in March");
    assert_eq!(case.body["customer"]["email"], "ann@example.com");
    assert_eq!(case.body["channel"], "email");
    let events = case.body["events"].as_array().expect("events");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["seq"], 1);
    assert_eq!(events[0]["kind"], "opened");
    assert_eq!(events[0]["actor"], person_actor(org.front1.id));
    assert_eq!(time(&events[0]["at"]), opened_at);
    assert_eq!(
        events[0]["data"]["facts"],
        json!({"account_number": "AC-1001"})
    );
    assert_eq!(events[0]["data"]["owner"], org.front1.id);

    // Pass-up without `to` goes to the person the owner reports to: the lead.
    app.advance(hours(1));
    let v = app
        .act_ok(
            &org.front1,
            id,
            "pass-up",
            &json!({"reason": "needs a refund approval"}),
        )
        .await;
    assert_eq!(v["owner"], org.lead.id);
    assert_eq!(v["state"], "open");

    // The lead passes it up past nobody, straight to the manager, by `to`.
    app.advance(hours(1));
    let v = app
        .act_ok(
            &org.lead,
            id,
            "pass-up",
            &json!({"to": org.manager.id, "reason": "refunds over 100 are yours"}),
        )
        .await;
    assert_eq!(v["owner"], org.manager.id);

    // The VP, above the manager, takes it.
    app.advance(hours(1));
    let v = app.act_ok(&org.vp, id, "take", &json!({})).await;
    assert_eq!(v["owner"], org.vp.id);

    // The VP solves it: road 1, with what we learned.
    app.advance(hours(1));
    let v = app
        .act_ok(
            &org.vp,
            id,
            "solve",
            &json!({"resolution": "Refunded the duplicate charge.", "road": 1, "learned": "The retry job double-bills on timeouts."}),
        )
        .await;
    assert_eq!(v["state"], "solved");
    assert_eq!(v["solution"]["road"], 1);
    assert_eq!(
        v["solution"]["learned"],
        "The retry job double-bills on timeouts."
    );
    assert_eq!(v["solution"]["solved_by"], org.vp.id);

    // The customer rates it through their link's token.
    app.advance(hours(1));
    let rated = app
        .send(
            app.request(Method::POST, &format!("/api/v1/cases/{id}/rating?token={customer}"))
                .json(&json!({"score": 5, "delighted_by": "The refund came the same day", "would_recommend": true})),
        )
        .await;
    assert_eq!(rated.status, StatusCode::OK, "{}", rated.text);
    assert_eq!(rated.body["rated"], true);
    assert_eq!(rated.body["resolution"], "Refunded the duplicate charge.");
    let v = app.case(id).await;
    assert_eq!(v["rating"]["score"], 5);
    assert_eq!(v["rating"]["would_recommend"], true);

    // The customer writes again: the case reopens to the VP, with a fresh deadline.
    app.advance(hours(1));
    let reopened_at = app.now();
    let wrote = app
        .send(
            app.request(
                Method::POST,
                &format!("/api/v1/cases/{id}/customer-messages?token={customer}"),
            )
            .json(&json!({"body": "It happened again this month."})),
        )
        .await;
    assert_eq!(wrote.status, StatusCode::OK, "{}", wrote.text);
    assert_eq!(wrote.body["state"], "open");
    let v = app.case(id).await;
    assert_eq!(v["state"], "open");
    assert_eq!(
        v["owner"], org.vp.id,
        "a reopened case goes back to whoever solved it"
    );
    assert_eq!(time(&v["escalates_at"]), reopened_at + hours(20));

    // The whole story, in order, with consecutive sequence numbers and the right actors.
    let events = v["events"].as_array().expect("events");
    assert_eq!(
        kinds(events),
        [
            "opened",
            "passed_up",
            "passed_up",
            "taken",
            "solved",
            "rated",
            "customer_replied",
            "reopened"
        ]
    );
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e["seq"], i as u64 + 1, "seqs are consecutive from 1: {e}");
    }
    let ats: Vec<_> = events.iter().map(|e| time(&e["at"])).collect();
    assert!(
        ats.windows(2).all(|w| w[0] <= w[1]),
        "events are in time order: {ats:?}"
    );
    assert_eq!(events[1]["actor"], person_actor(org.front1.id));
    assert_eq!(
        events[1]["data"],
        json!({"from": org.front1.id, "to": org.lead.id, "reason": "needs a refund approval"})
    );
    assert_eq!(events[2]["actor"], person_actor(org.lead.id));
    assert_eq!(events[2]["data"]["from"], org.lead.id);
    assert_eq!(events[2]["data"]["to"], org.manager.id);
    assert_eq!(events[3]["actor"], person_actor(org.vp.id));
    assert_eq!(
        events[3]["data"],
        json!({"from": org.manager.id, "to": org.vp.id})
    );
    assert_eq!(events[4]["actor"], person_actor(org.vp.id));
    assert_eq!(events[4]["data"]["road"], 1);
    assert_eq!(events[5]["actor"], json!({"type": "customer"}));
    assert_eq!(events[5]["data"]["score"], 5);
    assert_eq!(events[6]["actor"], json!({"type": "customer"}));
    assert_eq!(events[6]["data"]["body"], "It happened again this month.");
    assert_eq!(events[7]["data"]["owner"], org.vp.id);
    assert_eq!(time(&events[7]["at"]), reopened_at);

    // The customer's view shows the conversation, never internal events.
    let view = app
        .send(app.request(
            Method::GET,
            &format!("/api/v1/cases/{id}/customer-view?token={customer}"),
        ))
        .await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.text);
    let bodies: Vec<_> = view.body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["body"].clone())
        .collect();
    assert_eq!(
        bodies,
        [
            json!("I was charged twice for March."),
            json!("Refunded the duplicate charge."),
            json!("It happened again this month.")
        ]
    );
    assert!(
        !view.text.contains("retry job"),
        "what we learned is internal: {}",
        view.text
    );
}

#[tokio::test]
async fn upgrade_goes_to_the_category_manager() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let id = app
        .open_case_id(&org.front2, "Live call: wants to cancel over pricing")
        .await;

    let v = app
        .act_ok(
            &org.front2,
            id,
            "upgrade",
            &json!({"reason": "pricing feedback, customer on the line"}),
        )
        .await;
    assert_eq!(
        v["owner"], org.manager.id,
        "an upgrade goes to the manager of the category, not the supervisor"
    );
    let events = app.events(id).await;
    assert_eq!(kinds(&events), ["opened", "upgraded"]);
    assert_eq!(events[1]["seq"], 2);
    assert_eq!(events[1]["actor"], person_actor(org.front2.id));
    assert_eq!(
        events[1]["data"],
        json!({"from": org.front2.id, "to": org.manager.id, "reason": "pricing feedback, customer on the line"})
    );
    assert_eq!(
        count_kind(&events, "passed_up"),
        0,
        "an upgrade is not a pass-up"
    );

    // On a live call it takes one click: no body at all.
    let id2 = app
        .open_case_id(&org.front1, "Live call: confused by the invoice")
        .await;
    let r = app
        .send(app.authed(
            Method::POST,
            &format!("/api/v1/cases/{id2}/upgrade"),
            &org.front1.token,
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["owner"], org.manager.id);
    assert_eq!(kinds(&app.events(id2).await), ["opened", "upgraded"]);
}

#[tokio::test]
async fn my_open_cases_are_listed_by_executive_deadline() {
    let app = TestApp::spawn().await;
    let org = app.org().await;

    let a = app
        .open_case_id(&org.front1, "A: opened first, later reopened")
        .await;
    app.advance(hours(1));
    let b = app.open_case_id(&org.front1, "B: opened second").await;
    app.advance(hours(1));
    let f = app.open_case_id(&org.front1, "F: opened third").await;
    let solved = app.open_case_id(&org.front1, "solved one").await;
    let passed = app.open_case_id(&org.front1, "passed up one").await;
    let other = app.open_case_id(&org.front2, "someone else's").await;
    let solve = json!({"resolution": "Done.", "road": 2, "learned": "Nothing new."});
    app.act_ok(&org.front1, solved, "solve", &solve).await;
    app.act_ok(&org.front1, a, "solve", &solve).await;
    app.act_ok(
        &org.front1,
        passed,
        "pass-up",
        &json!({"reason": "beyond me"}),
    )
    .await;

    // A's customer writes again an hour later: A reopens with the latest deadline.
    app.advance(hours(1));
    let token = app.customer_token_of(a).await;
    let r = app
        .send(
            app.request(
                Method::POST,
                &format!("/api/v1/cases/{a}/customer-messages?token={token}"),
            )
            .json(&json!({"body": "Still wrong."})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    let r = app
        .get(&org.front1.token, "/api/v1/cases?owner=me&state=open")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let list = r.body.as_array().expect("a list");
    let ids: Vec<_> = list.iter().map(|c| c["id"].as_i64().expect("id")).collect();
    assert_eq!(
        ids,
        [b, f, a],
        "only my open cases, soonest executive deadline first"
    );
    for c in list {
        assert_eq!(c["owner"], org.front1.id);
        assert_eq!(c["state"], "open");
    }
    let deadlines: Vec<_> = list.iter().map(|c| time(&c["escalates_at"])).collect();
    assert_eq!(
        deadlines,
        [t0() + hours(21), t0() + hours(22), t0() + hours(23)]
    );

    let r = app
        .get(&org.front2.token, "/api/v1/cases?owner=me&state=open")
        .await;
    let ids: Vec<_> = r
        .body
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| c["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(ids, [other]);

    let r = app
        .get(&org.lead.token, "/api/v1/cases?owner=me&state=open")
        .await;
    let ids: Vec<_> = r
        .body
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| c["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(ids, [passed], "a passed-up case is on its new owner's list");
}

#[tokio::test]
async fn idempotency_key_makes_retries_safe() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let body = intake("Retried intake");
    let open = |key: &str, body: &serde_json::Value, token: &str| {
        app.authed(Method::POST, "/api/v1/cases", token)
            .header("Idempotency-Key", key)
            .json(body)
    };

    let first = app
        .send(open("intake-7f3a", &body, &org.front1.token))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    app.advance(minutes(1));
    let again = app
        .send(open("intake-7f3a", &body, &org.front1.token))
        .await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.text);
    assert_eq!(
        again.body["id"], first.body["id"],
        "a retry returns the case the first request opened"
    );
    assert_eq!(again.body["ref"], first.body["ref"]);
    assert_eq!(again.body["opened_at"], first.body["opened_at"]);
    let all = app.get(&app.admin_token, "/api/v1/cases").await;
    assert_eq!(
        all.body.as_array().expect("a list").len(),
        1,
        "only one case exists"
    );
    let id = first.body["id"].as_i64().expect("id");
    assert_eq!(kinds(&app.events(id).await), ["opened"]);

    // The same key with another body is a client bug: refused, nothing opened.
    let mut changed = body.clone();
    changed["subject"] = json!("A different problem");
    app.refused(
        open("intake-7f3a", &changed, &org.front1.token),
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("Idempotency-Key"),
    )
    .await;

    // Another key is another case; another person's key is theirs alone.
    let other_key = app
        .send(open("intake-8b21", &body, &org.front1.token))
        .await;
    assert_eq!(other_key.status, StatusCode::CREATED, "{}", other_key.text);
    assert_ne!(other_key.body["id"], first.body["id"]);
    let other_person = app
        .send(open("intake-7f3a", &body, &org.front2.token))
        .await;
    assert_eq!(
        other_person.status,
        StatusCode::CREATED,
        "{}",
        other_person.text
    );
    assert_ne!(other_person.body["id"], first.body["id"]);
    assert_eq!(other_person.body["owner"], org.front2.id);
    let all = app.get(&app.admin_token, "/api/v1/cases").await;
    assert_eq!(all.body.as_array().expect("a list").len(), 3);
}

#[tokio::test]
async fn openapi_document_describes_the_core_api() {
    let app = TestApp::spawn().await;
    let r = app
        .send(app.request(Method::GET, "/api/openapi.json"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.is_json(), "served as JSON");
    let doc: serde_json::Value = serde_json::from_str(&r.text).expect("valid JSON");
    let version = doc["openapi"].as_str().expect("an openapi version");
    assert!(version.starts_with("3."), "OpenAPI 3.x, got {version}");
    let paths = doc["paths"].as_object().expect("paths");
    for path in [
        "/api/v1/cases",
        "/api/v1/cases/{id}",
        "/api/v1/cases/{id}/pass-up",
        "/api/v1/cases/{id}/solve",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} is documented; paths: {:?}",
            paths.keys().collect::<Vec<_>>()
        );
    }
    assert!(
        paths["/api/v1/cases"].get("post").is_some(),
        "opening a case is documented"
    );
    assert!(
        paths["/api/v1/cases"].get("get").is_some(),
        "listing cases is documented"
    );
    assert!(paths["/api/v1/cases/{id}/pass-up"].get("post").is_some());
}
