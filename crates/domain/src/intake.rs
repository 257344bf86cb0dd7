//! What a person taking a case in has to supply.

use crate::attachment::AttachmentRef;
use crate::event::{Channel, Customer, Realtime};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intake {
    pub customer: Customer,
    pub category: String,
    pub subject: String,
    pub body: String,
    pub channel: Channel,
    pub facts: BTreeMap<String, String>,
    /// Checklist facts the customer did not have.
    pub missing_facts: Vec<String>,
    pub realtime: Realtime,
    /// Files the customer sent with the first message (stored before the case opens).
    pub attachments: Vec<AttachmentRef>,
}
