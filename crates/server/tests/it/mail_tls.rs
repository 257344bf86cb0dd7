//! Mail to a relay that insists on TLS and a login, as hosted relays do: STARTTLS on a
//! submission port and TLS from the first byte, with AUTH; a wrong password or a relay
//! that cannot do TLS keeps the mail waiting instead of losing it or sending it in clear.

use crate::common;

use common::secure_sink;

use common::smtp_sink::{header, SmtpSink};
use common::TestApp;
use roadone_server::mail::MailSender;
use secure_sink::{SecureSink, PASSWORD, USER};

fn relay_url(scheme: &str, port: u16, password: &str, query: &str) -> String {
    let encode = |s: &str| {
        s.replace('%', "%25")
            .replace('@', "%40")
            .replace(':', "%3A")
    };
    format!(
        "{scheme}://{}:{}@127.0.0.1:{port}{query}",
        encode(USER),
        encode(password)
    )
}

async fn deliver_through(
    relay: &str,
    ca: Option<std::path::PathBuf>,
) -> (TestApp, (usize, usize, usize)) {
    let relay = relay.to_string();
    let app = TestApp::spawn_with(move |c| {
        c.smtp_relay = Some(relay);
        c.smtp_relay_ca_file = ca;
    })
    .await;
    let org = app.org().await;
    app.open_case(&org.front1, "Charged twice").await;
    let sender = MailSender::new(
        app.state.clone(),
        app.state.templates().clone(),
        app.state.config().smtp_relay.as_deref().unwrap(),
    )
    .expect("a valid relay");
    let report = sender.deliver_due().await.expect("delivery runs");
    (app, (report.sent, report.retrying, report.failed))
}

#[tokio::test]
async fn mail_goes_out_over_starttls_with_a_login() {
    let Some(relay) = SecureSink::start(true) else {
        return;
    };
    let url = relay_url("smtp", relay.port, PASSWORD, "?tls=required");
    let (_app, report) = deliver_through(&url, Some(relay.ca_file())).await;
    assert_eq!(report, (1, 0, 0), "the acknowledgment is delivered");
    let messages = relay.wait_for(1);
    assert_eq!(messages.len(), 1, "the relay received it");
    assert!(
        header(&messages[0], "To").is_some_and(|t| t.contains("ann@example.com")),
        "to the customer: {}",
        messages[0]
    );
}

#[tokio::test]
async fn mail_goes_out_over_implicit_tls_with_a_login() {
    let Some(relay) = SecureSink::start(false) else {
        return;
    };
    let url = relay_url("smtps", relay.port, PASSWORD, "");
    let (_app, report) = deliver_through(&url, Some(relay.ca_file())).await;
    assert_eq!(report, (1, 0, 0), "the acknowledgment is delivered");
    assert_eq!(relay.wait_for(1).len(), 1, "the relay received it");
}

#[tokio::test]
async fn a_wrong_password_keeps_the_mail_waiting_instead_of_giving_it_up() {
    let Some(relay) = SecureSink::start(true) else {
        return;
    };
    let url = relay_url("smtp", relay.port, "not-the-password", "?tls=required");
    let (app, report) = deliver_through(&url, Some(relay.ca_file())).await;
    assert_eq!(
        report,
        (0, 1, 0),
        "a refused login is our configuration, not the customer's address: retried later"
    );
    assert!(relay.messages().is_empty(), "nothing was accepted");
    let open = app.get(&app.admin_token, "/api/v1/cases?state=open").await;
    let id = open.body[0]["id"].as_i64().expect("the case");
    let events = app.events(id).await;
    assert_eq!(
        common::count_kind(&events, "delivery_failed"),
        0,
        "no delivery failure is recorded on the case: {events:?}"
    );
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused_and_the_mail_waits() {
    let Some(relay) = SecureSink::start(true) else {
        return;
    };
    // Without the test CA the relay's certificate cannot be verified.
    let url = relay_url("smtp", relay.port, PASSWORD, "?tls=required");
    let (_app, report) = deliver_through(&url, None).await;
    assert_eq!(
        report,
        (0, 1, 0),
        "not sent to an unverified relay; retried later"
    );
    assert!(relay.messages().is_empty());
}

#[tokio::test]
async fn a_relay_without_starttls_never_gets_the_mail_in_clear_when_tls_is_required() {
    let Some(plain) = SmtpSink::start() else {
        return;
    };
    let url = format!("smtp://127.0.0.1:{}?tls=required", plain.port);
    let (_app, report) = deliver_through(&url, None).await;
    assert_eq!(report, (0, 1, 0), "kept for a retry");
    assert!(
        plain.messages().is_empty(),
        "nothing crossed the wire in clear text"
    );
}
