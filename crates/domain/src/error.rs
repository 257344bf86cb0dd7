//! Why a command was refused. Each refusal names its problem and, where there is one, the field.

use crate::person::PersonId;
use thiserror::Error;

/// The broad class of a refusal; the HTTP layer maps it to a status in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request is well-formed but its content breaks a rule (422).
    Invalid,
    /// The actor may not do this (403).
    Forbidden,
    /// The case is not in a state that allows this (409).
    Conflict,
    /// Stored data contradicts the rules; a bug, never the caller's fault (500).
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("{field} is required")]
    Required { field: String },
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("the checklist requires fact {key:?}: supply it in facts or list it in missing_facts")]
    MissingFact { key: String },
    #[error("fact {key:?} is not on this category's checklist")]
    UnknownFact { key: String },
    #[error("fact {key:?} is both supplied and listed as missing")]
    FactBothGivenAndMissing { key: String },
    #[error("no category with key {key:?}")]
    UnknownCategory { key: String },
    #[error("{field}: no person with id {id}")]
    UnknownPerson { field: String, id: PersonId },
    #[error("{field}: person {id} is deactivated")]
    InactivePerson { field: String, id: PersonId },
    #[error("only the case's owner (person {owner}) may do this")]
    NotOwner { owner: PersonId },
    #[error("only someone above the owner (person {owner}) may take this case")]
    TakeNotFromAbove { owner: PersonId },
    #[error("to: person {to} is not above the owner (person {owner}); cases only pass up")]
    PassNotUp { to: PersonId, owner: PersonId },
    #[error("person {owner} is at the top of the hierarchy: there is nobody to pass up to; solve the case")]
    TopOfHierarchy { owner: PersonId },
    #[error("person {person} already owns this case")]
    AlreadyOwner { person: PersonId },
    #[error("the category's manager (person {manager}) is below the owner; an upgrade never passes a case down")]
    UpgradeWouldPassDown { manager: PersonId },
    #[error("only {who} may do this")]
    WrongActor { who: &'static str },
    #[error("the case is solved")]
    CaseSolved,
    #[error(
        "the case was marked as not a customer case; someone above its owner can undo the mark"
    )]
    CaseJunk,
    #[error("the case is not marked as junk")]
    NotMarkedJunk,
    #[error(
        "only someone above the owner (person {owner}) or an administrator may undo a junk mark"
    )]
    UndoNotFromAbove { owner: PersonId },
    #[error("the case is not solved")]
    CaseNotSolved,
    #[error("this solution has already been rated")]
    AlreadyRated,
    #[error("the case has already been escalated")]
    AlreadyEscalated,
    #[error("the deadline reminder was already sent or the deadline has come")]
    AlreadyReminded,
    #[error("{what} is not due until {due}")]
    NotDue { what: &'static str, due: String },
    /// An experiment's life does not allow the step (409).
    #[error("{message}")]
    ExperimentState { message: String },
    #[error("the event log is inconsistent: {message}")]
    Corrupt { message: String },
}

impl DomainError {
    pub fn kind(&self) -> ErrorKind {
        use DomainError::*;
        match self {
            Required { .. }
            | Invalid { .. }
            | MissingFact { .. }
            | UnknownFact { .. }
            | FactBothGivenAndMissing { .. }
            | UnknownCategory { .. }
            | UnknownPerson { .. }
            | InactivePerson { .. }
            | PassNotUp { .. } => ErrorKind::Invalid,
            NotOwner { .. }
            | TakeNotFromAbove { .. }
            | UndoNotFromAbove { .. }
            | WrongActor { .. } => ErrorKind::Forbidden,
            TopOfHierarchy { .. }
            | AlreadyOwner { .. }
            | UpgradeWouldPassDown { .. }
            | CaseSolved
            | CaseJunk
            | NotMarkedJunk
            | CaseNotSolved
            | AlreadyRated
            | AlreadyEscalated
            | AlreadyReminded
            | NotDue { .. }
            | ExperimentState { .. } => ErrorKind::Conflict,
            Corrupt { .. } => ErrorKind::Internal,
        }
    }

    /// A stable machine-readable code for API clients.
    pub fn code(&self) -> &'static str {
        use DomainError::*;
        match self {
            Required { .. } => "required",
            Invalid { .. } => "invalid",
            MissingFact { .. } => "missing_fact",
            UnknownFact { .. } => "unknown_fact",
            FactBothGivenAndMissing { .. } => "fact_both_given_and_missing",
            UnknownCategory { .. } => "unknown_category",
            UnknownPerson { .. } => "unknown_person",
            InactivePerson { .. } => "inactive_person",
            NotOwner { .. } => "not_owner",
            TakeNotFromAbove { .. } => "not_above_owner",
            PassNotUp { .. } => "not_up",
            TopOfHierarchy { .. } => "top_of_hierarchy",
            AlreadyOwner { .. } => "already_owner",
            UpgradeWouldPassDown { .. } => "would_pass_down",
            WrongActor { .. } => "wrong_actor",
            CaseSolved => "case_solved",
            CaseJunk => "case_junk",
            NotMarkedJunk => "not_marked_junk",
            UndoNotFromAbove { .. } => "not_above_owner",
            CaseNotSolved => "case_not_solved",
            AlreadyRated => "already_rated",
            AlreadyEscalated => "already_escalated",
            AlreadyReminded => "already_reminded",
            NotDue { .. } => "not_due",
            ExperimentState { .. } => "experiment_state",
            Corrupt { .. } => "internal",
        }
    }

    /// The request field the refusal is about, in the API's dotted notation.
    pub fn field(&self) -> Option<String> {
        use DomainError::*;
        match self {
            Required { field }
            | Invalid { field, .. }
            | UnknownPerson { field, .. }
            | InactivePerson { field, .. } => Some(field.clone()),
            MissingFact { key } | UnknownFact { key } | FactBothGivenAndMissing { key } => {
                Some(format!("facts.{key}"))
            }
            UnknownCategory { .. } => Some("category".into()),
            PassNotUp { .. } => Some("to".into()),
            _ => None,
        }
    }

    pub(crate) fn required(field: &str) -> Self {
        DomainError::Required {
            field: field.to_string(),
        }
    }

    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Self {
        DomainError::Invalid {
            field: field.to_string(),
            message: message.into(),
        }
    }
}
