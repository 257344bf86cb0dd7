//! The case rules of Roadone.
//!
//! Everything here is pure: no I/O, no async, time comes from an injected [`Clock`].
//! A case is the fold of its events ([`Case::from_events`]); a command is checked
//! against the current state by [`rules::decide`] and either refused with a
//! [`DomainError`] or turned into new events. Timers and notifications are derived
//! from state and events so that the store can write them in the same transaction;
//! [`transition()`] puts the four together, and everything that writes a case uses it.

pub mod actions;
pub mod assignment;
pub mod attachment;
pub mod case;
pub mod category;
pub mod clock;
pub mod command;
pub mod error;
pub mod event;
pub mod experiment;
pub mod facts;
pub mod hierarchy;
pub mod intake;
pub mod junk;
pub mod junk_mark;
pub mod notification;
pub mod person;
pub mod phone;
pub mod rules;
pub mod timer;
pub mod transition;
pub mod validation;

pub use actions::{available_actions, Actions};
pub use attachment::AttachmentRef;
pub use case::{Case, CaseStatus, JunkMark, Rating, Solution};
pub use category::{Category, ChecklistItem};
pub use clock::{Clock, FakeClock, SystemClock};
pub use command::Command;
pub use error::{DomainError, ErrorKind};
pub use event::{
    Actor, Channel, Customer, Event, EventBody, EventKind, Realtime, Road, TickleReason,
};
pub use experiment::{Arm, Experiment, ExperimentSettings, ExperimentState, Lifecycle};
pub use hierarchy::{Hierarchy, HierarchyRefusal, NobodyToOwn, UnattendedOwner};
pub use intake::Intake;
pub use notification::{Notification, Recipient};
pub use person::{Capability, Person, PersonId, Role};
pub use phone::PhoneRegion;
pub use rules::{decide, open, Context, Rules};
pub use timer::{timers_for, Timer, TimerKind};
pub use transition::{opening, resync, transition, Transition};
pub use validation::EmailAddress;

/// Identifier of a case, assigned by the store.
pub type CaseId = i64;
