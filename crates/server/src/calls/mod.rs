//! Calls: call records from telephone systems, read into one shape (`record.rs`) from
//! Asterisk's and FreeSWITCH's CSV files (`cdr.rs`), and stored (`intake.rs`).

pub mod cdr;
pub mod intake;
pub mod record;
