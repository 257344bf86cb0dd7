//! Categories of cases and the facts each one must capture at intake.

use crate::person::PersonId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    pub key: String,
    pub label: String,
    #[serde(default)]
    pub required: bool,
    /// A regular expression that finds this fact in a customer's written message (its
    /// first group if it has one), e.g. `(?i)order\s*#?\s*(\d{6,})`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub key: String,
    pub name: String,
    pub checklist: Vec<ChecklistItem>,
    /// Receives upgrades from frontline, to learn from customers.
    pub manager: PersonId,
    /// Receives the cases still unsolved at the escalation deadline.
    pub executive: PersonId,
}

impl Category {
    pub fn item(&self, key: &str) -> Option<&ChecklistItem> {
        self.checklist.iter().find(|i| i.key == key)
    }
}
