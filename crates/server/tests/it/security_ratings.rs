//! A rating is the customer's word: the delight report and customer math decide raises on
//! it. So staff never see a customer's link, and a rating that comes with a staff session
//! or a staff token is refused; staff who need the customer to have the link mail it to
//! the customer's address.

use crate::common;
use common::staff;

use common::smtp_sink::{body, header, SmtpSink};
use common::TestApp;
use reqwest::StatusCode;
use serde_json::json;
use staff::{set_passwords, StaffSession};

async fn solved_case(app: &TestApp) -> (common::Org, i64, String) {
    let org = app.org().await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    app.act_ok(
        &org.front1,
        id,
        "solve",
        &json!({"resolution": "Refunded the second charge.", "road": 2, "learned": "Billing runs twice on leap days."}),
    )
    .await;
    let token = app.customer_token_of(id).await;
    (org, id, token)
}

#[tokio::test]
async fn authorisation_staff_never_see_the_customers_link() {
    let app = TestApp::spawn().await;
    let (org, id, token) = solved_case(&app).await;
    let api = app
        .get(&org.front2.token, &format!("/api/v1/cases/{id}"))
        .await;
    assert_eq!(api.status, StatusCode::OK);
    assert!(
        !api.text.contains(&token),
        "the API shows the token: {}",
        api.text
    );
    let list = app.get(&org.front2.token, "/api/v1/cases").await;
    assert!(!list.text.contains(&token));
    set_passwords(&app, &[org.front2.id]).await;
    let staff = StaffSession::sign_in(&app, org.front2.id).await;
    let page = staff.get_text(&format!("/staff/cases/{id}")).await;
    assert!(page.contains("Charged twice"), "{page}");
    assert!(!page.contains(&token), "the staff page shows the token");
}

#[tokio::test]
async fn authorisation_a_rating_from_a_staff_session_or_token_is_refused() {
    let app = TestApp::spawn().await;
    let (org, id, token) = solved_case(&app).await;
    set_passwords(&app, &[org.front1.id]).await;
    let solver = StaffSession::sign_in(&app, org.front1.id).await;

    // The solver, signed in to the staff pages, opens the customer's link and rates.
    let page = solver
        .get(&format!("/portal/cases/{id}?token={token}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = staff::csrf_in(&page);
    let mut form = vec![
        ("score", "5"),
        ("would_recommend", "yes"),
        ("delighted_by", "me"),
    ];
    if let Some(c) = csrf.as_deref() {
        form.push(("csrf", c));
    }
    let r = solver
        .post(&format!("/portal/cases/{id}/rating?token={token}"))
        .header("Sec-Fetch-Site", "same-origin")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let text = r.text().await.unwrap();
    assert!(text.contains("signed in as staff"), "{text}");

    // Through the API with a staff token beside the customer's link: refused too.
    let rating = json!({"score": 5, "delighted_by": "me", "would_recommend": true});
    let r = app
        .send(
            app.authed(
                reqwest::Method::POST,
                &format!("/api/v1/cases/{id}/rating?token={token}"),
                &org.front1.token,
            )
            .json(&rating),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(app.case(id).await["rating"].is_null(), "nothing was rated");

    // The customer alone rates.
    let r = app
        .send(
            app.request(
                reqwest::Method::POST,
                &format!("/api/v1/cases/{id}/rating?token={token}"),
            )
            .json(&rating),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(app.case(id).await["rating"]["score"], 5);
}

#[tokio::test]
async fn staff_mail_the_customer_their_link_instead() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let relay = format!("smtp://127.0.0.1:{}", sink.port);
    let app = TestApp::spawn_with(move |c| c.smtp_relay = Some(relay)).await;
    let (org, id, token) = solved_case(&app).await;
    let r = app
        .post(
            &org.front2.token,
            &format!("/api/v1/cases/{id}/send-link"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["sent_to"], "ann@example.com");
    assert!(!r.text.contains(&token));
    let messages = sink.wait_for(1);
    let mail = messages
        .iter()
        .find(|m| header(m, "To").is_some_and(|t| t.contains("ann@example.com")))
        .expect("the mail to the customer");
    let text = body(mail);
    assert!(
        text.contains(&format!("/portal/cases/{id}?token={token}")),
        "{text}"
    );
    assert!(text.contains("Finn Front"), "it says who asked: {text}");
    assert_eq!(
        header(mail, "Auto-Submitted").as_deref(),
        Some("auto-generated")
    );

    // From the staff page, the same.
    set_passwords(&app, &[org.front2.id]).await;
    let staff = StaffSession::sign_in(&app, org.front2.id).await;
    let r = staff
        .post(&format!("/staff/cases/{id}/send-link"))
        .form(&[("csrf", staff.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("was mailed to ann@example.com"), "{page}");
    assert!(!page.contains(&token));
    sink.wait_for(2);
}

#[tokio::test]
async fn without_a_relay_sending_the_link_says_so() {
    let app = TestApp::spawn().await;
    let (org, id, _) = solved_case(&app).await;
    let r = app
        .post(
            &org.front2.token,
            &format!("/api/v1/cases/{id}/send-link"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no mail relay"),
        "{}",
        r.text
    );
}
