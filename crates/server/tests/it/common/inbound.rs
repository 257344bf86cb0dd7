//! Mail for the intake: raw messages built from headers, delivered as the MTA does over
//! `POST /api/v1/inbound/email`, and the mail to customers they caused.

use super::{Resp, TestApp};
use reqwest::{Method, StatusCode};
use roadone_domain::Recipient;

/// A raw message: these headers, a blank line, the body.
pub fn raw_mail(headers: &[(&str, &str)], body: &str) -> String {
    let mut raw = String::new();
    for (k, v) in headers {
        raw.push_str(&format!("{k}: {v}\r\n"));
    }
    raw.push_str("\r\n");
    raw.push_str(body);
    raw
}

/// Delivers a raw message as an administrator's MTA does.
pub async fn deliver(app: &TestApp, raw: &str) -> Resp {
    app.send(
        app.authed(Method::POST, "/api/v1/inbound/email", &app.admin_token)
            .header("content-type", "message/rfc822")
            .body(raw.to_string()),
    )
    .await
}

/// Notifications to customers waiting in the outbox, of `case` or of every case. They are
/// claimed only until a year from now, so the next look sees them again.
pub async fn customer_mails(app: &TestApp, case: Option<i64>) -> usize {
    let far = app.now() + chrono::Duration::days(365);
    let rows = app
        .store
        .claim_outbox("test", far, chrono::Duration::zero(), 10_000)
        .await
        .unwrap();
    rows.iter()
        .filter(|r| case.is_none_or(|c| r.case_id == c))
        .filter(|r| r.notification.recipient == Recipient::Customer)
        .count()
}

/// Mails in from `sender` and returns (case id, owner id, customer id).
pub async fn mail_in(app: &TestApp, sender: &str, n: usize) -> (i64, i64, i64) {
    let raw = raw_mail(
        &[
            ("From", sender),
            ("To", "support@roadone.local"),
            ("Subject", "Where is my parcel?"),
            ("Message-ID", &format!("<{n}.{sender}>")),
        ],
        "Hello, my parcel has not arrived.\r\n",
    );
    let r = deliver(app, &raw).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["case_id"].as_i64().expect("a case");
    let case = app.case(id).await;
    (
        id,
        case["owner"].as_i64().expect("an owner"),
        app.customer_id_of(id).await,
    )
}
