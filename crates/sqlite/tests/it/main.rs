//! The SQLite backend: the conformance suite, one test per check, and what only this backend does (its search index, its migrations).
//!
//! One test binary for the crate: each file below is a module, so the crate is linked
//! once for all of them.

mod case_outcomes_backfill;
mod conformance;
mod customer_lookup_backfill;
mod search_index;
