//! Mail in over SMTP: a real SMTP client (lettre) talks to the listener, which hands each
//! message to the same intake as the HTTP endpoint.

mod common;

use common::{kinds, TestApp};
use lettre::address::Envelope;
use lettre::message::{Attachment, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use roadone_server::mail::{reply_address, smtp_listener};

async fn listener(app: &TestApp) -> AsyncSmtpTransport<Tokio1Executor> {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    tokio::spawn(smtp_listener::serve(app.state.clone(), l));
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1").port(port).build()
}

async fn case_ids(app: &TestApp) -> Vec<i64> {
    let all = app.get(&app.admin_token, "/api/v1/cases?limit=1000").await;
    all.body.as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn a_message_with_attachments_over_smtp_opens_a_case() {
    let app = TestApp::spawn().await;
    app.org().await;
    let smtp = listener(&app).await;
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec();
    let message = Message::builder()
        .from("Bea Buyer <bea@example.org>".parse().unwrap())
        .to("support@roadone.local".parse().unwrap())
        .subject("Invoice attached: charged twice")
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain("Please see the attached invoice; I paid it twice.".to_string()))
                .singlepart(Attachment::new("invoice.pdf".into()).body(pdf, "application/pdf".parse().unwrap())),
        )
        .unwrap();
    let response = smtp.send(message).await.expect("the listener accepts the message");
    assert!(response.is_positive());
    let ids = case_ids(&app).await;
    assert_eq!(ids.len(), 1);
    let case = app.case(ids[0]).await;
    assert_eq!(case["subject"], "Invoice attached: charged twice");
    assert_eq!(case["customer"]["email"], "bea@example.org");
    assert!(case["events"][0]["data"]["body"].as_str().unwrap().contains("paid it twice"));
}

#[tokio::test]
async fn a_reply_over_smtp_lands_on_its_case() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    let smtp = listener(&app).await;
    let to = reply_address::address(&app.state.config.mail_from, &app.state.secret, id);
    let message = Message::builder()
        .from("ann@example.com".parse().unwrap())
        .to(to.parse().unwrap())
        .subject("Re: Charged twice")
        .body("My invoice number is INV-9.".to_string())
        .unwrap();
    smtp.send(message).await.expect("accepted");
    assert_eq!(kinds(&app.events(id).await), ["opened", "customer_replied"]);
}

#[tokio::test]
async fn mail_for_other_domains_and_mail_without_a_sender_are_refused() {
    let app = TestApp::spawn().await;
    app.org().await;
    let smtp = listener(&app).await;
    let elsewhere = Message::builder()
        .from("bea@example.org".parse().unwrap())
        .to("someone@example.net".parse().unwrap())
        .subject("relay me")
        .body("spam".to_string())
        .unwrap();
    let err = smtp.send(elsewhere).await.expect_err("we are not an open relay");
    assert!(err.is_permanent(), "{err}");

    let envelope = Envelope::new(Some("bea@example.org".parse().unwrap()), vec!["support@roadone.local".parse().unwrap()]).unwrap();
    let raw = b"To: support@roadone.local\r\nSubject: who am I\r\n\r\nno From header\r\n";
    let err = smtp.send_raw(&envelope, raw).await.expect_err("no From: nobody to answer");
    assert!(err.is_permanent(), "{err}");
    assert!(err.to_string().contains("sender"), "the refusal says why: {err}");
    assert!(case_ids(&app).await.is_empty(), "nothing was opened");
}
