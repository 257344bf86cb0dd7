//! Hostile and unlucky mail, one test per class of flaw seen in helpdesks: memory without
//! bound in the SMTP session, descriptors used up by idle sessions, bounces refused, mail
//! loops and backscatter, and the same message delivered twice. Each speaks raw SMTP to
//! the real listener.

use crate::common;

use common::TestApp;
use roadone_server::mail::smtp_listener;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

async fn listen(app: &TestApp) -> u16 {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    tokio::spawn(smtp_listener::serve(
        app.state.clone(),
        std::sync::Arc::new(l),
    ));
    port
}

/// One SMTP client: sends a line, reads the reply (the last line of a multi-line one).
struct Client {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

impl Client {
    async fn connect(port: u16) -> (Client, String) {
        let (read, writer) = TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap()
            .into_split();
        let mut client = Client {
            reader: BufReader::new(read),
            writer,
        };
        let greeting = client.reply().await;
        (client, greeting)
    }

    async fn reply(&mut self) -> String {
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line).await.unwrap() == 0 {
                return String::new();
            }
            if line.len() < 4 || line.as_bytes()[3] != b'-' {
                return line.trim_end().to_string();
            }
        }
    }

    async fn say(&mut self, line: &str) -> String {
        // The server may answer and hang up before a long line is all sent: the answer
        // is what counts.
        let _ = self
            .writer
            .write_all(format!("{line}\r\n").as_bytes())
            .await;
        self.reply().await
    }

    /// A whole transaction; returns the reply to the end of DATA.
    async fn deliver(&mut self, from: &str, message: &str) -> String {
        assert!(self
            .say(&format!("MAIL FROM:<{from}>"))
            .await
            .starts_with("250"));
        assert!(self
            .say("RCPT TO:<support@roadone.local>")
            .await
            .starts_with("250"));
        assert!(self.say("DATA").await.starts_with("354"));
        self.writer
            .write_all(message.replace('\n', "\r\n").as_bytes())
            .await
            .unwrap();
        self.say("\r\n.").await
    }
}

fn mail(from: &str, message_id: Option<&str>, subject: &str) -> String {
    let id = message_id
        .map(|i| format!("Message-ID: {i}\n"))
        .unwrap_or_default();
    format!(
        "From: {from}\nTo: support@roadone.local\nSubject: {subject}\nDate: Mon, 2 Mar 2026 09:00:00 +0000\n{id}\nHello, my order has not arrived.\n"
    )
}

async fn case_count(app: &TestApp) -> usize {
    app.get(&app.admin_token, "/api/v1/cases?limit=1000")
        .await
        .body
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn resource_exhaustion_smtp_recipients_are_bounded_in_number_and_length() {
    let app = TestApp::spawn_with(|c| c.smtp_max_recipients = 5).await;
    app.org().await;
    let (mut smtp, _) = Client::connect(listen(&app).await).await;
    smtp.say("EHLO attacker.example").await;
    assert!(smtp
        .say("MAIL FROM:<a@example.org>")
        .await
        .starts_with("250"));
    for _ in 0..5 {
        assert!(smtp
            .say("RCPT TO:<support@roadone.local>")
            .await
            .starts_with("250"));
    }
    let sixth = smtp.say("RCPT TO:<support@roadone.local>").await;
    assert!(
        sixth.starts_with("452"),
        "the sixth recipient is refused: {sixth}"
    );
    let long = format!("RCPT TO:<{}@roadone.local>", "x".repeat(300));
    let refused = smtp.say(&long).await;
    assert!(
        refused.starts_with("501") || refused.starts_with("452"),
        "{refused}"
    );
    // A 5 MB "address" is not read into memory: the line ends the session.
    let huge = format!("RCPT TO:<{}@roadone.local>", "y".repeat(5 * 1024 * 1024));
    let answer = smtp.say(&huge).await;
    assert!(
        answer.starts_with("500"),
        "a command line that long is refused: {answer}"
    );
}

#[tokio::test]
async fn resource_exhaustion_idle_smtp_sessions_are_capped() {
    let app = TestApp::spawn_with(|c| c.smtp_max_connections = 3).await;
    let port = listen(&app).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        let (client, greeting) = Client::connect(port).await;
        assert!(greeting.starts_with("220"), "{greeting}");
        held.push(client);
    }
    let (_, greeting) = Client::connect(port).await;
    assert!(
        greeting.starts_with("421"),
        "a fourth idle session is told to come back: {greeting}"
    );
    drop(held);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let (_, greeting) = Client::connect(port).await;
    assert!(
        greeting.starts_with("220"),
        "once they leave, sessions are served again: {greeting}"
    );
}

#[tokio::test]
async fn bounces_the_null_sender_is_accepted_and_never_answered() {
    let app = TestApp::spawn().await;
    app.org().await;
    let (mut smtp, _) = Client::connect(listen(&app).await).await;
    smtp.say("HELO mailer.example").await;
    let reply = smtp
        .deliver(
            "",
            &mail(
                "MAILER-DAEMON@mailer.example",
                Some("<b1@mailer.example>"),
                "Undelivered",
            ),
        )
        .await;
    assert!(
        reply.starts_with("250"),
        "RFC 5321 requires taking <>: {reply}"
    );
    assert!(
        reply.contains("ignored"),
        "a bounce that matches no case opens none: {reply}"
    );
    assert_eq!(case_count(&app).await, 0);
}

#[tokio::test]
async fn duplicate_delivery_the_same_message_twice_opens_one_case() {
    let app = TestApp::spawn().await;
    app.org().await;
    let port = listen(&app).await;
    let message = mail(
        "Dan <dan@example.org>",
        Some("<once@example.org>"),
        "Order lost",
    );
    for attempt in 0..2 {
        // A fresh session each time, as an MTA retrying after losing our 250 would.
        let (mut smtp, _) = Client::connect(port).await;
        smtp.say("HELO relay.example").await;
        let reply = smtp.deliver("dan@example.org", &message).await;
        assert!(reply.starts_with("250"), "attempt {attempt}: {reply}");
        if attempt == 1 {
            assert!(
                reply.contains("duplicate"),
                "the second is noted as such: {reply}"
            );
        }
    }
    assert_eq!(case_count(&app).await, 1, "one message, one case");
    // Without a Message-ID the digest of sender, date, subject and body decides.
    let bare = mail("Dan <dan@example.org>", None, "No id at all");
    for _ in 0..2 {
        let (mut smtp, _) = Client::connect(port).await;
        smtp.say("HELO relay.example").await;
        assert!(smtp
            .deliver("dan@example.org", &bare)
            .await
            .starts_with("250"));
    }
    assert_eq!(case_count(&app).await, 2);
    let metrics = app
        .send(app.request(reqwest::Method::GET, "/metrics"))
        .await
        .text;
    assert!(
        metrics.contains("roadone_inbound_duplicates_total 2"),
        "{metrics}"
    );
}

#[tokio::test]
async fn mail_loops_one_sender_opens_only_so_many_cases_an_hour() {
    let app = TestApp::spawn_with(|c| c.mail_cases_per_sender_per_hour = 3).await;
    app.org().await;
    let port = listen(&app).await;
    let (mut smtp, _) = Client::connect(port).await;
    smtp.say("HELO loop.example").await;
    // An autoresponder that ignores Auto-Submitted and threads nothing.
    for i in 0..6 {
        let message = mail(
            "bot@loop.example",
            Some(&format!("<loop{i}@loop.example>")),
            &format!("Re: Your case {i}"),
        );
        let reply = smtp.deliver("bot@loop.example", &message).await;
        assert!(reply.starts_with("250"), "{reply}");
        if i >= 3 {
            assert!(reply.contains("recorded_automatic"), "message {i}: {reply}");
        }
    }
    assert_eq!(
        case_count(&app).await,
        3,
        "three cases, then the rest recorded on the latest"
    );
    let cases = app
        .get(&app.admin_token, "/api/v1/cases?limit=10")
        .await
        .body;
    let latest = cases
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .max()
        .unwrap();
    let events = app.events(latest).await;
    let recorded = common::count_kind(&events, "automatic_received");
    assert_eq!(recorded, 3, "{:?}", common::kinds(&events));
    // Only the three cases were acknowledged: nothing answers the loop any more.
    let acks = app.store.backlog(app.now()).await.unwrap().outbox_pending;
    assert_eq!(acks, 3);
}
