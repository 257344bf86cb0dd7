//! What service is worth, computed from the event log (docs/design.md §3, docs/metrics.md). Pure
//! functions over events: the store reads them, the server and the CLI present the result.

pub mod calls;
pub mod customer_math;
pub mod delight;
pub mod experiment;
pub mod month;
pub mod roads;
pub mod stats;
pub mod trail;

pub use month::Month;
pub use trail::{trail, PersonTrail, Trail, TRAIL_KINDS};
