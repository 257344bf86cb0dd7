//! The reports (docs/design.md §3, docs/metrics.md): read the events from the store, compute with
//! `roadone-analytics`, and name the people. Shown as JSON, CSV, a page, or a CLI table.

pub mod cache;
pub mod calls;
pub mod csv;
pub mod customer_math;
pub mod delight;
pub mod experiment;
pub mod roads;
pub mod trail;
