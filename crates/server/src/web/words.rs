//! Refusals in words for the pages: people by name, not by id; fields by what the form
//! calls them, not by their path in the API. The API keeps its exact codes and fields;
//! a person reading a page gets a sentence, and the form field it is about.

use crate::error::AppError;
use roadone_domain::{DomainError, PersonId};

/// A refusal as a page shows it: the sentence, and the form field it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    pub field: Option<String>,
    pub sentence: String,
}

fn said(field: Option<&str>, sentence: String) -> Said {
    Said {
        field: field.map(str::to_string),
        sentence,
    }
}

/// What a field is called on the page.
fn label(field: &str) -> &str {
    match field {
        "road" => "The road",
        "resolution" => "The resolution",
        "learned" => "What we learned",
        "reason" => "The reason",
        "body" => "The message",
        "value" => "The value",
        "to" => "Whom it goes to",
        "realtime.reason" => "The reason for realtime help",
        "code" => "The code",
        "current" => "Your current password",
        "second_factor" => "Two-step sign-in",
        other => other,
    }
}

/// `e` in words, naming people with `name`.
pub fn refusal(e: &AppError, name: &dyn Fn(PersonId) -> String) -> Said {
    let AppError::Domain(d) = e else {
        let (_, _, message, field) = e.parts();
        let field = field.map(|f| f.to_string());
        let sentence = match &field {
            Some(f) => {
                let rest = message.strip_prefix(&format!("{f}: ")).unwrap_or(&message);
                format!("{} {rest}.", label(f))
            }
            None => capitalised(&message),
        };
        return Said { field, sentence };
    };
    match d {
        DomainError::NotOwner { owner } => said(
            None,
            format!("Only {}, who owns this case, may do this.", name(*owner)),
        ),
        DomainError::TakeNotFromAbove { owner } => said(
            None,
            format!("Only someone above {} may take this case.", name(*owner)),
        ),
        DomainError::PassNotUp { to, owner } => said(
            Some("to"),
            format!(
                "{} is not above {}: cases only pass up.",
                name(*to),
                name(*owner)
            ),
        ),
        DomainError::TopOfHierarchy { owner } => said(
            None,
            format!(
                "Nobody is above {}, so there is nobody to pass it to: solve the case.",
                name(*owner)
            ),
        ),
        DomainError::AlreadyOwner { person } => {
            said(None, format!("{} owns this case already.", name(*person)))
        }
        DomainError::UpgradeWouldPassDown { manager } => said(
            None,
            format!(
                "{}, the category's manager, works below the owner: an upgrade never passes a case down.",
                name(*manager)
            ),
        ),
        DomainError::InactivePerson { field, id } => said(
            Some(field),
            format!("{} is deactivated: choose someone else.", name(*id)),
        ),
        DomainError::UnknownPerson { field, .. } => {
            said(Some(field), "Choose a person from the list.".into())
        }
        DomainError::Required { field } => {
            said(Some(field), format!("{} is required.", label(field)))
        }
        DomainError::Invalid { field, message } if field == "road" => said(
            Some(field),
            "Choose the road this case took (1 to 4).".into(),
        ),
        DomainError::Invalid { field, message } => {
            said(Some(field), format!("{} {message}.", label(field)))
        }
        DomainError::UnknownFact { .. } => said(
            Some("key"),
            "That is not one of this category's facts.".into(),
        ),
        DomainError::CaseSolved => said(None, "This case is solved already.".into()),
        other => said(None, capitalised(&other.to_string())),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(id: PersonId) -> String {
        format!("Person{id}")
    }

    #[test]
    fn people_are_named_and_fields_called_what_the_form_calls_them() {
        let not_owner = refusal(
            &AppError::Domain(DomainError::NotOwner { owner: 12 }),
            &name,
        );
        assert_eq!(
            not_owner.sentence,
            "Only Person12, who owns this case, may do this."
        );
        assert!(!not_owner.sentence.contains("person 12"));
        let road = refusal(
            &AppError::Domain(DomainError::Invalid {
                field: "road".into(),
                message: "road must be 1, 2, 3 or 4, got 0".into(),
            }),
            &name,
        );
        assert_eq!(road.field.as_deref(), Some("road"));
        assert_eq!(road.sentence, "Choose the road this case took (1 to 4).");
        let invalid = refusal(
            &AppError::invalid("value", "is what the Account says already"),
            &name,
        );
        assert_eq!(
            invalid.sentence,
            "The value is what the Account says already."
        );
        assert_eq!(invalid.field.as_deref(), Some("value"));
    }
}
