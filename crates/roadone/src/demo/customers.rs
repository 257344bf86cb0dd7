//! The customers: a pool of invented people on reserved domains and numbers who write in.

use super::CUSTOMERS;
use rand::prelude::*;
use rand::rngs::StdRng;
use roadone_domain::Customer;
use std::collections::HashSet;

#[derive(Debug, Clone)]
pub(super) struct CustomerSpec {
    pub(super) first: &'static str,
    pub(super) customer: Customer,
}

/// Email addresses are on the reserved example domains and phone numbers in the range
/// Ofcom keeps for drama, so nothing the outbox sends can reach a real person.
pub(super) fn customer_pool(rng: &mut StdRng) -> Vec<CustomerSpec> {
    let mut seen = HashSet::new();
    (0..CUSTOMERS)
        .map(|i| {
            let first = *FIRST_NAMES.choose(rng).expect("names");
            let last = *LAST_NAMES.choose(rng).expect("names");
            let slug = |s: &str| s.to_lowercase().replace('\'', "");
            let domain = DOMAINS.choose(rng).expect("domains");
            let mut email = match rng.gen_range(0..3) {
                0 => format!("{}.{}@{domain}", slug(first), slug(last)),
                1 => format!("{}{}@{domain}", &slug(first)[..1], slug(last)),
                _ => format!(
                    "{}.{}{}@{domain}",
                    slug(first),
                    slug(last),
                    rng.gen_range(1..99)
                ),
            };
            while !seen.insert(email.clone()) {
                email = format!(
                    "{}.{}{}@{domain}",
                    slug(first),
                    slug(last),
                    rng.gen_range(100..999)
                );
            }
            let phone = rng
                .gen_bool(0.6)
                .then(|| format!("+44 7700 900{:03}", rng.gen_range(0..1000)));
            let external_id = rng.gen_bool(0.55).then(|| format!("C-{}", 10_000 + i));
            CustomerSpec {
                first,
                customer: Customer {
                    email: Some(email),
                    name: Some(format!("{first} {last}")),
                    phone,
                    external_id,
                    // A few customers read French: their pages and mail are in it.
                    language: matches!(first, "Pierre" | "Camille").then(|| "fr".into()),
                },
            }
        })
        .collect()
}

#[rustfmt::skip]
const FIRST_NAMES: &[&str] = &[
    "Olivia", "Liam", "Amelia", "Noah", "Isla", "Oliver", "Ava", "George", "Mia", "Arthur", "Sofia", "Leo", "Grace",
    "Harry", "Freya", "Jack", "Lily", "Oscar", "Ella", "Theo", "Chloe", "Alfie", "Zara", "Henry", "Ruby", "Samuel",
    "Evie", "Adam", "Hannah", "Yusuf", "Fatima", "Mohammed", "Priya", "Arjun", "Mei", "Wei", "Kenji", "Aiko",
    "Carlos", "Lucia", "Mateo", "Valentina", "Pierre", "Camille", "Lukas", "Anna", "Jan", "Marta", "Sven", "Ingrid",
    "Kwame", "Ama", "Chidi", "Ngozi", "Tomasz", "Agnieszka", "Dmitri", "Olga", "Sean", "Niamh", "Rhys", "Ffion",
];
#[rustfmt::skip]
const LAST_NAMES: &[&str] = &[
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson", "Wright",
    "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Khan",
    "Ahmed", "Singh", "Chen", "Wang", "Nakamura", "Sato", "Garcia", "Martinez", "Lopez", "Rossi", "Bianchi",
    "Dubois", "Moreau", "Muller", "Schmidt", "Novak", "Kowalczyk", "Nowak", "Jensen", "Larsen", "Mensah", "Okonkwo",
    "Adeyemi", "Ivanova", "Murphy", "O'Brien", "Kelly", "Byrne", "Hughes", "Lewis", "Price", "Morgan", "Fraser",
    "Campbell",
];
const DOMAINS: &[&str] = &[
    "example.com",
    "example.net",
    "example.org",
    "mail.example.com",
];
