//! The reporting hierarchy: who is above whom. Cases only ever move up it.

use crate::person::{Person, PersonId};
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

    /// The person at the top of `id`'s chain (`id` itself when nobody is above).
    pub fn top_of(&self, id: PersonId) -> PersonId {
        self.chain_above(id).last().copied().unwrap_or(id)
    }
}
