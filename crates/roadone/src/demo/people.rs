//! The people: the demo company's organisation chart and how each person works (their persona).

use roadone_domain::Role;

pub(super) struct PersonSpec {
    /// Also the email's local part (`_` becomes `.`).
    pub(super) key: &'static str,
    pub(super) name: &'static str,
    pub(super) role: Role,
    pub(super) boss: Option<&'static str>,
}

const fn p(
    key: &'static str,
    name: &'static str,
    role: Role,
    boss: Option<&'static str>,
) -> PersonSpec {
    PersonSpec {
        key,
        name,
        role,
        boss,
    }
}

/// Five levels: the CEO (and the admin); three executives; the five category managers
/// (brand / product owners, who receive upgrades to learn from customers), each running
/// a team of a team lead and the frontline; the frontline. Bosses come before the people
/// who report to them.
pub(super) const PEOPLE: &[PersonSpec] = &[
    p("margaret_okafor", "Margaret Okafor", Role::Executive, None),
    p(
        "admin",
        "Nadia Petrov",
        Role::Admin,
        Some("margaret_okafor"),
    ),
    p(
        "daniel_reyes",
        "Daniel Reyes",
        Role::Executive,
        Some("margaret_okafor"),
    ),
    p(
        "priya_natarajan",
        "Priya Natarajan",
        Role::Executive,
        Some("margaret_okafor"),
    ),
    p(
        "tomas_lindqvist",
        "Tomas Lindqvist",
        Role::Executive,
        Some("margaret_okafor"),
    ),
    // Billing.
    p(
        "helen_achterberg",
        "Helen Achterberg",
        Role::Manager,
        Some("daniel_reyes"),
    ),
    p(
        "grace_mwangi",
        "Grace Mwangi",
        Role::Staff,
        Some("helen_achterberg"),
    ),
    p(
        "rosa_delgado",
        "Rosa Delgado",
        Role::Frontline,
        Some("grace_mwangi"),
    ),
    p(
        "kevin_marsh",
        "Kevin Marsh",
        Role::Frontline,
        Some("grace_mwangi"),
    ),
    p(
        "hannah_becker",
        "Hannah Becker",
        Role::Frontline,
        Some("grace_mwangi"),
    ),
    // The delight desk: serves only the customers the experiment treats.
    p(
        "nora_quinn",
        "Nora Quinn",
        Role::Frontline,
        Some("grace_mwangi"),
    ),
    // Delivery.
    p(
        "samuel_osei",
        "Samuel Osei",
        Role::Manager,
        Some("tomas_lindqvist"),
    ),
    p(
        "ben_kowalski",
        "Ben Kowalski",
        Role::Staff,
        Some("samuel_osei"),
    ),
    p(
        "dana_whitfield",
        "Dana Whitfield",
        Role::Frontline,
        Some("ben_kowalski"),
    ),
    p(
        "malik_johnson",
        "Malik Johnson",
        Role::Frontline,
        Some("ben_kowalski"),
    ),
    p(
        "chloe_martin",
        "Chloe Martin",
        Role::Frontline,
        Some("ben_kowalski"),
    ),
    // Product fault.
    p(
        "yuki_tanaka",
        "Yuki Tanaka",
        Role::Manager,
        Some("priya_natarajan"),
    ),
    p(
        "ines_carvalho",
        "Ines Carvalho",
        Role::Staff,
        Some("yuki_tanaka"),
    ),
    p(
        "ravi_iyer",
        "Ravi Iyer",
        Role::Frontline,
        Some("ines_carvalho"),
    ),
    p(
        "emily_carter",
        "Emily Carter",
        Role::Frontline,
        Some("ines_carvalho"),
    ),
    // Account access.
    p(
        "omar_haddad",
        "Omar Haddad",
        Role::Manager,
        Some("priya_natarajan"),
    ),
    p(
        "felix_brandt",
        "Felix Brandt",
        Role::Staff,
        Some("omar_haddad"),
    ),
    p(
        "tariq_aziz",
        "Tariq Aziz",
        Role::Frontline,
        Some("felix_brandt"),
    ),
    p(
        "luis_moreno",
        "Luis Moreno",
        Role::Frontline,
        Some("felix_brandt"),
    ),
    // Returns and exchanges.
    p(
        "lucia_ferreira",
        "Lucia Ferreira",
        Role::Manager,
        Some("tomas_lindqvist"),
    ),
    p(
        "aisha_rahman",
        "Aisha Rahman",
        Role::Staff,
        Some("lucia_ferreira"),
    ),
    p(
        "sophie_laurent",
        "Sophie Laurent",
        Role::Frontline,
        Some("aisha_rahman"),
    ),
    p(
        "jonas_weber",
        "Jonas Weber",
        Role::Frontline,
        Some("aisha_rahman"),
    ),
];

/// The frontline starter who joins today: added after the history, with no cases and no
/// password yet, and invited to choose one, so the people page shows an invitation waiting.
pub(super) const STARTER: PersonSpec = p(
    "zoe_lambert",
    "Zoe Lambert",
    Role::Frontline,
    Some("aisha_rahman"),
);

/// How a person works, which is what the reports should later reveal.
#[derive(Debug, Clone, Copy)]
pub(super) struct Persona {
    /// Share of the intake this person takes (frontline only).
    pub(super) volume: f64,
    /// Multiplies the chance of passing a case up.
    pub(super) pass: f64,
    /// Multiplies the chance of letting a case sit until the executive gets it.
    pub(super) neglect: f64,
    /// Multiplies how long they take to act.
    pub(super) slowness: f64,
    /// Shifts the customer's rating of the cases they solve.
    pub(super) rating: f64,
}

const fn persona(volume: f64, pass: f64, neglect: f64, slowness: f64, rating: f64) -> Persona {
    Persona {
        volume,
        pass,
        neglect,
        slowness,
        rating,
    }
}

pub(super) const PERSONAS: &[(&str, Persona)] = &[
    ("rosa_delgado", persona(1.2, 0.5, 0.5, 0.8, 0.9)),
    ("kevin_marsh", persona(1.0, 3.6, 1.2, 1.0, -0.5)),
    ("hannah_becker", persona(1.0, 0.9, 1.0, 1.0, 0.1)),
    // No intake of her own: the experiment sends her its treated customers.
    ("nora_quinn", persona(0.0, 0.4, 0.3, 0.8, 0.8)),
    ("luis_moreno", persona(0.9, 1.0, 1.0, 1.1, 0.0)),
    ("dana_whitfield", persona(1.1, 2.7, 1.0, 1.0, -0.3)),
    ("malik_johnson", persona(1.1, 0.6, 0.6, 0.9, 0.7)),
    ("chloe_martin", persona(0.9, 1.0, 1.0, 1.0, 0.0)),
    ("ravi_iyer", persona(1.0, 1.1, 1.0, 1.2, -0.1)),
    ("sophie_laurent", persona(1.0, 0.9, 1.0, 0.9, 0.2)),
    ("jonas_weber", persona(0.8, 1.0, 1.0, 1.0, 0.0)),
    ("emily_carter", persona(1.0, 0.8, 0.9, 1.0, 0.3)),
    ("tariq_aziz", persona(0.9, 1.2, 1.0, 1.1, -0.1)),
    ("grace_mwangi", persona(0.0, 1.0, 0.6, 0.7, 0.4)),
    ("ben_kowalski", persona(0.0, 1.0, 2.5, 1.6, -0.2)),
    ("aisha_rahman", persona(0.0, 1.0, 1.0, 1.0, 0.2)),
    ("ines_carvalho", persona(0.0, 1.0, 0.8, 0.9, 0.3)),
    ("felix_brandt", persona(0.0, 1.0, 1.0, 1.0, 0.1)),
    ("helen_achterberg", persona(0.0, 1.0, 1.0, 1.0, 0.4)),
    ("samuel_osei", persona(0.0, 1.0, 1.0, 1.2, 0.2)),
    ("yuki_tanaka", persona(0.0, 1.0, 1.0, 0.9, 0.6)),
    ("omar_haddad", persona(0.0, 1.0, 1.0, 1.0, 0.3)),
    ("lucia_ferreira", persona(0.0, 1.0, 1.0, 1.0, 0.3)),
    ("margaret_okafor", persona(0.0, 1.0, 1.0, 1.0, 0.5)),
    ("daniel_reyes", persona(0.0, 1.0, 1.0, 1.0, 0.4)),
    ("priya_natarajan", persona(0.0, 1.0, 1.0, 1.0, 0.4)),
    ("tomas_lindqvist", persona(0.0, 1.0, 1.0, 1.1, 0.3)),
];

pub(super) const NEUTRAL: Persona = persona(0.0, 1.0, 1.0, 1.0, 0.0);
