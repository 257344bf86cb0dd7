//! Internal notes: for the people on a case, never for the customer — not in their view,
//! not on their page, not their files, not in a mail.

use crate::common;

use common::*;
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn a_note_and_its_file_stay_inside() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let case = app.open_case(&org.front1, "Charged twice").await;
    let id = case["id"].as_i64().unwrap();
    let token = app.customer_token_of(id).await;
    let secret = "Card processor admits a double-charge bug; do not tell customers yet";
    let form = reqwest::multipart::Form::new().text("body", secret).part(
        "file",
        reqwest::multipart::Part::bytes(b"%PDF-1.4 internal incident report".to_vec())
            .file_name("incident.pdf"),
    );
    let r = app
        .send(
            app.authed(
                Method::POST,
                &format!("/api/v1/cases/{id}/notes"),
                &org.manager.token,
            )
            .multipart(form),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let events = app.events(id).await;
    let note = events.last().unwrap();
    assert_eq!(note["kind"], "note_added");
    assert_eq!(note["data"]["body"], secret);
    assert_eq!(
        app.case(id).await["owner"],
        org.front1.id,
        "a note by someone above moves nothing"
    );
    let sha = note["data"]["attachments"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_string();

    // Staff can read the file...
    let (status, _, bytes) = app
        .client_get_raw(
            &format!("/api/v1/cases/{id}/attachments/{sha}"),
            Some(&org.front1.token),
        )
        .await;
    assert_eq!(
        (status, bytes.as_slice()),
        (200, &b"%PDF-1.4 internal incident report"[..])
    );
    // ...the customer, with their own case's link, cannot.
    let (status, _, _) = app
        .client_get_raw(
            &format!("/api/v1/cases/{id}/attachments/{sha}?token={token}"),
            None,
        )
        .await;
    assert_eq!(status, 404, "a note's file is not the customer's");
    let view = app
        .send(app.request(
            Method::GET,
            &format!("/api/v1/cases/{id}/customer-view?token={token}"),
        ))
        .await;
    assert!(!view.text.contains("double-charge"), "{}", view.text);
    let page = app
        .send(app.request(Method::GET, &format!("/portal/cases/{id}?token={token}")))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.text.contains("double-charge") && !page.text.contains("incident.pdf"),
        "the customer's page shows neither the note nor its file"
    );
}

#[tokio::test]
async fn a_note_needs_text_or_a_file_and_a_staff_token() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    let before = app.events(id).await.len();
    let r = app
        .post(
            &org.front1.token,
            &format!("/api/v1/cases/{id}/notes"),
            &serde_json::json!({"body": "  "}),
        )
        .await;
    expect_error(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("body"));
    let r = app
        .send(
            app.request(Method::POST, &format!("/api/v1/cases/{id}/notes"))
                .json(&serde_json::json!({"body": "hello"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.events(id).await.len(), before, "nothing was recorded");
}
