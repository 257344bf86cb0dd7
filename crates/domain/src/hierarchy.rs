//! The reporting hierarchy: who is above whom. Cases only ever move up it.

use crate::person::{Capability, Person, PersonId, Role};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Default)]
pub struct Hierarchy {
    people: HashMap<PersonId, Person>,
}

impl Hierarchy {
    pub fn new(people: impl IntoIterator<Item = Person>) -> Self {
        Hierarchy {
            people: people.into_iter().map(|p| (p.id, p)).collect(),
        }
    }

    pub fn get(&self, id: PersonId) -> Option<&Person> {
        self.people.get(&id)
    }

    pub fn people(&self) -> impl Iterator<Item = &Person> {
        self.people.values()
    }

    pub fn insert(&mut self, person: Person) {
        self.people.insert(person.id, person);
    }

    /// Everyone above `id`, nearest first. A cycle (which the store refuses to create)
    /// would end the walk rather than loop forever.
    pub fn chain_above(&self, id: PersonId) -> Vec<PersonId> {
        let mut chain = Vec::new();
        let mut seen = HashSet::from([id]);
        let mut current = self.people.get(&id).and_then(|p| p.reports_to);
        while let Some(next) = current {
            if !seen.insert(next) {
                break;
            }
            chain.push(next);
            current = self.people.get(&next).and_then(|p| p.reports_to);
        }
        chain
    }

    /// True when `upper` is strictly above `lower` in the reporting chain.
    pub fn is_above(&self, upper: PersonId, lower: PersonId) -> bool {
        upper != lower && self.chain_above(lower).contains(&upper)
    }

    /// Everyone below `id`, at any depth: their team.
    pub fn below(&self, id: PersonId) -> Vec<PersonId> {
        let mut team: Vec<PersonId> = self
            .people()
            .filter(|p| self.is_above(id, p.id))
            .map(|p| p.id)
            .collect();
        team.sort_unstable();
        team
    }

    /// The person at the top of `id`'s chain (`id` itself when nobody is above).
    pub fn top_of(&self, id: PersonId) -> PersonId {
        self.chain_above(id).last().copied().unwrap_or(id)
    }
}

/// Why a change to the hierarchy was refused, naming the field at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HierarchyRefusal {
    pub field: &'static str,
    pub message: String,
}

impl std::fmt::Display for HierarchyRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl Hierarchy {
    /// Someone may report to `boss` only if `boss` exists and is active.
    pub fn check_manager(&self, boss: PersonId) -> Result<&Person, HierarchyRefusal> {
        let manager = self.get(boss).ok_or_else(|| HierarchyRefusal {
            field: "reports_to",
            message: format!("there is no person {boss}"),
        })?;
        if !manager.active {
            return Err(HierarchyRefusal {
                field: "reports_to",
                message: format!("{} is deactivated", manager.name),
            });
        }
        Ok(manager)
    }

    /// Putting `id` under `reports_to` (or at the top) must keep the hierarchy a tree:
    /// nobody may end up above themselves, or cases passed up would go round in a circle.
    pub fn check_move(
        &self,
        id: PersonId,
        reports_to: Option<PersonId>,
    ) -> Result<(), HierarchyRefusal> {
        let person = self.get(id).ok_or_else(|| HierarchyRefusal {
            field: "id",
            message: format!("there is no person {id}"),
        })?;
        if let Some(boss) = reports_to {
            let manager = self.check_manager(boss)?;
            if boss == id || self.is_above(id, boss) {
                return Err(HierarchyRefusal {
                    field: "reports_to",
                    message: format!(
                        "{} works under {}: they cannot also be above them",
                        manager.name, person.name
                    ),
                });
            }
        }
        Ok(())
    }

    /// The last active administrator may not be deactivated: nobody could then add people,
    /// change categories or let anyone in again.
    pub fn check_deactivation(&self, id: PersonId) -> Result<(), HierarchyRefusal> {
        let person = self.get(id).ok_or_else(|| HierarchyRefusal {
            field: "id",
            message: format!("there is no person {id}"),
        })?;
        let another_admin = self
            .people()
            .any(|p| p.active && p.role == Role::Admin && p.id != id);
        if person.role == Role::Admin && person.active && !another_admin {
            return Err(HierarchyRefusal {
                field: "id",
                message: "this is the last active administrator; make someone else \
                          administrator first"
                    .into(),
            });
        }
        Ok(())
    }

    /// The last active administrator may not stop being one, for the same reason.
    pub fn check_role_change(&self, id: PersonId, role: Role) -> Result<(), HierarchyRefusal> {
        if self.get(id).is_none() {
            return Err(HierarchyRefusal {
                field: "id",
                message: format!("there is no person {id}"),
            });
        }
        if role == Role::Admin {
            return Ok(());
        }
        self.check_deactivation(id)
            .map_err(|refusal| HierarchyRefusal {
                field: "role",
                ..refusal
            })
    }

    /// Who owns a case that arrives with nobody taking it in (mail, the web form), the
    /// `turn`-th time one arrives: the named `inbound_owner` when they are active and may
    /// own cases, else the active frontline in turn, else anyone active but admins.
    pub fn unattended_owner(
        &self,
        inbound_owner: Option<&str>,
        turn: usize,
    ) -> Result<UnattendedOwner, NobodyToOwn> {
        let may_own = |p: &&Person| p.active && p.role.may(Capability::TakeCases);
        let mut named_missing = false;
        if let Some(email) = inbound_owner {
            match self
                .people()
                .filter(may_own)
                .find(|p| p.email.eq_ignore_ascii_case(email))
            {
                Some(p) => {
                    return Ok(UnattendedOwner {
                        owner: p.id,
                        named_owner_unavailable: false,
                    })
                }
                None => named_missing = true,
            }
        }
        let mut candidates: Vec<PersonId> = self
            .people()
            .filter(may_own)
            .filter(|p| p.role == Role::Frontline)
            .map(|p| p.id)
            .collect();
        if candidates.is_empty() {
            candidates = self.people().filter(may_own).map(|p| p.id).collect();
        }
        candidates.sort_unstable();
        if candidates.is_empty() {
            return Err(NobodyToOwn);
        }
        Ok(UnattendedOwner {
            owner: candidates[turn % candidates.len()],
            named_owner_unavailable: named_missing,
        })
    }
}

/// The owner chosen for a case that arrived on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnattendedOwner {
    pub owner: PersonId,
    /// The configured `inbound_owner` is not an active person who can own cases (they
    /// were deactivated since): the case still opens, and the log should say what to fix.
    pub named_owner_unavailable: bool,
}

/// Nobody active may own a case: there is no frontline person and nobody else but admins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NobodyToOwn;

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: PersonId, role: Role, reports_to: Option<PersonId>, active: bool) -> Person {
        Person {
            id,
            name: format!("P{id}"),
            email: format!("p{id}@example.com"),
            role,
            reports_to,
            active,
        }
    }

    /// 1 exec ← 2 manager ← 3, 4 frontline; 5 admin; 6 frontline, deactivated.
    fn team() -> Hierarchy {
        Hierarchy::new([
            person(1, Role::Executive, None, true),
            person(2, Role::Manager, Some(1), true),
            person(3, Role::Frontline, Some(2), true),
            person(4, Role::Frontline, Some(2), true),
            person(5, Role::Admin, None, true),
            person(6, Role::Frontline, Some(2), false),
        ])
    }

    #[test]
    fn nobody_may_end_up_above_themselves() {
        let h = team();
        let refused = h.check_move(1, Some(3)).unwrap_err();
        assert_eq!(refused.field, "reports_to");
        assert_eq!(
            refused.message,
            "P3 works under P1: they cannot also be above them"
        );
        assert!(
            h.check_move(2, Some(2)).is_err(),
            "nobody reports to themselves"
        );
        assert!(
            h.check_move(3, Some(1)).is_ok(),
            "moving up the chain is fine"
        );
        assert!(
            h.check_move(2, None).is_ok(),
            "anyone may be put at the top"
        );
        assert_eq!(
            h.check_move(3, Some(6)).unwrap_err().message,
            "P6 is deactivated"
        );
        assert_eq!(
            h.check_move(3, Some(99)).unwrap_err().message,
            "there is no person 99"
        );
    }

    #[test]
    fn a_team_is_everyone_below_at_any_depth() {
        let h = team();
        for p in h.people() {
            let below = h.below(p.id);
            assert!(!below.contains(&p.id), "nobody is in their own team");
            for q in h.people().filter(|q| q.id != p.id) {
                assert_eq!(below.contains(&q.id), h.is_above(p.id, q.id));
            }
        }
    }

    #[test]
    fn the_last_active_administrator_stays() {
        let mut h = team();
        assert_eq!(h.check_deactivation(5).unwrap_err().field, "id");
        assert_eq!(
            h.check_role_change(5, Role::Manager).unwrap_err().field,
            "role"
        );
        assert!(h.check_role_change(5, Role::Admin).is_ok());
        assert!(h.check_role_change(3, Role::Frontline).is_ok());
        assert_eq!(
            h.check_role_change(99, Role::Admin).unwrap_err().field,
            "id"
        );
        assert!(h.check_deactivation(3).is_ok());
        h.insert(person(7, Role::Admin, None, true));
        assert!(h.check_deactivation(5).is_ok(), "another admin remains");
        h.insert(person(7, Role::Admin, None, false));
        assert!(
            h.check_deactivation(5).is_err(),
            "a deactivated admin does not count"
        );
    }

    #[test]
    fn unattended_cases_go_to_the_named_owner_else_frontline_in_turn() {
        let h = team();
        let turns: Vec<PersonId> = (0..4)
            .map(|t| h.unattended_owner(None, t).unwrap().owner)
            .collect();
        assert_eq!(turns, [3, 4, 3, 4], "active frontline only, in turn");
        let named = h.unattended_owner(Some("P2@EXAMPLE.com"), 7).unwrap();
        assert_eq!(named.owner, 2);
        assert!(!named.named_owner_unavailable);
        for gone in ["p6@example.com", "p5@example.com", "nobody@example.com"] {
            let fallback = h.unattended_owner(Some(gone), 0).unwrap();
            assert_eq!(fallback.owner, 3, "{gone}: deactivated or admin");
            assert!(fallback.named_owner_unavailable, "{gone}");
        }
        let no_frontline = Hierarchy::new([
            person(1, Role::Executive, None, true),
            person(5, Role::Admin, None, true),
        ]);
        assert_eq!(no_frontline.unattended_owner(None, 3).unwrap().owner, 1);
        let only_admin = Hierarchy::new([person(5, Role::Admin, None, true)]);
        assert_eq!(only_admin.unattended_owner(None, 0), Err(NobodyToOwn));
    }
}
