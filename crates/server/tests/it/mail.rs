//! Outgoing mail through a real SMTP server (aiosmtpd) as the sink.

use crate::common;

use common::smtp_sink::{body, free_port, header, SmtpSink};
use common::TestApp;
use roadone_server::mail::{reply_address, MailSender};

fn sender(app: &TestApp, port: u16) -> MailSender {
    MailSender::new(
        app.state.clone(),
        app.state.templates().clone(),
        &format!("smtp://127.0.0.1:{port}"),
    )
    .unwrap()
}

fn to_customer(messages: &[String]) -> Vec<&String> {
    messages
        .iter()
        .filter(|m| header(m, "To").is_some_and(|t| t.contains("ann@example.com")))
        .collect()
}

#[tokio::test]
async fn the_customer_gets_an_acknowledgment_they_can_reply_to() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let case = app.open_case(&org.front1, "Charged twice").await;
    let id = case["id"].as_i64().unwrap();
    let reference = case["ref"].as_str().unwrap();

    let report = sender(&app, sink.port).deliver_due().await.unwrap();
    assert_eq!(
        (report.sent, report.retrying, report.failed),
        (1, 0, 0),
        "{report:?}"
    );
    let messages = sink.wait_for(1);
    let ack = to_customer(&messages);
    assert_eq!(ack.len(), 1, "one acknowledgment: {messages:?}");
    let ack = ack[0];
    let subject = header(ack, "Subject").unwrap();
    assert!(
        subject.contains(reference),
        "the reference is in the subject: {subject}"
    );
    let text = body(ack);
    assert!(
        text.contains(reference) && text.contains("We promise an answer by"),
        "{text}"
    );
    assert!(
        text.contains(&format!("/portal/cases/{id}?token=")),
        "the case link is in the body: {text}"
    );
    assert_eq!(
        header(ack, "Auto-Submitted").as_deref(),
        Some("auto-replied")
    );
    // For auto-responders that ignore Auto-Submitted (Exchange, older vacation scripts).
    assert_eq!(header(ack, "Precedence").as_deref(), Some("bulk"));
    assert_eq!(
        header(ack, "X-Auto-Response-Suppress").as_deref(),
        Some("All")
    );
    let message_id = header(ack, "Message-ID").unwrap();
    assert!(
        message_id.starts_with(&format!("<roadone.{id}."))
            && message_id.ends_with("@roadone.local>"),
        "{message_id}"
    );

    // The reply address names this case with a token only this server can make.
    let reply_to = header(ack, "Reply-To").unwrap();
    let token = reply_to
        .split("support+")
        .nth(1)
        .and_then(|t| t.split('@').next())
        .expect("support+<token>@");
    assert_eq!(reply_address::verify(app.state.secret(), token), Some(id));
    assert_eq!(
        reply_address::verify(
            app.state.secret(),
            &token.replacen(&id.to_string(), &(id + 1).to_string(), 1)
        ),
        None
    );

    // Nothing is sent twice.
    let again = sender(&app, sink.port).deliver_due().await.unwrap();
    assert_eq!(again.sent, 0);
    assert_eq!(sink.settled().await.len(), 1);
}

#[tokio::test]
async fn staff_hear_of_cases_passed_to_them_and_customers_of_replies() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    app.act_ok(
        &org.front1,
        id,
        "pass-up",
        &serde_json::json!({"reason": "refund above my limit"}),
    )
    .await;
    app.act_ok(
        &org.lead,
        id,
        "messages",
        &serde_json::json!({"body": "We are refunding the second payment today."}),
    )
    .await;

    let report = sender(&app, sink.port).deliver_due().await.unwrap();
    assert_eq!(
        report.sent, 3,
        "acknowledgment, pass-up notice, staff reply: {report:?}"
    );
    let messages = sink.wait_for(3);
    let to_lead: Vec<_> = messages
        .iter()
        .filter(|m| header(m, "To").is_some_and(|t| t.contains("leo.lead@example.com")))
        .collect();
    assert_eq!(to_lead.len(), 1);
    assert!(
        body(to_lead[0]).contains("refund above my limit"),
        "the reason travels with the pass-up: {}",
        to_lead[0]
    );
    let reply = to_customer(&messages)
        .into_iter()
        .find(|m| body(m).contains("refunding the second payment"))
        .expect("the reply reached the customer");
    // A person wrote it: no Auto-Submitted, so the customer's auto-responder may answer as usual.
    assert_eq!(header(reply, "Auto-Submitted"), None);
    assert_eq!(header(reply, "Precedence"), None);
}

#[tokio::test]
async fn mail_waits_while_the_relay_is_down_and_goes_out_once_when_it_is_back() {
    let port = free_port();
    let app = TestApp::spawn().await;
    let org = app.org().await;
    app.open_case_id(&org.front1, "Charged twice").await;

    // Nothing listens on the port: the acknowledgment stays queued for a retry.
    let down = sender(&app, port).deliver_due().await.unwrap();
    assert_eq!(
        (down.sent, down.retrying, down.failed),
        (0, 1, 0),
        "{down:?}"
    );

    let Some(sink) = SmtpSink::start_on(port) else {
        return;
    };
    // Not before its backoff is over...
    assert_eq!(sender(&app, port).deliver_due().await.unwrap().sent, 0);
    app.advance(chrono::Duration::seconds(16));
    // ...then exactly once.
    assert_eq!(sender(&app, port).deliver_due().await.unwrap().sent, 1);
    app.advance(chrono::Duration::minutes(10));
    assert_eq!(sender(&app, port).deliver_due().await.unwrap().sent, 0);
    assert_eq!(to_customer(&sink.settled().await).len(), 1);
}

#[tokio::test]
async fn a_customer_without_email_is_recorded_as_undeliverable_not_retried() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let mut body = common::intake("Called about a refund");
    body["customer"] = serde_json::json!({"phone": "+44 20 7946 0001", "name": "Phone Only"});
    let r = app.post(&org.front1.token, "/api/v1/cases", &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    // No relay is needed to know there is nowhere to send it.
    let report = sender(&app, free_port()).deliver_due().await.unwrap();
    assert_eq!(
        (report.sent, report.retrying, report.failed),
        (0, 0, 1),
        "{report:?}"
    );
    app.advance(chrono::Duration::hours(2));
    assert_eq!(
        sender(&app, free_port()).deliver_due().await.unwrap(),
        Default::default()
    );
    // Staff see on the case that the customer got no acknowledgment.
    let id = r.body["id"].as_i64().unwrap();
    let events = app.events(id).await;
    let failed = events
        .iter()
        .find(|e| e["kind"] == "delivery_failed")
        .expect("the failure is on the case");
    assert_eq!(failed["data"]["template"], "acknowledgment");
    assert_eq!(failed["data"]["recipient"], "customer");
    assert_eq!(failed["actor"], serde_json::json!({"type": "system"}));
}

#[tokio::test]
async fn a_permanent_refusal_by_the_relay_is_shown_on_the_case_and_not_retried() {
    let Some(relay) = SmtpSink::start_refusing() else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    let report = sender(&app, relay.port).deliver_due().await.unwrap();
    assert_eq!(
        (report.sent, report.retrying, report.failed),
        (0, 0, 1),
        "{report:?}"
    );
    let events = app.events(id).await;
    let failed = events
        .iter()
        .find(|e| e["kind"] == "delivery_failed")
        .expect("the refusal is on the case");
    assert!(
        failed["data"]["error"].as_str().unwrap().contains("550"),
        "{failed}"
    );
    app.advance(chrono::Duration::hours(3));
    assert_eq!(
        sender(&app, relay.port).deliver_due().await.unwrap(),
        Default::default(),
        "never retried"
    );
    // Recording it is not activity: the owner's reminder is not pushed back.
    assert_eq!(app.case(id).await["state"], "open");
}

#[tokio::test]
async fn staff_replies_carry_their_files_to_the_customer() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    let pdf = b"%PDF-1.4\nrefund confirmation\n%%EOF\n".to_vec();
    let form = reqwest::multipart::Form::new()
        .text("body", "Here is the refund confirmation.")
        .part(
            "file",
            reqwest::multipart::Part::bytes(pdf.clone()).file_name("refund.pdf"),
        );
    let r = app
        .send(
            app.authed(
                reqwest::Method::POST,
                &format!("/api/v1/cases/{id}/messages"),
                &org.front1.token,
            )
            .multipart(form),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let sent = r.body["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(sent["kind"], "message_sent");
    assert_eq!(sent["data"]["attachments"][0]["name"], "refund.pdf");
    assert_eq!(
        sent["data"]["attachments"][0]["content_type"],
        "application/pdf"
    );

    sender(&app, sink.port).deliver_due().await.unwrap();
    let messages = sink.wait_for(2);
    let reply = to_customer(&messages)
        .into_iter()
        .find(|m| body(m).contains("refund confirmation") || m.contains("refund.pdf"))
        .expect("the reply arrived");
    assert!(
        reply.contains("filename=\"refund.pdf\""),
        "the file travels as an attachment: {reply}"
    );
}

#[tokio::test]
async fn a_file_over_the_limit_is_refused_with_413_naming_the_limit_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    let before = app.events(id).await;
    let limit = app.state.config().max_attachment_size as usize;
    let form = reqwest::multipart::Form::new()
        .text("body", "A big scan.")
        .part(
            "file",
            reqwest::multipart::Part::bytes(vec![7u8; limit + 1]).file_name("scan.tiff"),
        );
    let r = app
        .send(
            app.authed(
                reqwest::Method::POST,
                &format!("/api/v1/cases/{id}/messages"),
                &org.front1.token,
            )
            .multipart(form),
        )
        .await;
    assert_eq!(r.status, 413, "{}", r.text);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&limit.to_string()),
        "{}",
        r.text
    );
    assert_eq!(app.events(id).await, before);
}

#[tokio::test]
async fn a_customer_can_send_files_through_their_case_link() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let case = app.open_case(&org.front1, "Broken on arrival").await;
    let id = case["id"].as_i64().unwrap();
    let token = app.customer_token_of(id).await;
    let photo: Vec<u8> = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0]
        .into_iter()
        .chain(std::iter::repeat_n(1u8, 5000))
        .collect();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(photo.clone()).file_name("IMG_0001.JPG"),
    );
    let r = app
        .send(
            app.request(
                reqwest::Method::POST,
                &format!("/api/v1/cases/{id}/customer-messages?token={token}"),
            )
            .multipart(form),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let events = app.events(id).await;
    let reply = events.last().unwrap();
    assert_eq!(
        reply["kind"], "customer_replied",
        "a photo alone is a message"
    );
    assert_eq!(
        reply["data"]["attachments"][0]["content_type"],
        "image/jpeg"
    );
    let sha = reply["data"]["attachments"][0]["sha256"].as_str().unwrap();
    let (status, _, bytes) = app
        .client_get_raw(
            &format!("/api/v1/cases/{id}/attachments/{sha}"),
            Some(&org.front1.token),
        )
        .await;
    assert_eq!((status, bytes), (200, photo));
}

#[tokio::test]
async fn acknowledgments_to_one_address_are_rate_limited_but_every_case_opens() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let mut ids = Vec::new();
    for n in 0..7 {
        ids.push(app.open_case_id(&org.front1, &format!("Loop {n}")).await);
    }
    let report = sender(&app, sink.port).deliver_due().await.unwrap();
    let limit = roadone_server::mail::sender::ACKS_PER_ADDRESS_PER_HOUR;
    assert_eq!(
        (report.sent, report.failed),
        (limit, 7 - limit),
        "{report:?}"
    );
    assert_eq!(to_customer(&sink.wait_for(limit)).len(), limit);
    for id in &ids[limit..] {
        let events = app.events(*id).await;
        let failed = events
            .iter()
            .find(|e| e["kind"] == "delivery_failed")
            .expect("the case says why no acknowledgment went out");
        assert!(failed["data"]["error"]
            .as_str()
            .unwrap()
            .contains("within an hour"));
    }

    // The allowance is counted from what was sent, so a restart does not renew it...
    let app = app.stop().await.restart().await;
    let again = app.open_case_id(&org.front1, "Loop after restart").await;
    let report = sender(&app, sink.port).deliver_due().await.unwrap();
    assert_eq!((report.sent, report.failed), (0, 1), "{report:?}");
    assert_eq!(
        common::count_kind(&app.events(again).await, "delivery_failed"),
        1
    );
    // ...but an hour later the address gets acknowledgments again.
    app.advance(common::minutes(61));
    app.open_case_id(&org.front1, "An hour later").await;
    let report = sender(&app, sink.port).deliver_due().await.unwrap();
    assert_eq!((report.sent, report.failed), (1, 0), "{report:?}");
}

#[tokio::test]
async fn header_injection_a_subject_with_line_breaks_stays_on_one_line_in_the_acknowledgment() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let mut intake =
        common::intake("Refund\nYour account is locked: sign in at http://evil.example");
    intake["customer"]["email"] = "ann@example.com".into();
    let r = app.post(&org.front1.token, "/api/v1/cases", &intake).await;
    assert_eq!(r.status, reqwest::StatusCode::CREATED, "{}", r.text);
    let case = app.case(r.body["id"].as_i64().unwrap()).await;
    assert_eq!(
        case["subject"], "Refund Your account is locked: sign in at http://evil.example",
        "the subject is kept on one line"
    );
    sender(&app, sink.port).deliver_due().await.unwrap();
    let messages = sink.wait_for(1);
    let ack = to_customer(&messages)[0];
    let text = body(ack);
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    assert!(
        !first.contains("evil.example"),
        "nothing of the subject starts the body: {text}"
    );
}

#[tokio::test]
async fn the_solved_mail_keeps_its_resolution_when_the_customer_reopens_before_it_goes_out() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let id = app.open_case_id(&org.front1, "Charged twice").await;
    app.act_ok(
        &org.front1,
        id,
        "solve",
        &serde_json::json!({"resolution": "Refunded the duplicate charge.", "road": 1, "learned": "Retries double-bill."}),
    )
    .await;
    // The customer answers at once, before the sender runs: the case is open again.
    let token = app.customer_token_of(id).await;
    let wrote = app
        .send(
            app.request(
                reqwest::Method::POST,
                &format!("/api/v1/cases/{id}/customer-messages?token={token}"),
            )
            .json(&serde_json::json!({"body": "Thanks, but it happened again."})),
        )
        .await;
    assert_eq!(wrote.body["state"], "open", "{}", wrote.text);

    sender(&app, sink.port).deliver_due().await.unwrap();
    let messages = sink.wait_for(2);
    let solved = to_customer(&messages)
        .into_iter()
        .find(|m| header(m, "Subject").is_some_and(|s| s.contains("olved")))
        .expect("the solved notice reached the customer");
    assert!(
        body(solved).contains("Refunded the duplicate charge."),
        "the resolution given when it was solved: {solved}"
    );
    assert!(!body(solved).contains("None"), "{solved}");
}

#[tokio::test]
async fn every_mail_says_what_it_is_threads_under_its_case_and_reads_back_exactly() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let id = app.open_case_id(&org.front1, "Café bill — £12 twice").await;
    let words = "Sorry, Zoë — we refund the £12 today.";
    app.act_ok(
        &org.front1,
        id,
        "messages",
        &serde_json::json!({"body": words}),
    )
    .await;
    app.act_ok(
        &org.front1,
        id,
        "pass-up",
        &serde_json::json!({"reason": "refund above my limit"}),
    )
    .await;
    sender(&app, sink.port).deliver_due().await.unwrap();
    let messages = sink.wait_for(3);
    assert_eq!(messages.len(), 3, "acknowledgment, reply, pass-up notice");

    let thread = reply_address::thread_id(app.state.secret(), id, "roadone.local");
    let mut ids = std::collections::BTreeSet::new();
    for raw in &messages {
        let subject = header(raw, "Subject").unwrap_or_default();
        assert_eq!(
            header(raw, "MIME-Version").as_deref(),
            Some("1.0"),
            "{subject}"
        );
        let content_type = header(raw, "Content-Type")
            .unwrap_or_default()
            .to_lowercase();
        // What a person wrote goes as plain text and HTML; automatic mail as plain text.
        let plain =
            content_type.starts_with("text/plain") && content_type.contains("charset=utf-8");
        let both = content_type.starts_with("multipart/alternative")
            && raw.contains("Content-Type: text/plain; charset=utf-8")
            && raw.contains("Content-Type: text/html; charset=utf-8");
        assert!(plain || both, "{subject}: {content_type}");
        let message_id = header(raw, "Message-ID").expect("a Message-ID");
        assert!(
            ids.insert(message_id.clone()),
            "each mail its own id: {message_id}"
        );
        assert_eq!(
            header(raw, "In-Reply-To").as_deref(),
            Some(thread.as_str()),
            "{subject}"
        );
        assert_eq!(
            header(raw, "References").as_deref(),
            Some(thread.as_str()),
            "{subject}"
        );
        let parsed = mail_parser::MessageParser::default()
            .parse(raw.as_bytes())
            .expect("the mail parses");
        assert!(
            parsed
                .subject()
                .unwrap_or_default()
                .contains("Café bill — £12 twice"),
            "the subject reads back: {:?}",
            parsed.subject()
        );
    }
    let reply = to_customer(&messages)
        .into_iter()
        .map(|raw| {
            mail_parser::MessageParser::default()
                .parse(raw.as_bytes())
                .unwrap()
        })
        .find(|m| m.body_text(0).is_some_and(|b| b.contains("refund")))
        .expect("the reply reached the customer");
    assert!(
        reply.body_text(0).unwrap().contains(words),
        "£, ë and — read back exactly: {:?}",
        reply.body_text(0)
    );
    assert!(
        reply
            .body_html(0)
            .is_some_and(|h| h.contains(words) && !h.contains("<script")),
        "the reply has its HTML part too, clean: {:?}",
        reply.body_html(0)
    );
    // The notice to staff links to the staff page of the case, not the JSON API.
    let to_lead = messages
        .iter()
        .find(|m| header(m, "To").is_some_and(|t| t.contains("leo.lead@example.com")))
        .expect("the pass-up notice");
    let text = body(to_lead);
    assert!(
        text.contains(&format!("/staff/cases/{id}")) && !text.contains("/api/v1/"),
        "{text}"
    );
}
