//! Mail for the intake: raw messages built from headers, delivered as the MTA does over
//! `POST /api/v1/inbound/email`, and the mail to customers they caused.

use super::{Resp, TestApp};
use reqwest::Method;
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
