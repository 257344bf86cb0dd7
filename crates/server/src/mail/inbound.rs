//! Mail coming in: one intake path for the SMTP listener and `POST /api/v1/inbound/email`.
//!
//! A reply is matched to its case by the signed token in the address it was sent to, or
//! by a signed Message-ID of ours in In-Reply-To/References; headers alone are never
//! trusted. Automatic mail (out-of-office, bounces, lists) is recorded on the case it
//! matches but never answered, never reopens a case, and never opens one: that is how
//! mail loops are prevented. Anything else from a new sender opens a case.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::mail::incoming::MAX_ATTACHMENTS;
pub use crate::mail::incoming::{automatic_reason, read, Incoming};
use crate::mail::quotes;
use roadone_domain::AttachmentRef;
use roadone_domain::{Actor, CaseId, Channel, Command, Customer, Intake, Realtime};
use serde::Serialize;
use utoipa::ToSchema;

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
pub async fn receive_released(
    state: &AppState,
    incoming: Incoming,
    raw: &[u8],
) -> AppResult<InboundResult> {
    take_in(state, incoming, raw, Judged::AlreadyReleased).await
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
        call_back_within: None,
    };
    let outcome = state.open_unattended_case(intake, None).await?;
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
