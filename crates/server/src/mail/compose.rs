//! Turns an outbox row into a mail: who it goes to, what the template says, and the
//! headers that make it answerable (a reply address naming the case), stable (a
//! Message-ID derived from the row, so a resend is recognisably the same message) and
//! loop-safe (`Auto-Submitted` on everything no person wrote).

use crate::app::AppState;
use crate::mail::reply_address;
use crate::mail::templates::{TemplateError, Templates};
use lettre::message::header::ContentType;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, Message, MultiPart, SinglePart};
use roadone_domain::{AttachmentRef, Case, EventBody, Recipient};
use roadone_store::{OutboxRow, StoredCase};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ComposeError {
    /// Permanent: there is nowhere to send it (a customer known only by phone).
    #[error("no email address for the recipient")]
    NoAddress,
    #[error("{0}")]
    Address(String),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("cannot build the message: {0}")]
    Build(String),
}

/// A plain header of automatic mail, its value as given.
macro_rules! plain_header {
    ($type:ident, $name:literal) => {
        #[derive(Debug, Clone)]
        pub struct $type(pub String);

        impl Header for $type {
            fn name() -> HeaderName {
                HeaderName::new_from_ascii_str($name)
            }
            fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
                Ok($type(s.to_string()))
            }
            fn display(&self) -> HeaderValue {
                HeaderValue::new(Self::name(), self.0.clone())
            }
        }
    };
}

// `Auto-Submitted` (RFC 3834) tells auto-responders not to answer; those that ignore it
// honour one of the others: Exchange the last, most others `Precedence`.
plain_header!(AutoSubmitted, "Auto-Submitted");
plain_header!(Precedence, "Precedence");
plain_header!(AutoResponseSuppress, "X-Auto-Response-Suppress");

/// Marks a message no person wrote (`how`: `auto-replied` to a customer's contact,
/// `auto-generated` on its own), so that no auto-responder answers it.
pub(crate) fn automatic(
    builder: lettre::message::MessageBuilder,
    how: &str,
) -> lettre::message::MessageBuilder {
    builder
        .header(AutoSubmitted(how.into()))
        .header(Precedence("bulk".into()))
        .header(AutoResponseSuppress("All".into()))
}

/// Templates written by a person on the spot; everything else is automatic.
fn written_by_a_person(template: &str) -> bool {
    matches!(template, "staff_message" | "solved")
}

/// The domain of the support address: the right-hand side of every Message-ID we make.
pub(crate) fn mail_domain(mail_from: &str) -> &str {
    mail_from
        .rsplit_once('@')
        .map(|(_, d)| d)
        .unwrap_or("localhost")
}

pub(crate) fn mailbox(name: Option<&str>, email: &str) -> Result<Mailbox, ComposeError> {
    let address = email
        .parse()
        .map_err(|e| ComposeError::Address(format!("{email:?}: {e}")))?;
    Ok(Mailbox::new(
        name.map(|n| n.replace(['\r', '\n'], " ")),
        address,
    ))
}

/// `files` are the attachments of the event being told, with their bytes; times are
/// written in the recipient's zone, and the customer's mail in their language (`customer`
/// says both; staff read English).
pub fn compose(
    state: &AppState,
    templates: &Templates,
    row: &OutboxRow,
    stored: &StoredCase,
    case: &Case,
    files: &[(AttachmentRef, Vec<u8>)],
    customer: (crate::time_zones::Zone, crate::languages::Language),
) -> Result<Message, ComposeError> {
    let (customer_zone, customer_language) = customer;
    let snapshot = state.directory.snapshot();
    let name_of = |id: i64| snapshot.person_name(id);
    let (zone, language) = match row.notification.recipient {
        Recipient::Customer => (customer_zone, customer_language),
        Recipient::Person { id } => (state.zone_of(id), crate::languages::Language::English),
    };
    let to = match row.notification.recipient {
        Recipient::Customer => {
            let email = case
                .customer
                .email
                .as_deref()
                .filter(|e| !e.is_empty())
                .ok_or(ComposeError::NoAddress)?;
            mailbox(case.customer.name.as_deref(), email)?
        }
        Recipient::Person { id } => {
            let person = snapshot.person(id).ok_or(ComposeError::NoAddress)?;
            mailbox(Some(&person.name), &person.email)?
        }
    };
    let seq = row.notification.event_seq as usize;
    let event = stored.events.get(seq - 1);
    // The case as the event left it: a mail sent after a later change (a reopening, a
    // pass-up) still tells what happened then — the resolution given, the owner then.
    let told = stored
        .events
        .get(..seq)
        .and_then(|events| Case::from_events(events).ok());
    let told = told.as_ref().unwrap_or(case);
    let (reason, message, score, delighted_by, would_recommend) = match event.map(|e| &e.body) {
        Some(EventBody::PassedUp { reason, .. }) | Some(EventBody::Upgraded { reason, .. }) => {
            (reason.clone(), String::new(), 0, String::new(), false)
        }
        Some(EventBody::MessageSent { body, .. })
        | Some(EventBody::CustomerReplied { body, .. }) => {
            (String::new(), body.clone(), 0, String::new(), false)
        }
        Some(EventBody::Rated {
            score,
            delighted_by,
            would_recommend,
        }) => (
            String::new(),
            String::new(),
            *score,
            delighted_by.clone(),
            *would_recommend,
        ),
        _ => Default::default(),
    };
    let snapshot = state.directory.snapshot();
    let settings = &snapshot.settings;
    // A reopening follows the customer's reply; show that reply with it.
    let message = if message.is_empty() && row.notification.template == "reopened_to_you" {
        stored
            .events
            .iter()
            .rev()
            .find_map(|e| match &e.body {
                EventBody::CustomerReplied { body, .. } => Some(body.clone()),
                _ => None,
            })
            .unwrap_or_default()
    } else {
        message
    };
    let actor_name = event
        .and_then(|e| e.actor.person())
        .map(name_of)
        .unwrap_or_else(|| "Roadone".into());
    let base = state.config.public_url.trim_end_matches('/');
    let context = minijinja::context! {
        lang => language.code(),
        ref => stored.head.reference,
        // Cases stored before subjects were kept on one line are folded here too.
        subject => roadone_domain::rules::one_line(&case.subject),
        category => snapshot.category_name(&case.category),
        customer_name => case.customer.name,
        owner_name => name_of(told.owner),
        actor_name => actor_name,
        sender_name => actor_name,
        reason => reason,
        message => message,
        resolution => told.solution.as_ref().map(|s| s.resolution.clone()),
        score => score,
        delighted_by => delighted_by,
        would_recommend => would_recommend,
        opened_at => zone.stamp(case.opened_at),
        promised_by => zone.stamp(case.promised_by),
        escalates_at => zone.stamp(case.escalates_at),
        escalate_after => settings.shown("escalate_after"),
        link => crate::mail::case_link::case_link(base, &stored.head),
        staff_link => format!("{base}/staff/cases/{}", stored.head.id),
    };
    let (subject, body) = templates.render(&row.notification.template, context)?;
    let from = mailbox(Some(&settings.mail_sender_name), &settings.mail_from)?;
    let reply_to = mailbox(
        Some(&settings.mail_sender_name),
        &reply_address::address(&settings.mail_from, &state.secret, stored.head.id),
    )?;
    let domain = mail_domain(&settings.mail_from);
    let mut builder = Message::builder()
        .from(from)
        .reply_to(reply_to)
        .to(to)
        .subject(subject)
        .message_id(Some(reply_address::message_id(
            &state.secret,
            row.case_id,
            row.id,
            domain,
        )))
        .in_reply_to(reply_address::thread_id(&state.secret, row.case_id, domain))
        .references(reply_address::thread_id(&state.secret, row.case_id, domain));
    if !written_by_a_person(&row.notification.template) {
        builder = automatic(builder, "auto-replied");
    }
    // What a person wrote (in Markdown) goes as plain text and as its cleaned HTML, so
    // lists and emphasis show as such; automatic mail stays plain text. A single part
    // still says what it is (`MIME-Version`, `Content-Type` with its charset), or mail
    // programs guess, and £ or — arrive as mojibake.
    let text = |body: String| -> MultiPart {
        let html = crate::mail::html::from_markdown(&body);
        MultiPart::alternative_plain_html(body, html)
    };
    let person_wrote = written_by_a_person(&row.notification.template);
    if files.is_empty() {
        return if person_wrote {
            builder.multipart(text(body))
        } else {
            builder.singlepart(SinglePart::plain(body))
        }
        .map_err(|e| ComposeError::Build(e.to_string()));
    }
    let mut parts = if person_wrote {
        MultiPart::mixed().multipart(text(body))
    } else {
        MultiPart::mixed().singlepart(SinglePart::plain(body))
    };
    for (file, bytes) in files {
        let content_type = ContentType::parse(&file.content_type).unwrap_or_else(|_| {
            ContentType::parse("application/octet-stream").expect("a valid type")
        });
        parts =
            parts.singlepart(Attachment::new(file.name.clone()).body(bytes.clone(), content_type));
    }
    builder
        .multipart(parts)
        .map_err(|e| ComposeError::Build(e.to_string()))
}
