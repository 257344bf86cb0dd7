//! Calls: call records from telephone systems, read into one shape (`record.rs`) from
//! Asterisk's and FreeSWITCH's CSV files (`cdr.rs`), stored (`intake.rs`), and followed up:
//! a call nobody answered becomes a case with one owner, and calls join the case they were
//! about (`missed.rs`).

pub mod about;
pub mod cdr;
pub mod intake;
pub mod lines;
pub mod missed;
pub mod record;
pub mod twilio;

use chrono::Duration;

/// The call rules an admin can change on the rules page.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRules {
    /// The category a missed call's case opens in (default: that of new mail).
    pub category: Option<String>,
    /// The owner of a missed call's case is reminded to call back this long after.
    pub call_back_within: Duration,
    /// A call from a customer whose case opened less than this long before joins it.
    pub linked_within: Duration,
    /// Answered within this long: answered in one ring.
    pub one_ring: Duration,
    /// Answered within this long: within the service level.
    pub service_level: Duration,
}

impl Default for CallRules {
    fn default() -> Self {
        CallRules {
            category: None,
            call_back_within: Duration::hours(2),
            linked_within: Duration::days(3),
            one_ring: Duration::seconds(6),
            service_level: Duration::seconds(20),
        }
    }
}
