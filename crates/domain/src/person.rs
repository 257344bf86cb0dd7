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
