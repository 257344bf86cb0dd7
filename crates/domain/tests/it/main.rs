//! The case rules, by example and by property.
//!
//! One test binary for the crate: each file below is a module, so the crate is linked
//! once for all of them.

mod assignment;
mod experiment;
mod properties;
mod rules;
