//! The storage interface of Roadone, at the level of use cases.
//!
//! Every backend (SQLite now, PostgreSQL for several servers) implements [`Store`]
//! and must pass the conformance suite, `roadone-conformance` (`crates/conformance`),
//! a crate of its own so that this one needs no async runtime. Events, the case's
//! projection row, its timers and its outbox rows always change in one transaction, so a
//! timer or a notification can never exist without the event that caused it, nor the
//! other way round.

pub mod calls;
pub mod error;
pub mod experiments;
pub mod health;
pub mod junk;
pub mod records;
pub mod second_factor;
pub mod store;

pub use calls::disposition as calls_disposition;
pub use calls::{
    CallLeg, CallStore, CallsOutcome, CaseCall, NewCall, PhoneCase, PhoneLine, StoredCall,
    TwilioCallback, DISPOSITIONS,
};
pub use error::{StoreError, StoreResult};
pub use experiments::{
    AssignedCustomer, Assignment, AssignmentRequest, ExperimentCase, ExperimentData,
    ExperimentEvent, ExperimentRecord, ExperimentStore, ExperimentVersion,
};
pub use health::{Histogram, StoreHealth, WorkerHealth};
pub use junk::{JunkStore, Lesson, NewSuspendedMail, Settled, SuspendedMail, SuspendedTally};
pub use records::*;
pub use second_factor::{PendingSignIn, SecondFactor};
pub use store::Store;
