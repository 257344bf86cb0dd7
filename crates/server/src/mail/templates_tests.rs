//! The mail templates, rendered by the code that sends them: one case is taken through
//! every event that mails someone, each outbox row is composed as the sender composes it,
//! and the two direct mails go to a throwaway relay. So every template meets the
//! variables the code really passes, and strict rendering fails on any other.

use super::*;
use crate::app::AppState;
use crate::config::Config;
use crate::mail::case_link::{case_link, send_case_link};
use crate::mail::compose::compose;
use crate::mail::password_link;
use crate::mail::sign_in::send_sign_in_link;
use crate::people::PersonForm;
use chrono::{DateTime, Duration, TimeZone, Utc};
use roadone_domain::{
    Actor, Case, CaseId, Category, Channel, Command, Customer, FakeClock, Intake, PersonId,
    TickleReason,
};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

const PUBLIC_URL: &str = "http://roadone.test";
const CUSTOMER: &str = "Ann Customer";
const CUSTOMER_EMAIL: &str = "ann@example.org";
const SUBJECT: &str = "Invoice charged twice";
const SIGN_IN_LINK: &str = "http://roadone.test/portal/sign-in?token=one-time-secret";
const INVITE_LINK: &str = "http://roadone.test/staff/password/invitation-secret";
const RESET_LINK: &str = "http://roadone.test/staff/password/reset-secret";

/// The directory the built-in templates are compiled from.
fn template_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/mail")
}

fn shipped_names() -> BTreeSet<String> {
    std::fs::read_dir(template_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| p.file_stem().unwrap().to_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_file_in_the_template_directory_is_built_in_and_loaded() {
    let shipped = shipped_names();
    let built_in: BTreeSet<String> = BUILT_IN.iter().map(|b| b.name.to_string()).collect();
    assert_eq!(built_in.len(), BUILT_IN.len(), "a template is listed twice");
    assert_eq!(
        built_in,
        shipped,
        "BUILT_IN and {:?} differ",
        template_dir()
    );
    let t = Templates::load(None).unwrap();
    assert_eq!(t.env.templates().count(), shipped.len());
    for b in BUILT_IN {
        let file = std::fs::read_to_string(template_dir().join(format!("{}.txt", b.name)));
        assert_eq!(t.env.get_template(b.name).unwrap().source(), file.unwrap());
    }
}

/// A mail as the relay would get it.
#[derive(Debug, Clone)]
struct Mail {
    to: String,
    subject: String,
    body: String,
}

fn read(raw: &[u8]) -> Mail {
    let m = mail_parser::MessageParser::default().parse(raw).unwrap();
    Mail {
        to: m
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap()
            .into(),
        subject: m.subject().unwrap().into(),
        body: m.body_text(0).unwrap().replace("\r\n", "\n"),
    }
}

/// A relay that takes every message and hands its bytes over.
async fn sink() -> (u16, mpsc::UnboundedReceiver<Vec<u8>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink\r\n").await.unwrap();
                let mut data: Option<Vec<u8>> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(message) = data.as_mut() {
                        if line == "." {
                            tx.send(data.take().unwrap()).unwrap();
                            write.write_all(b"250 taken\r\n").await.unwrap();
                        } else {
                            // Undo the sender's dot-stuffing.
                            let line = line.strip_prefix('.').unwrap_or(&line);
                            message.extend_from_slice(line.as_bytes());
                            message.extend_from_slice(b"\r\n");
                        }
                        continue;
                    }
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "DATA" => {
                            data = Some(Vec::new());
                            b"354 go on\r\n"
                        }
                        "QUIT" => b"221 bye\r\n",
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, rx)
}

/// Everything the code mailed, by template, in order; and what the mails should say.
struct Run {
    mails: BTreeMap<String, Vec<Mail>>,
    reference: String,
    /// The second case's, which is upgraded and taken.
    second_reference: String,
    second_staff_link: String,
    link: String,
    staff_link: String,
}

struct World {
    state: AppState,
    clock: FakeClock,
    relay: mpsc::UnboundedReceiver<Vec<u8>>,
    mails: BTreeMap<String, Vec<Mail>>,
    _dir: tempfile::TempDir,
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 3, 9, 0, 0).unwrap()
}

impl World {
    /// `overrides` (name, source) are written to the data directory's template folder.
    async fn new(overrides: &[(String, String)]) -> World {
        let dir = tempfile::tempdir().unwrap();
        let (port, relay) = sink().await;
        let config = Config {
            data_dir: dir.path().to_path_buf(),
            public_url: PUBLIC_URL.into(),
            smtp_relay: Some(format!("smtp://127.0.0.1:{port}")),
            ..Config::default()
        };
        std::fs::create_dir_all(config.mail_templates_dir()).unwrap();
        for (name, source) in overrides {
            let path = config.mail_templates_dir().join(format!("{name}.txt"));
            std::fs::write(path, source).unwrap();
        }
        let clock = FakeClock::at(t0());
        let options = roadone_sqlite::SqliteOptions::new(config.database_path());
        let store = Arc::new(roadone_sqlite::SqliteStore::open(options).unwrap());
        let state = AppState::new(config, store, Arc::new(clock.clone()))
            .await
            .unwrap();
        World {
            state,
            clock,
            relay,
            mails: BTreeMap::new(),
            _dir: dir,
        }
    }

    async fn person(&self, name: &str, role: &str, reports_to: Option<PersonId>) -> PersonId {
        let first = name.split(' ').next().unwrap().to_lowercase();
        let form = PersonForm {
            name: name.into(),
            email: format!("{first}@example.com"),
            role: role.into(),
            reports_to,
        };
        self.state.add_person(form).await.unwrap().id
    }

    async fn open(&self, by: PersonId, subject: &str) -> CaseId {
        let intake = Intake {
            customer: Customer {
                email: Some(CUSTOMER_EMAIL.into()),
                name: Some(CUSTOMER.into()),
                phone: None,
                external_id: None,
                language: None,
            },
            category: "billing".into(),
            subject: subject.into(),
            body: "I was charged twice for March.".into(),
            channel: Channel::Phone,
            facts: Default::default(),
            missing_facts: Vec::new(),
            realtime: Default::default(),
            attachments: Vec::new(),
            call_back_within: None,
        };
        let opened = self.state.open_case(by, intake, None).await.unwrap();
        opened.head().id
    }

    async fn act(&self, case: CaseId, actor: Actor, command: Command) {
        self.state.act(case, actor, &command).await.unwrap();
    }

    /// Composes every due outbox row as the sender does and checks the templates mailed.
    async fn deliver(&mut self, expected: &[&str]) {
        let state = &self.state;
        let now = state.clock.now();
        let rows = state
            .store
            .claim_outbox(&state.instance.id, now, Duration::seconds(300), 50)
            .await
            .unwrap();
        let mut sent: Vec<String> = Vec::new();
        for row in rows {
            let template = row.notification.template.clone();
            let stored = state.store.load_case(row.case_id).await.unwrap().unwrap();
            let case = Case::from_events(&stored.events).unwrap();
            let zone = state
                .zone_for_customer(stored.head.customer_id)
                .await
                .unwrap();
            let language = state
                .customer_language(stored.head.customer_id)
                .await
                .unwrap()
                .unwrap_or_default();
            let message = compose(
                state,
                &state.templates,
                &row,
                &stored,
                &case,
                &[],
                (zone, language),
            )
            .unwrap_or_else(|e| panic!("composing {template}: {e}"));
            state.store.outbox_sent(row.id, now).await.unwrap();
            let mail = read(&message.formatted());
            self.mails.entry(template.clone()).or_default().push(mail);
            sent.push(template);
        }
        sent.sort();
        let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(sent, expected, "the mails after this step");
    }

    /// The message the relay received last, filed under `template`.
    async fn relayed(&mut self, template: &str) {
        let raw = tokio::time::timeout(std::time::Duration::from_secs(10), self.relay.recv())
            .await
            .expect("the relay got a message")
            .unwrap();
        self.mails
            .entry(template.into())
            .or_default()
            .push(read(&raw));
    }
}

/// Takes cases through every event that mails someone, and sends both direct mails.
async fn run_every_mail(overrides: &[(String, String)]) -> Run {
    let mut w = World::new(overrides).await;
    let ceo = w.person("Cora Ceo", "executive", None).await;
    let vp = w.person("Victor Vp", "executive", Some(ceo)).await;
    let manager = w.person("Mona Manager", "manager", Some(vp)).await;
    let lead = w.person("Leo Lead", "staff", Some(manager)).await;
    let front = w.person("Fran Front", "frontline", Some(lead)).await;
    let billing = Category {
        key: "billing".into(),
        name: "Billing".into(),
        checklist: Vec::new(),
        manager,
        executive: vp,
    };
    crate::categories::add(&w.state, billing).await.unwrap();
    let person = |id| Actor::Person { id };

    let id = w.open(front, SUBJECT).await;
    w.deliver(&["acknowledgment"]).await;
    w.clock.advance(Duration::hours(4) + Duration::minutes(1));
    let idle = Command::Tickle {
        reason: TickleReason::Idle,
    };
    w.act(id, Actor::System, idle).await;
    w.deliver(&["tickle_idle"]).await;
    let reason = "a refund needs your approval".to_string();
    w.act(id, person(front), Command::PassUp { to: None, reason })
        .await;
    w.deliver(&["passed_up_to_you"]).await;
    w.clock
        .set(t0() + Duration::hours(16) + Duration::minutes(1));
    let deadline = Command::Tickle {
        reason: TickleReason::Deadline,
    };
    w.act(id, Actor::System, deadline).await;
    w.deliver(&["tickle_deadline"]).await;
    let body = "We are looking at the double charge now.".to_string();
    let attachments = Vec::new();
    w.act(id, person(lead), Command::SendMessage { body, attachments })
        .await;
    w.deliver(&["staff_message"]).await;
    let reply = |body: &str| Command::CustomerReply {
        body: body.into(),
        attachments: Vec::new(),
    };
    w.act(id, Actor::Customer, reply("It is still on my card."))
        .await;
    w.deliver(&["customer_replied"]).await;
    w.clock
        .set(t0() + Duration::hours(20) + Duration::minutes(1));
    w.act(id, Actor::System, Command::Escalate).await;
    w.deliver(&["escalated_to_you", "escalated_status"]).await;
    let solve = |resolution: &str| Command::Solve {
        resolution: resolution.into(),
        road: 1,
        learned: "refunds need a faster approval".into(),
    };
    w.act(id, person(vp), solve("We refunded the second charge."))
        .await;
    w.deliver(&["solved"]).await;

    let stored = w.state.store.load_case(id).await.unwrap().unwrap();
    let case = Case::from_events(&stored.events).unwrap();
    send_case_link(&w.state, &stored, &case, "Victor Vp")
        .await
        .unwrap();
    w.relayed("case_link").await;
    let customer = w.state.store.customer(stored.head.customer_id).await;
    send_sign_in_link(&w.state, &customer.unwrap().unwrap(), SIGN_IN_LINK, 15)
        .await
        .unwrap();
    w.relayed("sign_in_link").await;
    let fran = w.state.directory.snapshot().person(front).unwrap().clone();
    password_link::send_invite(&w.state, &fran, "Ada Admin", INVITE_LINK, 7)
        .await
        .unwrap()
        .unwrap();
    w.relayed("staff_invite").await;
    password_link::send_reset(&w.state, &fran, RESET_LINK, 60)
        .await
        .unwrap()
        .unwrap();
    w.relayed("password_reset").await;

    w.act(id, Actor::Customer, reply("The refund has not arrived."))
        .await;
    w.deliver(&["reopened_to_you"]).await;
    w.act(id, person(vp), solve("The refund went out today."))
        .await;
    w.deliver(&["solved"]).await;
    let rate = Command::Rate {
        score: 4,
        delighted_by: "the quick refund".into(),
        would_recommend: true,
    };
    w.act(id, Actor::Customer, rate).await;
    w.deliver(&["rated"]).await;

    let second = w.open(front, "Wrong address on the invoice").await;
    w.deliver(&["acknowledgment"]).await;
    let reason = "the customer asked for a manager".to_string();
    w.act(second, person(front), Command::Upgrade { reason })
        .await;
    w.deliver(&["upgraded_to_you"]).await;
    w.act(second, person(vp), Command::Take).await;
    w.deliver(&["taken_from_you"]).await;
    let pitch = w.open(front, "Wrong address on the invoice").await;
    w.deliver(&["acknowledgment"]).await;
    let junk = Command::MarkJunk {
        reason: String::new(),
    };
    w.act(pitch, person(front), junk).await;
    w.act(pitch, person(vp), Command::UndoJunk).await;
    w.deliver(&["junk_mark_undone"]).await;
    let second = w.state.store.load_case(second).await.unwrap().unwrap();

    Run {
        mails: w.mails,
        reference: stored.head.reference.clone(),
        second_reference: second.head.reference,
        second_staff_link: format!("{PUBLIC_URL}/staff/cases/{}", second.head.id),
        link: case_link(PUBLIC_URL, &stored.head),
        staff_link: format!("{PUBLIC_URL}/staff/cases/{id}"),
    }
}

/// Subject and body of `mail` hold every value, and nothing was left unrendered.
fn assert_says(template: &str, mail: &Mail, values: &[&str]) {
    let text = format!("{}\n{}", mail.subject, mail.body);
    for value in values {
        assert!(text.contains(value), "{template} lacks {value:?}:\n{text}");
    }
    for leftover in ["{{", "}}", "{%", "%}"] {
        assert!(
            !text.contains(leftover),
            "{template} kept {leftover}:\n{text}"
        );
    }
    // What a missing or empty Option would print.
    let words: BTreeSet<&str> = text.split(|c: char| !c.is_alphanumeric()).collect();
    for hole in ["none", "None", "undefined"] {
        assert!(!words.contains(hole), "{template} says {hole}:\n{text}");
    }
}

#[tokio::test]
async fn every_template_renders_with_what_the_code_passes() {
    let run = run_every_mail(&[]).await;
    let mailed: BTreeSet<String> = run.mails.keys().cloned().collect();
    assert_eq!(mailed, shipped_names(), "every shipped template was mailed");
    let (r, link, staff) = (run.reference.as_str(), run.link.as_str(), &*run.staff_link);
    assert!(r.starts_with("RD-"), "{r}");
    assert!(link.contains("token="), "{link}");
    let (r2, staff2) = (&*run.second_reference, &*run.second_staff_link);
    let escalates = "2025-03-04 05:00 UTC";
    // Each template: who gets it and what it must say.
    #[rustfmt::skip]
    let expected: &[(&str, &str, &[&str])] = &[
        ("acknowledgment", CUSTOMER_EMAIL, &[r, SUBJECT, CUSTOMER, "Fran Front", "2025-03-04 09:00 UTC", link]),
        ("tickle_idle", "fran@example.com", &[r, SUBJECT, escalates, staff]),
        ("passed_up_to_you", "leo@example.com", &[r, SUBJECT, "Fran Front", "a refund needs your approval", escalates, staff]),
        ("tickle_deadline", "leo@example.com", &[r, SUBJECT, escalates, staff]),
        ("staff_message", CUSTOMER_EMAIL, &[r, SUBJECT, "We are looking at the double charge now.", "Leo Lead", link]),
        ("customer_replied", "leo@example.com", &[r, SUBJECT, "It is still on my card.", staff]),
        ("escalated_to_you", "victor@example.com", &[r, SUBJECT, "20h", "2025-03-03 09:00 UTC", staff]),
        ("escalated_status", CUSTOMER_EMAIL, &[r, SUBJECT, CUSTOMER, "Victor Vp", link]),
        ("solved", CUSTOMER_EMAIL, &[r, SUBJECT, CUSTOMER, "We refunded the second charge.", link]),
        ("case_link", CUSTOMER_EMAIL, &[r, SUBJECT, CUSTOMER, "Victor Vp", link]),
        ("sign_in_link", CUSTOMER_EMAIL, &[CUSTOMER, "15 minutes", SIGN_IN_LINK]),
        ("staff_invite", "fran@example.com", &["Fran Front", "Ada Admin", "7 days", INVITE_LINK, "/staff/sign-in"]),
        ("password_reset", "fran@example.com", &["Fran Front", "60 minutes", RESET_LINK]),
        ("reopened_to_you", "victor@example.com", &[r, SUBJECT, "The refund has not arrived.", staff]),
        ("rated", "victor@example.com", &[r, SUBJECT, "4/5", "the quick refund", "yes", staff]),
        ("upgraded_to_you", "mona@example.com", &[r2, "Wrong address on the invoice", "Fran Front", "Billing", "the customer asked for a manager", staff2]),
        ("taken_from_you", "mona@example.com", &[r2, "Wrong address on the invoice", "Victor Vp", staff2]),
        ("junk_mark_undone", "fran@example.com", &["Wrong address on the invoice", "Victor Vp", "not a customer case", "goes to an executive at 2025-"]),
    ];
    let checked: BTreeSet<String> = expected.iter().map(|(n, _, _)| n.to_string()).collect();
    assert_eq!(checked, mailed, "every mailed template is checked below");
    for (template, to, values) in expected {
        let mail = &run.mails[*template][0];
        assert_eq!(mail.to, *to, "{template} goes to the wrong person");
        assert_says(template, mail, values);
    }
    let solved_again = &run.mails["solved"][1];
    assert_says(
        "solved",
        solved_again,
        &[r, "The refund went out today.", link],
    );
}

#[tokio::test]
async fn the_customer_hears_who_owns_the_escalated_case_its_reference_and_link() {
    let run = run_every_mail(&[]).await;
    let notice = &run.mails["escalated_status"];
    assert_eq!(notice.len(), 1, "one notice per escalation");
    let notice = &notice[0];
    assert_eq!(notice.to, CUSTOMER_EMAIL);
    assert!(notice.subject.contains(&run.reference), "{notice:?}");
    assert!(
        notice.body.contains("Victor Vp"),
        "the executive: {notice:?}"
    );
    assert!(
        notice.body.contains(&run.link),
        "their own link: {notice:?}"
    );
    assert!(
        !notice.body.contains("/api/"),
        "never the staff link: {notice:?}"
    );
    assert!(notice.body.contains(CUSTOMER), "{notice:?}");
}

/// An override per template that prints every variable its mail declares: rendered by
/// the real code, strict mode proves the code passes each one.
#[tokio::test]
async fn the_code_gives_every_variable_an_override_may_use() {
    let overrides: Vec<(String, String)> = BUILT_IN
        .iter()
        .map(|b| {
            let lines: String = b
                .variables
                .iter()
                .map(|v| format!("{v}=[{{{{ {v} }}}}]\n"))
                .collect();
            (
                b.name.to_string(),
                format!("Subject: all of {}\n\n{lines}", b.name),
            )
        })
        .collect();
    let run = run_every_mail(&overrides).await;
    for b in BUILT_IN {
        let mail = &run.mails[b.name][0];
        assert_eq!(mail.subject, format!("all of {}", b.name));
        for v in b.variables {
            assert!(mail.body.contains(&format!("{v}=[")), "{}: {v}", b.name);
        }
        assert!(!mail.body.contains("{{"), "{}: {}", b.name, mail.body);
    }
}
