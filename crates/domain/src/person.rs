//! People who work cases, and their roles.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

pub type PersonId = i64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Frontline,
    Staff,
    Manager,
    Executive,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Frontline,
        Role::Staff,
        Role::Manager,
        Role::Executive,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Frontline => "frontline",
            Role::Staff => "staff",
            Role::Manager => "manager",
            Role::Executive => "executive",
            Role::Admin => "admin",
        }
    }
}

/// What a role allows beyond working one's own cases. The one table of who may do what
/// outside the case rules: the API, the pages and the menus all ask it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// The reports (trail, customer math, delight, roads) and the learning feed.
    ReadReports,
    /// Everyone's cases, not only one's own.
    SeeAllCases,
    /// Take calls and intakes, and so own cases.
    TakeCases,
    /// People, categories, tokens, settings, orders and mail delivered by hand.
    Administer,
}

impl Capability {
    /// Who has it, in words for a refusal ("only managers, executives and admins …").
    pub fn holders(self) -> String {
        let names: Vec<&str> = Role::ALL
            .into_iter()
            .filter(|r| r.may(self))
            .map(Role::plural)
            .collect();
        match names.as_slice() {
            [] => "nobody".into(),
            [one] => (*one).into(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        }
    }
}

impl Role {
    pub fn may(self, capability: Capability) -> bool {
        use Capability::*;
        match capability {
            // Those who decide need what customers say; frontline and staff work cases.
            ReadReports | SeeAllCases => {
                matches!(self, Role::Manager | Role::Executive | Role::Admin)
            }
            // An administrator keeps the system and owns no cases, so nothing can be
            // escalated to or languish with someone who is not there to work it.
            TakeCases => self != Role::Admin,
            Administer => self == Role::Admin,
        }
    }

    fn plural(self) -> &'static str {
        match self {
            Role::Frontline => "frontline staff",
            Role::Staff => "staff",
            Role::Manager => "managers",
            Role::Executive => "executives",
            Role::Admin => "admins",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role {s:?}: expected one of frontline, staff, manager, executive, admin"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: PersonId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub reports_to: Option<PersonId>,
    pub active: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_capability_table_reads_as_the_product_says() {
        assert_eq!(
            Capability::ReadReports.holders(),
            "managers, executives and admins"
        );
        assert_eq!(Capability::Administer.holders(), "admins");
        assert!(Role::ALL
            .into_iter()
            .all(|r| r.may(Capability::TakeCases) != r.may(Capability::Administer)));
    }
}
