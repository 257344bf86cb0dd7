//! What a person taking a case in has to supply.

use crate::attachment::AttachmentRef;
use crate::error::DomainError;
use crate::event::{Channel, Customer, Realtime};
use crate::phone::{self, PhoneRegion};
use crate::validation::EmailAddress;
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
    /// A case opened for a call nobody answered: the owner is reminded to call back this
    /// long after the opening, unless something was done on the case before.
    pub call_back_within: Option<chrono::Duration>,
}

impl Intake {
    /// The customer as the case keeps them: reachable somehow, each detail one line, the
    /// email an address, the phone in E.164 (national numbers read in `region`).
    pub fn customer_as_kept(&self, region: Option<PhoneRegion>) -> Result<Customer, DomainError> {
        customer_as_kept(&self.customer, region)
    }
}

/// A customer as a case keeps them: reachable somehow, each detail one line, the email an
/// address, the phone in E.164 (national numbers read in `region`).
pub fn customer_as_kept(
    c: &Customer,
    region: Option<PhoneRegion>,
) -> Result<Customer, DomainError> {
    let present = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
    if !present(&c.email) && !present(&c.phone) && !present(&c.external_id) {
        return Err(DomainError::invalid(
            "customer",
            "give at least one way to reach the customer: email, phone or external_id",
        ));
    }
    if let Some(email) = c.email.as_deref().filter(|e| !e.is_empty()) {
        EmailAddress::of_field("customer.email", email)?;
    }
    for (field, value) in [
        ("customer.name", &c.name),
        ("customer.phone", &c.phone),
        ("customer.external_id", &c.external_id),
    ] {
        if value
            .as_deref()
            .is_some_and(|v| v.chars().any(|ch| ch == '\r' || ch == '\n'))
        {
            return Err(DomainError::invalid(field, "must be a single line"));
        }
    }
    let phone = match c.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(typed) => Some(
            phone::normalise(typed, region)
                .map_err(|m| DomainError::invalid("customer.phone", m))?,
        ),
        None => None,
    };
    Ok(Customer { phone, ..c.clone() })
}
