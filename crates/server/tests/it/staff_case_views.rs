//! The views of the case list as staff use them: my team's cases, those waiting on the
//! customer, the company's escalated ones, filters that name what is wrong, pages with a
//! count, and acting on several cases at once with each refusal named.

use crate::common;

use common::html::unescape;
use common::staff::{set_passwords, StaffSession};
use common::*;
use reqwest::StatusCode;
use serde_json::json;

/// The case ids a list page links to, in order.
fn listed(page: &str) -> Vec<i64> {
    let mut seen = Vec::new();
    for href in common::html::attributes(page, "href") {
        if let Some(id) = href
            .strip_prefix("/staff/cases/")
            .and_then(|r| r.parse::<i64>().ok())
        {
            if !seen.contains(&id) {
                seen.push(id);
            }
        }
    }
    seen
}

fn count_line(page: &str) -> String {
    page.split("id=\"count\" role=\"status\">")
        .nth(1)
        .and_then(|s| s.split("</p>").next())
        .unwrap_or_else(|| panic!("a count: {page}"))
        .to_string()
}

#[tokio::test]
async fn each_view_shows_its_cases_with_a_count() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let a = app.open_case_id(&org.front1, "Charged twice").await;
    let b = app.open_case_id(&org.front2, "Refund missing").await;
    let own = app.open_case_id(&org.lead, "Lead's own").await;
    let reply = json!({"body": "Which card was it?"});
    app.act_ok(&org.front1, a, "messages", &reply).await;
    set_passwords(
        &app,
        &[org.front1.id, org.lead.id, org.vp.id, org.manager.id],
    )
    .await;

    let lead = StaffSession::sign_in(&app, org.lead.id).await;
    let team = lead.get_text("/staff/cases?view=team").await;
    assert_eq!(
        listed(&team),
        vec![a, b],
        "the cases of everyone below, not mine"
    );
    assert_eq!(unescape(&count_line(&team)), "1–2 of 2 cases");
    let mine = lead.get_text("/staff/cases").await;
    assert_eq!(listed(&mine), vec![own]);
    let manager = StaffSession::sign_in(&app, org.manager.id).await;
    let deeper = manager.get_text("/staff/cases?view=team").await;
    assert_eq!(listed(&deeper), vec![a, b, own], "at any depth below");

    let fran = StaffSession::sign_in(&app, org.front1.id).await;
    let waiting = fran.get_text("/staff/cases?view=waiting").await;
    assert_eq!(listed(&waiting), vec![a], "we wrote last on it");
    let answer = app
        .send(
            app.request(
                reqwest::Method::POST,
                &format!(
                    "/api/v1/cases/{a}/customer-messages?token={}",
                    app.customer_token_of(a).await
                ),
            )
            .json(&json!({"body": "The Visa."})),
        )
        .await;
    assert!(answer.status.is_success(), "{}", answer.text);
    let after = fran.get_text("/staff/cases?view=waiting").await;
    assert!(listed(&after).is_empty(), "answered: no longer waiting");
    let refused = fran
        .get("/staff/cases?view=escalated")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "not for frontline");
    let bad = fran.get("/staff/cases?category=nope").send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unescape(&bad.text().await.unwrap()).contains("there is no category “nope”"));

    app.set_clock(chrono::Duration::hours(21));
    app.sweep().await;
    app.sweep().await;
    let vp = StaffSession::sign_in(&app, org.vp.id).await;
    let escalated = vp.get_text("/staff/cases?view=escalated").await;
    assert_eq!(
        listed(&escalated).len(),
        3,
        "every unsolved case escalated after 20 h"
    );
    let by_phone = vp
        .get_text("/staff/cases?view=escalated&channel=phone")
        .await;
    assert!(listed(&by_phone).is_empty(), "none came in by phone");
}

#[tokio::test]
async fn a_long_list_pages_with_the_count_of_all() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let mut ids = Vec::new();
    for n in 0..53 {
        ids.push(app.open_case_id(&org.front1, &format!("Case {n}")).await);
    }
    set_passwords(&app, &[org.front1.id]).await;
    let fran = StaffSession::sign_in(&app, org.front1.id).await;
    let first = fran.get_text("/staff/cases?sort=oldest").await;
    assert_eq!(listed(&first), ids[..50].to_vec());
    assert_eq!(
        unescape(&count_line(&first)),
        "1–50 of 53 cases · page 1 of 2"
    );
    let next = unescape(&first)
        .split("rel=\"next\"")
        .next()
        .and_then(|s| s.rsplit("href=\"").next())
        .map(|s| s.trim_end_matches("\" ").to_string())
        .expect("a next page link");
    let second = fran.get_text(next.trim_end_matches('"')).await;
    assert_eq!(listed(&second), ids[50..].to_vec(), "{next}");
    assert_eq!(
        unescape(&count_line(&second)),
        "51–53 of 53 cases · page 2 of 2"
    );
}

#[tokio::test]
async fn several_cases_are_taken_at_once_and_each_refusal_is_named() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let a = app.open_case_id(&org.front1, "Charged twice").await;
    let b = app.open_case_id(&org.front2, "Refund missing").await;
    let own = app.open_case_id(&org.lead, "Lead's own").await;
    set_passwords(&app, &[org.lead.id, org.front1.id]).await;
    let lead = StaffSession::sign_in(&app, org.lead.id).await;
    let (a_s, b_s, own_s) = (a.to_string(), b.to_string(), own.to_string());
    let r = lead
        .post("/staff/cases/bulk")
        .form(&[
            ("csrf", lead.csrf.as_str()),
            ("back", "/staff/cases?view=team"),
            ("action", "take"),
            ("case", &a_s),
            ("case", &b_s),
            ("case", &own_s),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/staff/cases?view=team");
    let page = unescape(&lead.follow(r).await);
    let reference = |id: i64| format!("RD-{id:06}");
    assert!(
        page.contains("2 cases were taken.")
            && page.contains(&format!("Not done: {}", reference(own))),
        "two taken, the lead's own case named with why: {page}"
    );
    for id in [a, b] {
        assert_eq!(app.case(id).await["owner"], org.lead.id, "case {id} taken");
    }

    let fran = StaffSession::sign_in(&app, org.front1.id).await;
    let c = app.open_case_id(&org.front1, "Needs a manager").await;
    let c_s = c.to_string();
    let no_reason = fran
        .post("/staff/cases/bulk")
        .form(&[
            ("csrf", fran.csrf.as_str()),
            ("action", "pass_up"),
            ("case", &c_s),
        ])
        .send()
        .await
        .unwrap();
    let said = unescape(&fran.follow(no_reason).await);
    assert!(said.contains("say why the cases go up"), "{said}");
    assert_eq!(app.case(c).await["owner"], org.front1.id, "nothing moved");
    let with_reason = fran
        .post("/staff/cases/bulk")
        .form(&[
            ("csrf", fran.csrf.as_str()),
            ("action", "pass_up"),
            ("reason", "needs a refund approval"),
            ("case", &c_s),
            ("back", "https://evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        with_reason.headers()["location"],
        "/staff/cases",
        "back only to a case list of this site"
    );
    assert_eq!(
        app.case(c).await["owner"],
        org.lead.id,
        "passed up to the lead"
    );
    let forged = fran
        .post("/staff/cases/bulk")
        .form(&[("action", "take"), ("case", &c_s)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        forged.status(),
        StatusCode::FORBIDDEN,
        "no CSRF token, nothing done"
    );
}

#[tokio::test]
async fn a_view_saved_under_a_name_is_one_click_away_and_only_for_its_owner() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let a = app.open_case_id(&org.front1, "Charged twice").await;
    set_passwords(&app, &[org.lead.id, org.front1.id]).await;
    let lead = StaffSession::sign_in(&app, org.lead.id).await;
    let page = unescape(&lead.get_text("/staff/cases?view=team&sort=oldest").await);
    let query = page
        .split("name=\"query\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the view's own query in the save form")
        .to_string();
    let r = lead
        .post("/staff/cases/views")
        .form(&[
            ("csrf", lead.csrf.as_str()),
            ("action", "save"),
            ("name", "Team, oldest first"),
            ("query", &query),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let saved = unescape(&lead.follow(r).await);
    assert!(saved.contains("Saved as “Team, oldest first”"), "{saved}");
    let link = saved
        .split("id=\"saved-views\">")
        .nth(1)
        .and_then(|s| s.split("href=\"").nth(1))
        .and_then(|s| s.split('"').next())
        .expect("the saved view in the nav")
        .to_string();
    let opened = lead.get_text(&link).await;
    assert_eq!(
        listed(&opened),
        vec![a],
        "the saved view shows the team's cases"
    );
    let fran = StaffSession::sign_in(&app, org.front1.id).await;
    let hers = unescape(&fran.get_text("/staff/cases").await);
    assert!(
        !hers.contains("Team, oldest first"),
        "a view is its owner's only"
    );
    // A view one may not open is not saved.
    let r = fran
        .post("/staff/cases/views")
        .form(&[
            ("csrf", fran.csrf.as_str()),
            ("action", "save"),
            ("name", "Everything"),
            ("query", "view=all"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = lead
        .post("/staff/cases/views")
        .form(&[
            ("csrf", lead.csrf.as_str()),
            ("action", "delete"),
            ("name", "Team, oldest first"),
        ])
        .send()
        .await
        .unwrap();
    let after = unescape(&lead.follow(r).await);
    assert!(
        after.contains("is no longer among your views") && !after.contains("id=\"saved-views\"")
    );
}
