//! The analytics on fixtures worked out by hand.
//!
//! One test binary for the crate: each file below is a module, so the crate is linked
//! once for all of them.

mod common;

mod calls;
mod customer_math;
mod customer_world;
mod delight_and_roads;
mod experiment_worlds;
mod trail;
