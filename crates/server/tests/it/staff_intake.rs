//! Taking a call on the staff pages: the checklist with "the customer did not have it",
//! realtime help only with a reason, and the promise in large type at the end.

use crate::common;

use common::staff;

use common::*;
use reqwest::header::{COOKIE, LOCATION};
use reqwest::StatusCode;

async fn setup() -> (TestApp, Org, reqwest::Client) {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    staff::set_passwords(&app, &[org.front1.id, org.manager.id]).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    (app, org, client)
}

/// Signs the person `id` in; returns the session cookie and a CSRF token.
async fn signed_in(app: &TestApp, id: i64) -> (String, String) {
    let session = staff::StaffSession::sign_in(app, id).await;
    (session.cookie, session.csrf)
}

#[tokio::test]
async fn a_call_becomes_a_case_owned_by_whoever_took_it_with_the_promise_to_read_out() {
    let (app, org, client) = setup().await;
    let (cookie, csrf) = signed_in(&app, org.front1.id).await;
    let r = client
        .post(format!("{}/staff/intake/billing", app.url))
        .header(COOKIE, &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Ann Caller"),
            ("phone", "+44 20 7946 0000"),
            ("missing_account_number", "1"),
            (
                "description",
                "Charged twice for March\nShe read me both amounts.",
            ),
            ("realtime", "1"),
            ("realtime_reason", "she is about to travel"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let done = r.headers()[LOCATION].to_str().unwrap().to_string();
    let page = client
        .get(format!("{}{done}", app.url))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let id: i64 = done.rsplit('/').next().unwrap().parse().unwrap();
    let case = app.case(id).await;
    assert!(
        page.contains("Read this to the caller") && page.contains(case["ref"].as_str().unwrap()),
        "the reference is there to read out: {page}"
    );
    assert_eq!(
        case["owner"], org.front1.id,
        "whoever took the call owns it"
    );
    let opened = &case["events"][0]["data"];
    assert_eq!(opened["channel"], "phone");
    assert_eq!(opened["subject"], "Charged twice for March");
    assert_eq!(opened["missing_facts"][0], "account_number");
    assert_eq!(opened["realtime"]["reason"], "she is about to travel");
    assert_eq!(
        opened["customer"]["phone"], "+442079460000",
        "the number is kept in E.164, however it was typed"
    );
}

#[tokio::test]
async fn a_required_fact_neither_given_nor_marked_missing_or_realtime_without_a_reason_is_sent_back(
) {
    let (app, org, client) = setup().await;
    let (cookie, csrf) = signed_in(&app, org.front1.id).await;
    let before = app.get(&app.admin_token, "/api/v1/cases?state=all").await;
    let attempts: [(&[(&str, &str)], &str); 3] = [
        (
            &[("name", "Ann"), ("description", "Charged twice")],
            "requires fact \"account_number\"",
        ),
        (
            &[
                ("name", "Ann"),
                ("description", "Charged twice"),
                ("fact_account_number", "AC-1"),
                ("realtime", "1"),
            ],
            "the reason for offering it must be recorded",
        ),
        (
            &[
                ("name", "Ann"),
                ("description", "Charged twice"),
                ("fact_account_number", "AC-1"),
                ("missing_account_number", "1"),
            ],
            "not both",
        ),
    ];
    for (fields, says) in attempts {
        let mut form: Vec<(&str, &str)> =
            vec![("csrf", csrf.as_str()), ("phone", "+44 20 7946 0000")];
        form.extend_from_slice(fields);
        let r = client
            .post(format!("{}/staff/intake/billing", app.url))
            .header(COOKIE, &cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        let page = r.text().await.unwrap();
        let problem = page
            .split("class=\"problem\" role=\"alert\">")
            .nth(1)
            .and_then(|rest| rest.split("</p>").next())
            .map(common::html::unescape)
            .unwrap_or_else(|| panic!("a problem is shown at the top: {page}"));
        assert!(
            problem.contains(says),
            "the problem is named ({says}): {problem}"
        );
        assert!(
            page.contains("value=\"Ann\""),
            "what was typed is kept: {page}"
        );
    }
    let after = app.get(&app.admin_token, "/api/v1/cases?state=all").await;
    assert_eq!(before.body, after.body, "no case was opened");
}

#[tokio::test]
async fn a_call_cannot_be_saved_without_the_forms_csrf_token() {
    let (app, org, client) = setup().await;
    let (cookie, _) = signed_in(&app, org.front1.id).await;
    let r = client
        .post(format!("{}/staff/intake/billing", app.url))
        .header(COOKIE, &cookie)
        .form(&[
            ("name", "Ann"),
            ("description", "x"),
            ("fact_account_number", "A"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let cases = app.get(&app.admin_token, "/api/v1/cases?state=all").await;
    assert_eq!(cases.body.as_array().unwrap().len(), 0);
}
