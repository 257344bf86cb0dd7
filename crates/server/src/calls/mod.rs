//! Calls: call records from telephone systems, read into one shape (`record.rs`) from
//! Asterisk's and FreeSWITCH's CSV files (`cdr.rs`).

pub mod cdr;
pub mod record;
