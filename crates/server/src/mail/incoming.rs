//! What a raw message says, before anything is stored: who sent it, whether it is
//! automatic, which case it answers, its text with and without the quoted history, its
//! files. The pure half of the intake (and what the fuzz target exercises).

use crate::error::{AppError, AppResult};
use crate::mail::junk_check::junk_headers;
use crate::mail::{quotes, reply_address};
use mail_parser::{Message, MessageParser, MimeHeaders};
use roadone_domain::CaseId;

/// Bodies longer than this are cut (and the event says so); the raw mail is the source.
const MAX_BODY_CHARS: usize = 200_000;

/// At most this many files are kept from one message (a MIME bomb gets a note instead).
pub(crate) const MAX_ATTACHMENTS: usize = 100;

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
        junk_headers: junk_headers(&msg),
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
        junk_headers: junk_headers(&msg),
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
