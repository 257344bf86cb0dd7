//! Mail coming in: one intake path for the SMTP listener and `POST /api/v1/inbound/email`.
//!
//! A reply is matched to its case by the signed token in the address it was sent to, or
//! by a signed Message-ID of ours in In-Reply-To/References; headers alone are never
//! trusted. Automatic mail (out-of-office, bounces, lists) is recorded on the case it
//! matches but never answered, never reopens a case, and never opens one: that is how
//! mail loops are prevented. Anything else from a new sender opens a case.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::mail::{quotes, reply_address};
use mail_parser::{Message, MessageParser, MimeHeaders};
use roadone_domain::AttachmentRef;
use roadone_domain::{Actor, CaseId, Channel, Command, Customer, Intake, Realtime};
use serde::Serialize;
use utoipa::ToSchema;

/// Bodies longer than this are cut (and the event says so); the raw mail is the source.
const MAX_BODY_CHARS: usize = 200_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct InboundResult {
    /// `opened`, `replied`, `reopened`, `recorded_automatic`, `suspended` (junk: waiting
    /// for staff, nobody answered) or `ignored`.
    pub outcome: String,
    pub case_id: Option<CaseId>,
    /// Why it was recorded without an answer, or ignored.
    pub reason: Option<String>,
}

impl InboundResult {
    pub(crate) fn new(outcome: &str, case_id: Option<CaseId>, reason: Option<String>) -> Self {
        InboundResult {
            outcome: outcome.into(),
            case_id,
            reason,
        }
    }
}

/// Why a message is automatic, if it is (RFC 3834 and the headers real systems send).
pub fn automatic_reason(msg: &Message<'_>) -> Option<String> {
    let raw = |name: &str| msg.header_raw(name).map(|v| v.trim().to_ascii_lowercase());
    if let Some(v) = raw("Auto-Submitted").filter(|v| !v.starts_with("no")) {
        return Some(format!("Auto-Submitted: {v}"));
    }
    for name in ["X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"] {
        if raw(name).is_some() {
            return Some(format!("{name} header"));
        }
    }
    if let Some(v) =
        raw("Precedence").filter(|v| matches!(v.as_str(), "bulk" | "junk" | "list" | "auto_reply"))
    {
        return Some(format!("Precedence: {v}"));
    }
    if raw("List-Id").is_some() {
        return Some("mailing-list message (List-Id)".into());
    }
    if raw("Content-Type").is_some_and(|v| v.starts_with("multipart/report")) {
        return Some("delivery status report (bounce)".into());
    }
    if raw("Return-Path").is_some_and(|v| v == "<>") {
        return Some("null return path (bounce)".into());
    }
    let from = msg
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let local = from.split('@').next().unwrap_or_default();
    if matches!(local, "mailer-daemon" | "postmaster") {
        return Some(format!("sent by {local}"));
    }
    None
}

fn addresses<'a>(msg: &'a Message<'a>) -> Vec<String> {
    let mut out: Vec<String> = [msg.to(), msg.cc()]
        .into_iter()
        .flatten()
        .flat_map(|a| a.iter())
        .filter_map(|a| a.address().map(str::to_string))
        .collect();
    for name in ["Delivered-To", "X-Original-To"] {
        if let Some(v) = msg.header_raw(name) {
            out.push(v.trim().trim_matches(['<', '>']).to_string());
        }
    }
    out
}

/// The case this mail answers, from a verified reply token or Message-ID of ours. Any
/// local part before the `+` will do: the token is signed, and mail sent before an admin
/// changed the from address still carries the old one.
fn matched_case(secret: &[u8], msg: &Message<'_>) -> Option<CaseId> {
    for address in addresses(msg) {
        let local = address.split('@').next().unwrap_or_default();
        if let Some((_, token)) = local.split_once('+') {
            if let Some(case) = reply_address::verify(secret, token) {
                return Some(case);
            }
        }
    }
    let ids = [msg.in_reply_to(), msg.references()]
        .into_iter()
        .filter_map(|h| h.as_text_list())
        .flatten()
        .map(|s| s.to_string())
        .collect::<Vec<_>>();
    ids.iter().find_map(|id| {
        reply_address::case_of_message_id(secret, &format!("<{}>", id.trim_matches(['<', '>'])))
    })
}

/// The text of a message, and the same without its quoted history and signature when
/// `quotes::trim` found some (never for a forward: what it forwards is the point).
fn body_of(msg: &Message<'_>) -> (String, Option<String>) {
    let text = msg.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
    let trimmed = quotes::trim(&text);
    let trimmed = (trimmed.trimmed && !quotes::is_forward(msg.subject().unwrap_or_default()))
        .then(|| cut(trimmed.kept));
    (cut(text), trimmed)
}

fn cut(text: String) -> String {
    if text.chars().count() > MAX_BODY_CHARS {
        let cut: String = text.chars().take(MAX_BODY_CHARS).collect();
        format!("{cut}\n\n[the message was longer; the rest was not kept in the case text]")
    } else {
        text
    }
}

/// Checklist facts found in `text` by the category's patterns (first group, else the match).
pub fn facts_found(
    category: &roadone_domain::Category,
    text: &str,
) -> std::collections::BTreeMap<String, String> {
    let mut facts = std::collections::BTreeMap::new();
    for item in &category.checklist {
        let Some(pattern) = &item.pattern else {
            continue;
        };
        // Patterns are checked when the category is saved; a bad one here finds nothing.
        let Ok(re) = regex::Regex::new(pattern) else {
            continue;
        };
        if let Some(c) = re.captures(text) {
            let found = c
                .get(1)
                .or_else(|| c.get(0))
                .map(|m| m.as_str().trim().to_string())
                .unwrap_or_default();
            if !found.is_empty() {
                facts.insert(item.key.clone(), found.chars().take(200).collect());
            }
        }
    }
    facts
}

fn intake_category(state: &AppState) -> AppResult<roadone_domain::Category> {
    let snapshot = state.directory.snapshot();
    let chosen = match &snapshot.settings.inbound_category {
        Some(key) => snapshot.categories.get(key).cloned(),
        None => snapshot
            .categories
            .values()
            .min_by(|a, b| a.key.cmp(&b.key))
            .cloned(),
    };
    chosen.ok_or_else(|| AppError::Invalid {
        code: "no_category",
        message: "there is no category to open mail in: add one, or set inbound_category".into(),
        field: None,
    })
}

/// At most this many files are kept from one message (a MIME bomb gets a note instead).
const MAX_ATTACHMENTS: usize = 100;

/// Stores the message's attachments durably; what could not be kept is said in `notes`.
async fn store_attachments(
    state: &AppState,
    parts: Vec<(String, Vec<u8>)>,
) -> AppResult<(Vec<AttachmentRef>, Vec<String>)> {
    let store = state.attachments.clone();
    tokio::task::spawn_blocking(move || {
        let mut kept = Vec::new();
        let mut notes = Vec::new();
        for (i, (name, bytes)) in parts.into_iter().enumerate() {
            if i == MAX_ATTACHMENTS {
                notes.push(format!("[more than {MAX_ATTACHMENTS} attachments: the rest were not kept]"));
                break;
            }
            match store.put(&name, &bytes) {
                Ok(a) => kept.push(a),
                Err(crate::attachments::AttachmentError::TooLarge { name, size, limit }) => {
                    notes.push(format!("[attachment {name:?} ({size} bytes) is over the {limit}-byte limit and was not kept]"))
                }
                Err(e) => return Err(AppError::from(e)),
            }
        }
        Ok((kept, notes))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

fn with_notes(body: String, notes: &[String]) -> String {
    if notes.is_empty() {
        body
    } else {
        format!("{body}\n\n{}", notes.join("\n"))
    }
}

/// What a raw message says, before anything is stored: the pure half of the intake
/// (and what the fuzz target exercises).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    /// One of our own messages came back (a loop).
    pub ours: bool,
    /// Why the message is automatic, if it is.
    pub automatic: Option<String>,
    /// What upstream spam filters wrote in its headers, as (name, value).
    pub junk_headers: Vec<(String, String)>,
    /// The case it answers, verified by a signed token or Message-ID.
    pub case: Option<CaseId>,
    pub sender_email: Option<String>,
    pub sender_name: Option<String>,
    pub subject: String,
    pub body: String,
    /// The body without the quoted thread and signature, if it had any: the text of a
    /// reply or a new case, with the raw message kept as `original.eml`.
    pub trimmed_body: Option<String>,
    /// Attachments (name, bytes), at most one more than are kept.
    pub files: Vec<(String, Vec<u8>)>,
    /// What identifies this message among deliveries: its Message-ID, or (without one)
    /// a digest of its sender, date, subject and body.
    pub message_key: String,
}

/// The key of a message without a Message-ID: the same message delivered twice has the
/// same sender, date, subject and body, whatever the relays added on the way.
fn digest_key(msg: &Message<'_>, body: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for part in [
        msg.header_raw("From").unwrap_or_default(),
        msg.header_raw("Date").unwrap_or_default(),
        msg.header_raw("Subject").unwrap_or_default(),
        body,
    ] {
        hash.update(part.trim().as_bytes());
        hash.update([0]);
    }
    format!("sha256:{}", hex::encode(hash.finalize()))
}

fn message_key(msg: &Message<'_>, body: &str) -> String {
    match msg.message_id().map(str::trim).filter(|id| !id.is_empty()) {
        Some(id) => format!("<{}>", id.chars().take(500).collect::<String>()),
        None => digest_key(msg, body),
    }
}

/// Reads a raw RFC 5322 message. Never panics; refuses only what has no headers at all.
/// Should the MIME parser trip over a message's structure (mail-parser checks some
/// invariants only with debug assertions), the headers are still read, the case says the
/// body could not be, and the raw message is kept whole as `original.eml`.
pub fn read(raw: &[u8], secret: &[u8]) -> AppResult<Incoming> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_structure(raw, secret))) {
        Ok(result) => result,
        Err(_) => read_headers_only(raw, secret),
    }
}

fn read_headers_only(raw: &[u8], secret: &[u8]) -> AppResult<Incoming> {
    let msg = MessageParser::default()
        .parse_headers(raw)
        .filter(|m| !m.headers().is_empty())
        .ok_or_else(|| {
            AppError::invalid(
                "message",
                "this is not an email message (no headers could be read)",
            )
        })?;
    let from = msg.from().and_then(|a| a.first());
    Ok(Incoming {
        message_key: message_key(&msg, ""),
        ours: false,
        automatic: automatic_reason(&msg),
        junk_headers: crate::mail::junk_check::junk_headers(&msg),
        case: matched_case(secret, &msg),
        sender_email: from.and_then(|a| a.address()).map(str::to_string),
        sender_name: from.and_then(|a| a.name()).map(|n| n.replace(['\r', '\n'], " ")),
        subject: msg.subject().unwrap_or_default().trim().to_string(),
        body: "[the structure of this message could not be read; it is attached whole as original.eml]".into(),
        trimmed_body: None,
        files: vec![("original.eml".into(), raw.to_vec())],
    })
}

fn read_structure(raw: &[u8], secret: &[u8]) -> AppResult<Incoming> {
    let msg = MessageParser::default()
        .parse(raw)
        .filter(|m| !m.headers().is_empty())
        .ok_or_else(|| {
            AppError::invalid(
                "message",
                "this is not an email message (no headers could be read)",
            )
        })?;
    let ours = msg
        .message_id()
        .is_some_and(|id| reply_address::case_of_message_id(secret, &format!("<{id}>")).is_some());
    let from = msg.from().and_then(|a| a.first());
    let (body, trimmed_body) = body_of(&msg);
    Ok(Incoming {
        message_key: message_key(&msg, &body),
        ours,
        automatic: automatic_reason(&msg),
        junk_headers: crate::mail::junk_check::junk_headers(&msg),
        case: matched_case(secret, &msg),
        sender_email: from.and_then(|a| a.address()).map(str::to_string),
        sender_name: from
            .and_then(|a| a.name())
            .map(|n| n.replace(['\r', '\n'], " ")),
        subject: msg.subject().unwrap_or_default().trim().to_string(),
        body,
        trimmed_body,
        files: html_original(&msg)
            .into_iter()
            .chain(msg.attachments().take(MAX_ATTACHMENTS + 1).map(|p| {
                (
                    p.attachment_name().unwrap_or("attachment").to_string(),
                    p.contents().to_vec(),
                )
            }))
            .collect(),
    })
}

/// An HTML body is kept as received, as a file (`message.html`): the case text is its
/// plain-text rendering, and the HTML itself is only ever served as a download.
fn html_original(msg: &Message<'_>) -> Option<(String, Vec<u8>)> {
    let part = msg.html_part(0)?;
    part.is_text_html()
        .then(|| ("message.html".to_string(), part.contents().to_vec()))
}

/// Takes one raw RFC 5322 message in (no envelope known: the HTTP intake).
pub async fn receive(state: &AppState, raw: &[u8]) -> AppResult<InboundResult> {
    receive_with(state, raw, Envelope::default()).await
}

/// What the SMTP conversation said about a message, beyond the message itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct Envelope {
    /// `MAIL FROM:<>`: a bounce or an automatic reply, which must never be answered.
    pub null_sender: bool,
}

/// Takes one message in: once per sender and message (a second delivery is noted, not
/// taken in again), never answering automatic mail or a sender beyond their allowance.
pub async fn receive_with(
    state: &AppState,
    raw: &[u8],
    envelope: Envelope,
) -> AppResult<InboundResult> {
    let mut incoming = read(raw, &state.secret)?;
    if envelope.null_sender && incoming.automatic.is_none() {
        incoming.automatic =
            Some("sent with an empty envelope sender (a bounce or an automatic reply)".into());
    }
    let sender = incoming
        .sender_email
        .clone()
        .unwrap_or_default()
        .to_lowercase();
    let key = incoming.message_key.clone();
    if let Some(earlier) = crate::mail::inbound_limits::seen_before(state, &sender, &key).await? {
        return Ok(earlier);
    }
    let result = take_in(state, incoming, raw, Judged::No).await?;
    crate::mail::inbound_limits::remember(state, &sender, &key, &result).await;
    Ok(result)
}

/// Takes in a message released from the suspended: as if it had just arrived, without
/// judging it again.
pub async fn receive_released(state: &AppState, raw: &[u8]) -> AppResult<InboundResult> {
    take_in(
        state,
        read(raw, &state.secret)?,
        raw,
        Judged::AlreadyReleased,
    )
    .await
}

/// Whether the message was already judged and released by staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Judged {
    No,
    AlreadyReleased,
}

async fn take_in(
    state: &AppState,
    incoming: Incoming,
    raw: &[u8],
    judged: Judged,
) -> AppResult<InboundResult> {
    if incoming.ours {
        return Ok(InboundResult::new(
            "ignored",
            None,
            Some("our own message came back".into()),
        ));
    }
    if judged == Judged::No {
        if let Some(held) = crate::mail::junk_check::suspend_if_junk(state, &incoming, raw).await? {
            return Ok(held);
        }
    }
    let Incoming {
        automatic,
        subject,
        files,
        ..
    } = incoming.clone();
    let (mut attachments, mut notes) = if automatic.is_some() {
        (Vec::new(), Vec::new())
    } else {
        store_attachments(state, files).await?
    };
    let whole = with_notes(incoming.body, &notes);
    // A reply or a new case shows what the customer wrote now; the whole message is kept
    // as a file, and if it cannot be (over the size limit), the text stays whole.
    let original = match incoming.trimmed_body.filter(|_| automatic.is_none()) {
        Some(kept) => store_attachments(state, vec![("original.eml".into(), raw.to_vec())])
            .await?
            .0
            .pop()
            .map(|file| (kept, file)),
        None => None,
    };
    let body = match original {
        Some((kept, file)) => {
            attachments.push(file);
            notes.push(quotes::NOTE.into());
            with_notes(kept, &notes)
        }
        None => whole.clone(),
    };
    if let Some(case_id) = incoming.case {
        if state.load_case(case_id).await?.is_some() {
            let (command, outcome) = match &automatic {
                Some(reason) => (
                    Command::RecordAutomatic {
                        reason: reason.clone(),
                        subject: subject.clone(),
                        body: body.clone(),
                    },
                    "recorded_automatic",
                ),
                None => {
                    let text = if body.trim().is_empty() && attachments.is_empty() {
                        format!("(no text) {subject}")
                    } else {
                        body.clone()
                    };
                    (
                        Command::CustomerReply {
                            body: text,
                            attachments: attachments.clone(),
                        },
                        "replied",
                    )
                }
            };
            let stored = state.act(case_id, Actor::Customer, &command).await?;
            let reopened = stored
                .events
                .last()
                .is_some_and(|e| e.body.kind() == roadone_domain::EventKind::Reopened);
            let outcome = if reopened { "reopened" } else { outcome };
            return Ok(InboundResult::new(outcome, Some(case_id), automatic));
        }
    }
    if let Some(reason) = automatic {
        // Never open a case for (or answer) an automatic message that matches nothing.
        return Ok(InboundResult::new("ignored", None, Some(reason)));
    }
    let email = incoming.sender_email.ok_or_else(|| {
        AppError::invalid(
            "From",
            "the message has no sender address, so nobody could be answered",
        )
    })?;
    if let Some(limited) =
        crate::mail::inbound_limits::over_allowance(state, &email, &subject, &whole).await?
    {
        return Ok(limited);
    }
    let category = intake_category(state)?;
    let owner = crate::intake::unattended_owner(state)?;
    // Facts the category knows how to spot are filled from the message; the owner asks
    // for the rest.
    let facts = facts_found(&category, &format!("{subject}\n{whole}"));
    let intake = Intake {
        customer: Customer {
            email: Some(email),
            name: incoming.sender_name,
            phone: None,
            external_id: None,
            language: None,
        },
        category: category.key.clone(),
        subject: if subject.is_empty() {
            "(no subject)".into()
        } else {
            subject.chars().take(500).collect()
        },
        body,
        channel: Channel::Email,
        missing_facts: category
            .checklist
            .iter()
            .filter(|i| i.required && !facts.contains_key(&i.key))
            .map(|i| i.key.clone())
            .collect(),
        facts,
        realtime: Realtime::default(),
        attachments,
    };
    let outcome = state.open_case(owner, intake, None).await?;
    Ok(InboundResult::new("opened", Some(outcome.head().id), None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use roadone_domain::{Category, ChecklistItem};

    fn item(key: &str, required: bool, pattern: Option<&str>) -> ChecklistItem {
        ChecklistItem {
            key: key.into(),
            label: key.into(),
            required,
            pattern: pattern.map(String::from),
        }
    }

    #[test]
    fn a_category_pattern_fills_its_fact_from_the_message() {
        let category = Category {
            key: "orders".into(),
            name: "Orders".into(),
            checklist: vec![
                item("order_id", true, Some(r"(?i)order\s*#?\s*(\d{6,})")),
                item(
                    "postcode",
                    false,
                    Some(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b"),
                ),
                item("account", true, None),
            ],
            manager: 1,
            executive: 1,
        };
        let facts = facts_found(
            &category,
            "Where is my order #1234567? Deliver to SW1A 1AA please.",
        );
        assert_eq!(
            facts.get("order_id").map(String::as_str),
            Some("1234567"),
            "the first group"
        );
        assert_eq!(
            facts.get("postcode").map(String::as_str),
            Some("SW1A 1AA"),
            "the whole match without a group"
        );
        assert_eq!(facts.get("account"), None, "no pattern, nothing guessed");
        assert!(facts_found(&category, "No numbers here.").is_empty());
    }

    #[test]
    fn automatic_mail_is_recognised_by_its_headers() {
        let read_one = |headers: &str| {
            let raw = format!(
                "From: a@example.org\r\nTo: support@example.com\r\n{headers}\r\n\r\nbody\r\n"
            );
            read(raw.as_bytes(), b"secret").unwrap().automatic
        };
        assert!(read_one("Auto-Submitted: auto-replied").is_some());
        assert!(
            read_one("Auto-Submitted: no").is_none(),
            "`no` means a person wrote it"
        );
        assert!(read_one("Precedence: bulk").is_some());
        assert!(read_one("Precedence: urgent").is_none());
        assert!(read_one("List-Id: <news.example.org>").is_some());
        assert!(read_one("X-Autoreply: yes").is_some());
        assert!(read_one("Return-Path: <>").is_some());
        assert!(read_one("Subject: Hello").is_none());
    }
}
