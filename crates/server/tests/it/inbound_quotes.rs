//! A customer's reply by mail shows what they wrote now: the quoted thread, the signature
//! and "Sent from my iPhone" are trimmed from the case text, and the whole message stays
//! on the case as `original.eml`.

use crate::common;

use common::{kinds, TestApp};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use roadone_server::mail::{quotes, reply_address, smtp_listener};
use serde_json::{json, Value};

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

const NEW_TEXT: &str = "Thank you, the refund for order 1234567 has arrived.\n\nAnn";

/// A Gmail-style reply: the new text, a signature, then the wrapped attribution and the
/// quoted thread.
fn gmail_reply() -> String {
    format!(
        "{NEW_TEXT}\n\n-- \nAnn Example\nExample Ltd\n\n\
On Tue, 3 Mar 2025 at 09:14, Example Support Team <support@roadone.local>\n\
wrote:\n\n\
> Dear Ann,\n>\n> We have refunded the second charge. It takes up to five days.\n>\n\
> Kind regards,\n> Support\n"
    )
}

/// The bytes of a file on the case, as staff download it.
async fn download(app: &TestApp, id: i64, file: &Value) -> Vec<u8> {
    let sha = file["sha256"].as_str().unwrap();
    let (status, _, bytes) = app
        .client_get_raw(
            &format!("/api/v1/cases/{id}/attachments/{sha}"),
            Some(&app.admin_token),
        )
        .await;
    assert_eq!(status, 200, "{file}");
    bytes
}

#[tokio::test]
async fn a_reply_over_smtp_keeps_only_the_new_text_and_the_whole_message_as_a_file() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    let smtp = listener(&app).await;
    let to = reply_address::address(&app.state.config().mail_from, app.state.secret(), id);
    let message = Message::builder()
        .from("Ann Example <ann@example.com>".parse().unwrap())
        .to(to.parse().unwrap())
        .subject("Re: Charged twice")
        .body(gmail_reply())
        .unwrap();
    smtp.send(message).await.expect("accepted");

    let events = app.events(id).await;
    assert_eq!(kinds(&events), ["opened", "customer_replied"]);
    let reply = &events[1]["data"];
    let body = reply["body"].as_str().unwrap().replace("\r\n", "\n");
    assert_eq!(
        body,
        format!("{NEW_TEXT}\n\n{}", quotes::NOTE),
        "only the new text, and a note that the rest was trimmed"
    );
    let files = reply["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0]["name"], "original.eml");
    let original = String::from_utf8(download(&app, id, &files[0]).await).unwrap();
    for part in [
        "Subject: Re: Charged twice",
        "Ann Example",
        "refunded the second charge",
    ] {
        assert!(
            original.contains(part),
            "the whole message is kept: {part:?} in {original}"
        );
    }
}

#[tokio::test]
async fn a_new_case_by_mail_opens_with_the_new_text_and_its_facts_from_the_whole_message() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    // Sorted first, so mail opens in it; its pattern spots an invoice number.
    let category = json!({
        "key": "accounts", "name": "Accounts",
        "checklist": [{"key": "invoice", "label": "Invoice", "required": true, "pattern": "INV-\\d+"}],
        "manager": org.manager.id, "executive": org.vp.id,
    });
    let r = app
        .post(&app.admin_token, "/api/v1/categories", &category)
        .await;
    assert_eq!(r.status, reqwest::StatusCode::CREATED, "{}", r.text);
    let smtp = listener(&app).await;
    let message = Message::builder()
        .from("Bob Smith <bob@example.org>".parse().unwrap())
        .to("support@roadone.local".parse().unwrap())
        .subject("RE: Your invoice")
        .body(
            "I was charged twice for this.\r\n\r\nSent from my iPhone\r\n\r\n\
From: Billing <billing@shop.example>\r\nSent: Monday, 2 March 2025 10:00\r\n\
To: Bob Smith <bob@example.org>\r\nSubject: Your invoice\r\n\r\n\
Your invoice INV-4411 is attached.\r\n"
                .to_string(),
        )
        .unwrap();
    smtp.send(message).await.expect("accepted");
    let all = app.get(&app.admin_token, "/api/v1/cases?limit=10").await;
    let id = all.body[0]["id"].as_i64().unwrap();
    let opened = app.events(id).await[0]["data"].clone();
    let body = opened["body"].as_str().unwrap().replace("\r\n", "\n");
    assert_eq!(
        body,
        format!("I was charged twice for this.\n\n{}", quotes::NOTE)
    );
    assert_eq!(
        opened["facts"]["invoice"], "INV-4411",
        "facts are still found in the whole message: {opened}"
    );
    let files = opened["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0]["name"], "original.eml");
    let original = String::from_utf8(download(&app, id, &files[0]).await).unwrap();
    assert!(original.contains("INV-4411"), "{original}");
}

#[tokio::test]
async fn a_reply_that_is_only_a_quote_or_an_inline_answer_is_kept_whole() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let id = app.open_case_id(&org.front1, "Where is my parcel").await;
    let smtp = listener(&app).await;
    let to = reply_address::address(&app.state.config().mail_from, app.state.secret(), id);
    let only_quote = "On Tue, 3 Mar 2025 at 09:14, Support <support@roadone.local> wrote:\n\
> What is your order number?\n";
    let inline = "> What is your order number?\n1234567\n> And your postcode?\nSW1A 1AA\n";
    for (i, text) in [only_quote, inline].into_iter().enumerate() {
        let message = Message::builder()
            .from("ann@example.com".parse().unwrap())
            .to(to.parse().unwrap())
            .subject(format!("Re: Where is my parcel ({i})"))
            .body(text.to_string())
            .unwrap();
        smtp.send(message).await.expect("accepted");
    }
    let events = app.events(id).await;
    assert_eq!(
        kinds(&events),
        ["opened", "customer_replied", "customer_replied"]
    );
    for (event, text) in events[1..].iter().zip([only_quote, inline]) {
        let body = event["data"]["body"]
            .as_str()
            .unwrap()
            .replace("\r\n", "\n");
        assert_eq!(body.trim_end(), text.trim_end(), "nothing trimmed");
        assert_eq!(
            event["data"]["attachments"].as_array().map_or(0, Vec::len),
            0,
            "nothing to keep beside it: {event}"
        );
    }
}

#[tokio::test]
async fn a_forwarded_message_opens_a_case_with_everything_it_forwards() {
    let app = TestApp::spawn().await;
    app.org().await;
    let smtp = listener(&app).await;
    let text = "Can you explain this mail?\r\n\r\n________________________________\r\n\
From: Billing <billing@shop.example>\r\nSent: Monday, 2 March 2025 10:00\r\n\
To: Bob Smith <bob@example.org>\r\nSubject: Final reminder\r\n\r\nPay INV-4411 today.\r\n";
    let message = Message::builder()
        .from("bob@example.org".parse().unwrap())
        .to("support@roadone.local".parse().unwrap())
        .subject("FW: Final reminder")
        .body(text.to_string())
        .unwrap();
    smtp.send(message).await.expect("accepted");
    let all = app.get(&app.admin_token, "/api/v1/cases?limit=10").await;
    let opened = app.events(all.body[0]["id"].as_i64().unwrap()).await[0]["data"].clone();
    let body = opened["body"].as_str().unwrap();
    assert!(body.contains("Pay INV-4411 today."), "{body}");
    assert!(!body.contains("original.eml"), "{body}");
}
