use roadone_domain::{CaseId, PersonId};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("case {case_id} changed meanwhile (expected version {expected}, found {actual})")]
    VersionConflict {
        case_id: CaseId,
        expected: u32,
        actual: u32,
    },
    #[error("no case {0}")]
    CaseNotFound(CaseId),
    #[error("{field} {value:?} is already taken")]
    Duplicate { field: &'static str, value: String },
    #[error("{field}: no person with id {id}")]
    UnknownPerson { field: &'static str, id: PersonId },
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// The thing is not in a state that allows the change (an experiment already ended,
    /// or changed by someone else meanwhile).
    #[error("{0}")]
    Conflict(String),
    #[error("this Idempotency-Key was already used for a different request")]
    IdempotencyMismatch,
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
    /// The disk holding the store is full: nothing was written, and writing resumes by
    /// itself once there is room again.
    #[error("the disk is full: {0}")]
    DiskFull(String),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// The same failure again, for each request of a group that failed together.
    pub fn for_each_request(&self) -> StoreError {
        match self {
            StoreError::DiskFull(m) => StoreError::DiskFull(m.clone()),
            other => StoreError::Unavailable(other.to_string()),
        }
    }
}
