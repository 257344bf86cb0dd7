//! Facts supplied after intake: the customer finds their account number later, or one
//! was taken down wrong. Who may write to the customer may also complete the record;
//! the fact must be one the category asks for; the value it replaces is kept in the event.

use crate::case::Case;
use crate::error::DomainError;
use crate::event::{Actor, EventBody};
use crate::rules::{may_send_message, Context};

/// Longer than this is not a fact but a message.
pub const MAX_FACT_CHARS: usize = 500;

pub(crate) fn supply(
    case: &Case,
    key: &str,
    value: &str,
    actor: Actor,
    ctx: Context<'_>,
) -> Result<EventBody, DomainError> {
    may_send_message(case, actor, ctx)?;
    let item = ctx
        .category
        .item(key)
        .ok_or_else(|| DomainError::UnknownFact {
            key: key.to_string(),
        })?;
    let value = value.trim();
    if value.is_empty() {
        return Err(DomainError::invalid(
            "value",
            format!("is empty: give the {}", item.label),
        ));
    }
    if value.chars().count() > MAX_FACT_CHARS || value.contains(['\r', '\n']) {
        return Err(DomainError::invalid(
            "value",
            format!("must be one line of at most {MAX_FACT_CHARS} characters"),
        ));
    }
    let previous = case.facts.get(key).cloned();
    if previous.as_deref() == Some(value) {
        return Err(DomainError::invalid(
            "value",
            format!("is what the {} says already", item.label),
        ));
    }
    Ok(EventBody::FactSupplied {
        key: key.to_string(),
        value: value.to_string(),
        previous,
    })
}
