//! The binary as a user runs it: its commands, crashes, a full disk, imports, mail delivery and the OpenAPI document.
//!
//! One test binary for the crate: each file below is a module, so the crate is linked
//! once for all of them.

mod common;

mod cli;
mod crash;
mod full_disk;
mod import_cdr;
mod import_orders;
mod mail_delivery;
mod schemathesis;
