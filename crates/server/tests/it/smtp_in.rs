//! Mail in over SMTP: a real SMTP client (lettre) talks to the listener, which hands each
//! message to the same intake as the HTTP endpoint.

use crate::common;

use common::{kinds, TestApp};
use lettre::address::Envelope;
use lettre::message::{Attachment, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use roadone_server::mail::{reply_address, smtp_listener};

async fn listener(app: &TestApp) -> AsyncSmtpTransport<Tokio1Executor> {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    tokio::spawn(smtp_listener::serve(
        app.state.clone(),
        std::sync::Arc::new(l),
    ));
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(port)
        .build()
}

async fn case_ids(app: &TestApp) -> Vec<i64> {
    let all = app.get(&app.admin_token, "/api/v1/cases?limit=1000").await;
    all.body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_message_with_attachments_over_smtp_opens_a_case() {
    let app = TestApp::spawn().await;
    app.org().await;
    let smtp = listener(&app).await;
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
        .to_vec();
    let message = Message::builder()
        .from("Bea Buyer <bea@example.org>".parse().unwrap())
        .to("support@roadone.local".parse().unwrap())
        .subject("Invoice attached: charged twice")
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(
                    "Please see the attached invoice; I paid it twice.".to_string(),
                ))
                .singlepart(
                    Attachment::new("invoice.pdf".into())
                        .body(pdf, "application/pdf".parse().unwrap()),
                ),
        )
        .unwrap();
    let response = smtp
        .send(message)
        .await
        .expect("the listener accepts the message");
    assert!(response.is_positive());
    let ids = case_ids(&app).await;
    assert_eq!(ids.len(), 1);
    let case = app.case(ids[0]).await;
    assert_eq!(case["subject"], "Invoice attached: charged twice");
    assert_eq!(case["customer"]["email"], "bea@example.org");
    assert!(case["events"][0]["data"]["body"]
        .as_str()
        .unwrap()
        .contains("paid it twice"));
}

/// A PNG: the signature and a minimal header are what content detection looks at.
fn png() -> Vec<u8> {
    let mut b = vec![
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
    ];
    b.extend((0..2000u32).map(|i| (i * 7 % 251) as u8));
    b
}

#[tokio::test]
async fn attachments_of_any_type_come_back_byte_for_byte_and_only_to_those_allowed() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let smtp = listener(&app).await;
    let pdf: Vec<u8> = b"%PDF-1.7\n"
        .iter()
        .copied()
        .chain((0..100_000u32).map(|i| (i % 256) as u8))
        .collect();
    let image = png();
    let message = Message::builder()
        .from("bea@example.org".parse().unwrap())
        .to("support@roadone.local".parse().unwrap())
        .subject("Statement and screenshot")
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain("Both attached.".to_string()))
                .singlepart(
                    Attachment::new("statement.pdf".into())
                        .body(pdf.clone(), "application/pdf".parse().unwrap()),
                )
                // The name claims a text file; the content is an image.
                .singlepart(
                    Attachment::new("screen\u{202E}txt.png".into())
                        .body(image.clone(), "application/octet-stream".parse().unwrap()),
                ),
        )
        .unwrap();
    smtp.send(message).await.expect("accepted");
    let id = case_ids(&app).await[0];
    let case = app.case(id).await;
    let files = case["events"][0]["data"]["attachments"]
        .as_array()
        .expect("the opening carries the files")
        .clone();
    assert_eq!(files.len(), 2, "{files:?}");
    let customer_token = app.customer_token_of(id).await;

    for (file, original, kind) in [
        (&files[0], &pdf, "application/pdf"),
        (&files[1], &image, "image/png"),
    ] {
        assert_eq!(file["content_type"], kind, "typed by content: {file}");
        assert_eq!(file["size"], original.len());
        let sha = file["sha256"].as_str().unwrap();
        let path = format!("/api/v1/cases/{id}/attachments/{sha}");
        // Staff, with their token.
        let r = app.client_get_raw(&path, Some(&org.front1.token)).await;
        assert_eq!(r.0, 200);
        assert_eq!(&r.2, original, "byte for byte");
        assert!(r
            .1
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("attachment;"));
        assert_eq!(r.1.get("x-content-type-options").unwrap(), "nosniff");
        assert_eq!(r.1.get("content-security-policy").unwrap(), "sandbox");
        // The customer, with their case link.
        let r = app
            .client_get_raw(&format!("{path}?token={customer_token}"), None)
            .await;
        assert_eq!((r.0, &r.2), (200, original));
    }
    assert_eq!(
        files[1]["name"], "screentxt.png",
        "format characters are stripped from names"
    );

    // Another customer's token, a guessed file, or no credentials at all: nothing.
    let other = app.open_case(&org.front1, "Other customer").await;
    let other_token = app.customer_token_of(other["id"].as_i64().unwrap()).await;
    let sha = files[0]["sha256"].as_str().unwrap();
    let r = app
        .client_get_raw(
            &format!("/api/v1/cases/{id}/attachments/{sha}?token={other_token}"),
            None,
        )
        .await;
    assert_eq!(r.0, 404);
    let r = app
        .client_get_raw(
            &format!(
                "/api/v1/cases/{}/attachments/{sha}?token={other_token}",
                other["id"]
            ),
            None,
        )
        .await;
    assert_eq!(
        r.0, 404,
        "a file of another case is not reachable through one's own case"
    );
    let r = app
        .client_get_raw(&format!("/api/v1/cases/{id}/attachments/{sha}"), None)
        .await;
    assert_eq!(r.0, 401);
}

#[tokio::test]
async fn a_reply_over_smtp_lands_on_its_case() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    let smtp = listener(&app).await;
    let to = reply_address::address(&app.state.config().mail_from, app.state.secret(), id);
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
    let err = smtp
        .send(elsewhere)
        .await
        .expect_err("we are not an open relay");
    assert!(err.is_permanent(), "{err}");

    let envelope = Envelope::new(
        Some("bea@example.org".parse().unwrap()),
        vec!["support@roadone.local".parse().unwrap()],
    )
    .unwrap();
    let raw = b"To: support@roadone.local\r\nSubject: who am I\r\n\r\nno From header\r\n";
    let err = smtp
        .send_raw(&envelope, raw)
        .await
        .expect_err("no From: nobody to answer");
    assert!(err.is_permanent(), "{err}");
    assert!(
        err.to_string().contains("sender"),
        "the refusal says why: {err}"
    );
    assert!(case_ids(&app).await.is_empty(), "nothing was opened");
}
