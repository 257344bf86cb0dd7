//! The staff case views and the customer page over a store of N cases, as it looks after
//! two years of use: C customers with several cases each (a few with hundreds), most cases
//! solved and some open, waiting on the customer or escalated, five categories, five
//! channels, and a team tree (an administrator, 2 executives, 8 managers, 64 frontline).
//!
//! The people and categories are made through the binary's own commands and API; the
//! customers, cases (their projection rows and real `Event`s serialised as the store does)
//! and orders are then written straight into the tables in large transactions, as the
//! trail and customer-math modes do (through the rules this would take hours). No timers
//! are written, so the scheduler leaves the cases as they are while they are measured.
//! The data directory is kept and reused by the next run with the same sizes.
//!
//! Then, for each view, a person who may see it is signed in and C keep-alive clients ask
//! for it for T seconds (after a one-second warm-up that is not counted).

use crate::client::{percentile, Client};
use crate::pages::{sign_in_as, url_form};
use crate::server::{run as roadone, run_with_input, Rng, Server, PASSWORD};
use anyhow::{bail, Context, Result};
use chrono::{DateTime, Duration, Utc};
use roadone_domain::{
    Actor, Channel, Customer, Event, EventBody, PersonId, Realtime, Road, TickleReason,
};
use rusqlite::params;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Instant;

const EXECUTIVES: usize = 2;
const MANAGERS: usize = 8;
const FRONTLINE: usize = 64;
/// Customers 1..=HEAVY have many cases (about 0.3% of all each 10) and many orders.
const HEAVY: i64 = 10;
const HEAVY_ORDERS: i64 = 2_000;
/// Orders of everyone else, per customer on average.
const ORDERS_PER_CUSTOMER: i64 = 8;
const CATEGORIES: [(&str, &str, u32); 5] = [
    ("billing", "Billing", 35),
    ("delivery", "Delivery", 25),
    ("returns", "Returns", 15),
    ("product", "Product", 15),
    ("account", "Account", 10),
];
const CHANNELS: [(Channel, u32); 5] = [
    (Channel::Email, 45),
    (Channel::Web, 20),
    (Channel::Phone, 20),
    (Channel::Portal, 10),
    (Channel::Api, 5),
];
const FIRST_NAMES: [&str; 24] = [
    "Ada", "Ben", "Chloe", "David", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kiran",
    "Lena", "Marta", "Nils", "Olga", "Pablo", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Viktor",
    "Wen", "Yusuf",
];
/// A third of the customers have one of these; the rest a rarer name from the syllables.
const COMMON_SURNAMES: [&str; 30] = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Wright", "Walker", "Evans", "Thomas", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke",
    "Hughes", "Murphy", "Kelly", "Novak", "Schmidt", "Müller", "García", "Rossi", "Dubois",
    "Jansen", "Nowak",
];
const SYLLABLES: [[&str; 12]; 3] = [
    [
        "Al", "Bran", "Cor", "Dal", "Fen", "Gar", "Hol", "Kes", "Lind", "Mar", "Pen", "Ros",
    ],
    [
        "a", "e", "i", "o", "ar", "en", "il", "or", "ub", "ey", "an", "et",
    ],
    [
        "by", "combe", "dale", "field", "ford", "ham", "ley", "more", "ridge", "ston", "ton",
        "well",
    ],
];
const SUBJECTS: [&str; 12] = [
    "Charged twice for my order",
    "Parcel has not arrived",
    "Wrong size delivered",
    "Refund not received",
    "Cannot sign in to my account",
    "Item arrived damaged",
    "Change my delivery address",
    "Invoice shows the wrong amount",
    "How do I return this?",
    "Product stopped working",
    "Cancel my subscription",
    "Discount code not accepted",
];

/// A 64-bit mix of `id` and `salt` (splitmix64): the customers' details are a function
/// of their id, so the measuring side can ask for them without reading the store.
fn mix(id: i64, salt: u64) -> u64 {
    let mut z = (id as u64)
        .wrapping_add(salt.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A customer's first name and surname.
fn customer_name(id: i64) -> (String, String) {
    let first = FIRST_NAMES[(mix(id, 1) % FIRST_NAMES.len() as u64) as usize].to_string();
    let h = mix(id, 2);
    let surname = if h.is_multiple_of(3) {
        COMMON_SURNAMES[((h >> 8) % COMMON_SURNAMES.len() as u64) as usize].to_string()
    } else {
        let pick = |i: usize, shift: u32| SYLLABLES[i][((h >> shift) % 12) as usize];
        format!("{}{}{}", pick(0, 8), pick(1, 16), pick(2, 24))
    };
    (first, surname)
}

/// A customer's phone number as stored (E.164): UK mobiles, distinct per customer.
fn customer_phone(id: i64) -> String {
    format!("+447{:09}", 300_000_000 + id)
}

/// The same number as a caller reads it out: `+44 7300 100042`.
fn phone_as_said(id: i64) -> String {
    let p = customer_phone(id);
    format!("{} {} {}", &p[..3], &p[3..7], &p[7..])
}

fn customer_email(id: i64) -> String {
    let (first, surname) = customer_name(id);
    format!(
        "{}.{}.{id}@example.com",
        first.to_lowercase(),
        surname.to_lowercase()
    )
}

fn weighted<T: Copy>(rng: &mut Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|i| i.1).sum();
    let mut at = rng.below(i64::from(total)) as u32;
    for (item, weight) in items {
        if at < *weight {
            return *item;
        }
        at -= weight;
    }
    items[items.len() - 1].0
}

/// Who is who in the prepared store, by person id.
struct Org {
    /// Each frontline person with their manager and that manager's executive.
    frontline: Vec<(PersonId, PersonId, PersonId)>,
}

/// A case's row in the projection, as the store keeps it.
struct CaseRow {
    customer: i64,
    category: &'static str,
    subject: String,
    open: bool,
    owner: PersonId,
    intake: PersonId,
    opened_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    solved: Option<(DateTime<Utc>, PersonId, Road)>,
    escalated: bool,
    channel: Channel,
    awaiting: bool,
}

/// The events of one case and its projection row. Times never pass `now`.
fn story(
    rng: &mut Rng,
    org: &Org,
    customer: i64,
    opened_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> (CaseRow, Vec<Event>) {
    let (front, manager, executive) = org.frontline[rng.below(org.frontline.len() as i64) as usize];
    let age = now - opened_at;
    // Recent cases are often still open; old ones seldom.
    let open_in_1000 = match age.num_hours() {
        h if h < 48 => 600,
        h if h < 24 * 30 => 250,
        _ => 3,
    };
    let open = rng.below(1000) < open_in_1000;
    let category = weighted(rng, &CATEGORIES.map(|(key, _, weight)| (key, weight)));
    let channel = weighted(rng, &CHANNELS);
    let subject = format!(
        "{} ({})",
        SUBJECTS[rng.below(SUBJECTS.len() as i64) as usize],
        4000 + rng.below(900_000)
    );
    let mut events: Vec<Event> = Vec::new();
    let mut at = opened_at;
    // Waits shrink for young cases so that their story fits before now.
    let scale = (age.num_minutes() as f64 / (4.0 * 24.0 * 60.0)).clamp(0.0, 1.0);
    let mut push = |at: DateTime<Utc>, actor: Actor, body: EventBody| {
        events.push(Event {
            seq: events.len() as u32 + 1,
            at: at.min(now),
            actor,
            body,
        });
    };
    let wait = |rng: &mut Rng, at: &mut DateTime<Utc>, max_minutes: i64| {
        let minutes = ((1 + rng.below(max_minutes)) as f64 * scale) as i64;
        *at = (*at + Duration::minutes(minutes)).min(now);
        *at
    };
    let (first, surname) = customer_name(customer);
    push(
        at,
        Actor::Person { id: front },
        EventBody::Opened {
            customer: Customer {
                email: Some(customer_email(customer)),
                name: Some(format!("{first} {surname}")),
                phone: Some(customer_phone(customer)),
                ..Customer::default()
            },
            category: category.into(),
            subject: subject.clone(),
            body: "Hello, I need help with this, please. My order number is in the subject.".into(),
            channel,
            facts: BTreeMap::new(),
            missing_facts: vec![],
            realtime: Realtime::default(),
            attachments: vec![],
            owner: front,
            escalates_at: opened_at + Duration::hours(20),
            promised_by: opened_at + Duration::hours(24),
        },
    );
    let mut owner = front;
    let sent = |body: &str| EventBody::MessageSent {
        body: body.into(),
        attachments: vec![],
    };
    let by = |id| Actor::Person { id };
    push(
        wait(rng, &mut at, 90),
        by(owner),
        sent("Thank you, we are looking into it."),
    );
    if rng.below(2) == 0 {
        push(
            wait(rng, &mut at, 240),
            Actor::Customer,
            EventBody::CustomerReplied {
                body: "Thanks. Here are the details you asked for.".into(),
                attachments: vec![],
            },
        );
    }
    if rng.below(10) == 0 {
        push(
            wait(rng, &mut at, 120),
            by(owner),
            EventBody::PassedUp {
                from: owner,
                to: manager,
                reason: "needs a manager's approval".into(),
            },
        );
        owner = manager;
    }
    // A reminder on a third of the cases, and on every open one older than 4 hours.
    if rng.below(3) == 0 || (open && age > Duration::hours(4)) {
        push(
            wait(rng, &mut at, 300),
            Actor::System,
            EventBody::Tickled {
                owner,
                reason: TickleReason::Idle,
            },
        );
    }
    let escalated = age > Duration::hours(20) && rng.below(25) == 0;
    if escalated {
        at = at.max(opened_at + Duration::hours(20)).min(now);
        push(
            at,
            Actor::System,
            EventBody::Escalated {
                from: owner,
                to: executive,
            },
        );
        owner = executive;
    }
    let mut awaiting = false;
    let mut solved = None;
    if open {
        if rng.below(100) < 35 {
            push(
                wait(rng, &mut at, 120),
                by(owner),
                sent("Could you send us a photo of the receipt?"),
            );
            awaiting = true;
        }
    } else {
        push(
            wait(rng, &mut at, 600),
            by(owner),
            sent("We have sorted it out; the refund is on its way."),
        );
        let road = Road::try_from(1 + rng.below(4) as u8).expect("a road");
        push(
            wait(rng, &mut at, 60),
            by(owner),
            EventBody::Solved {
                resolution: "Refunded the order.".into(),
                road,
                learned: "The payment page retries after a timeout.".into(),
            },
        );
        solved = Some((at, owner, road));
        if rng.below(10) < 6 {
            let rated = EventBody::Rated {
                score: 1 + rng.below(5) as u8,
                delighted_by: String::new(),
                would_recommend: rng.below(4) != 0,
            };
            push(wait(rng, &mut at, 24 * 60), Actor::Customer, rated);
        }
    }
    let updated_at = events.last().expect("an event").at;
    let row = CaseRow {
        customer,
        category,
        subject,
        open,
        owner,
        intake: front,
        opened_at,
        updated_at,
        solved,
        escalated,
        channel,
        awaiting,
    };
    (row, events)
}

/// The people of the store: their emails in the order `user add` gives them ids.
fn people() -> Vec<(String, String, &'static str, Option<String>)> {
    let mut people = vec![(
        "Bench Admin".to_string(),
        "admin@bench.example".to_string(),
        "admin",
        None,
    )];
    for e in 1..=EXECUTIVES {
        people.push((
            format!("Executive {e}"),
            format!("exec{e}@bench.example"),
            "executive",
            None,
        ));
    }
    for m in 1..=MANAGERS {
        let boss = format!("exec{}@bench.example", 1 + (m - 1) * EXECUTIVES / MANAGERS);
        people.push((
            format!("Manager {m}"),
            format!("manager{m}@bench.example"),
            "manager",
            Some(boss),
        ));
    }
    for f in 1..=FRONTLINE {
        let boss = format!(
            "manager{}@bench.example",
            1 + (f - 1) * MANAGERS / FRONTLINE
        );
        people.push((
            format!("Frontline {f}"),
            format!("front{f}@bench.example"),
            "frontline",
            Some(boss),
        ));
    }
    people
}

/// The people signed in to measure: the first of each kind.
const FRONT: &str = "front1@bench.example";
const MANAGER: &str = "manager1@bench.example";
const EXECUTIVE: &str = "exec1@bench.example";
const ADMIN: &str = "admin@bench.example";

fn read_org(db: &Path) -> Result<Org> {
    let conn = rusqlite::Connection::open(db)?;
    let mut stmt = conn.prepare("SELECT id, email, reports_to FROM people")?;
    let rows: Vec<(PersonId, String, Option<PersonId>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let boss = |id: PersonId| rows.iter().find(|r| r.0 == id).and_then(|r| r.2);
    let mut frontline = Vec::new();
    for (id, email, _) in &rows {
        if email.starts_with("front") {
            let manager = boss(*id).context("a frontline person's manager")?;
            let executive = boss(manager).context("a manager's executive")?;
            frontline.push((*id, manager, executive));
        }
    }
    Ok(Org { frontline })
}

/// Writes the customers, cases, events and orders; returns (cases, events, orders).
fn fill(db: &Path, org: &Org, cases: i64, customers: i64) -> Result<(i64, i64, i64)> {
    let mut conn = rusqlite::Connection::open(db)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let now = Utc::now();
    let start = now - Duration::days(730);
    let span = (now - start).num_seconds();
    let mut rng = Rng::new(1_000_003);
    let tx = conn.transaction()?;
    {
        let mut add = tx.prepare(
            "INSERT INTO customers (id, email, name, phone, phone_key, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )?;
        for id in 1..=customers {
            let (first, surname) = customer_name(id);
            let phone = customer_phone(id);
            add.execute(params![
                id,
                customer_email(id),
                format!("{first} {surname}"),
                phone,
                roadone_domain::phone::key(&phone),
                (start - Duration::days(30)).timestamp_millis(),
            ])?;
        }
    }
    tx.commit()?;
    eprintln!("written {customers} customers");
    let mut events_written = 0i64;
    let batch = 50_000;
    let mut id = 1;
    while id <= cases {
        let tx = conn.transaction()?;
        {
            let mut case_row = tx.prepare_cached(
                "INSERT INTO cases (id, customer_id, customer_token, category, subject, state, owner, version, \
                                    opened_at, escalates_at, promised_by, updated_at, intake_owner, solved_at, \
                                    solved_by, road, escalated, channel, awaiting_customer) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )?;
            let mut event = tx.prepare_cached(
                "INSERT INTO events (case_id, seq, kind, at, actor_person, data) VALUES (?, ?, ?, ?, ?, ?)",
            )?;
            for case in id..(id + batch).min(cases + 1) {
                // Ids follow the opening time, as they do when cases come in.
                let opened_at = start + Duration::seconds(span * (case - 1) / cases);
                let customer = if rng.below(1000) < 3 {
                    1 + rng.below(HEAVY)
                } else {
                    HEAVY + 1 + rng.below(customers - HEAVY)
                };
                let (row, events) = story(&mut rng, org, customer, opened_at, now);
                let ms = |t: DateTime<Utc>| t.timestamp_millis();
                case_row.execute(params![
                    case,
                    row.customer,
                    format!("bench-{case:x}-{:x}", mix(case, 7)),
                    row.category,
                    row.subject,
                    if row.open { "open" } else { "solved" },
                    row.owner,
                    events.len() as i64,
                    ms(row.opened_at),
                    ms(row.opened_at + Duration::hours(20)),
                    ms(row.opened_at + Duration::hours(24)),
                    ms(row.updated_at),
                    row.intake,
                    row.solved.map(|s| ms(s.0)),
                    row.solved.map(|s| s.1),
                    row.solved.map(|s| u8::from(s.2)),
                    row.escalated,
                    row.channel.as_str(),
                    row.awaiting,
                ])?;
                for e in &events {
                    event.execute(params![
                        case,
                        e.seq,
                        e.body.kind().as_str(),
                        ms(e.at),
                        e.actor.person(),
                        serde_json::to_string(e)?,
                    ])?;
                }
                events_written += events.len() as i64;
            }
        }
        tx.commit()?;
        id += batch;
        if (id - 1) % 200_000 == 0 {
            eprintln!("written {} cases, {events_written} events", id - 1);
        }
    }
    let mut orders = 0i64;
    let tx = conn.transaction()?;
    {
        let mut add = tx.prepare(
            "INSERT INTO orders (order_id, customer_id, ordered_at, amount_cents, currency, created_at) VALUES (?, ?, ?, ?, ?, 0)",
        )?;
        let mut order = |customer: i64, currency: &str, rng: &mut Rng| -> Result<()> {
            orders += 1;
            let at = start + Duration::seconds(rng.below(span));
            add.execute(params![
                format!("o{orders}"),
                customer,
                at.timestamp_millis(),
                500 + rng.below(20_000),
                currency
            ])?;
            Ok(())
        };
        for customer in 1..=HEAVY {
            for n in 0..HEAVY_ORDERS {
                order(customer, if n % 4 == 0 { "GBP" } else { "EUR" }, &mut rng)?;
            }
        }
        for _ in 0..customers * ORDERS_PER_CUSTOMER {
            let customer = HEAVY + 1 + rng.below(customers - HEAVY);
            order(customer, "EUR", &mut rng)?;
        }
    }
    tx.commit()?;
    eprintln!("written {orders} orders");
    conn.pragma_update(None, "wal_checkpoint", "TRUNCATE")?;
    Ok((cases, events_written, orders))
}

/// What the prepared directory holds, written last: a directory without it is remade.
const READY: &str = "views-ready.json";

/// Makes the store in `dir` (removing what was there); returns its description.
async fn prepare(
    binary: &Path,
    dir: &Path,
    cases: i64,
    customers: i64,
) -> Result<serde_json::Value> {
    let started = Instant::now();
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("remove {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir)?;
    for (name, email, role, boss) in people() {
        let mut args = vec![
            "user", "add", "--name", &name, "--email", &email, "--role", role,
        ];
        if let Some(b) = &boss {
            args.extend(["--reports-to", b.as_str()]);
        }
        roadone(binary, dir, &args)?;
    }
    for email in [FRONT, MANAGER, EXECUTIVE, ADMIN] {
        run_with_input(
            binary,
            dir,
            &["user", "password", "--email", email],
            PASSWORD,
        )?;
    }
    let admin_token = roadone(binary, dir, &["token", "issue", "--email", ADMIN])?;
    let front_token = roadone(binary, dir, &["token", "issue", "--email", FRONT])?;
    let db = dir.join("roadone.db");
    let org = read_org(&db)?;
    // The categories through the API, as an administrator makes them.
    {
        let server = Server::start_on(binary, dir, false, front_token.clone()).await?;
        let mut c = Client::connect(server.addr, &admin_token).await?;
        for (i, (key, name, _)) in CATEGORIES.iter().enumerate() {
            let (_, manager, executive) = org.frontline[i * FRONTLINE / CATEGORIES.len()];
            let body = serde_json::json!({
                "key": key, "name": name, "checklist": [],
                "manager": manager, "executive": executive,
            });
            let status = c.post("/api/v1/categories", body.to_string()).await?;
            if status != 201 {
                bail!("creating the category {key} answered {status}");
            }
        }
        server.stop();
    }
    let filled = tokio::task::spawn_blocking({
        let db = db.clone();
        move || fill(&db, &org, cases, customers)
    })
    .await??;
    let ready = serde_json::json!({
        "cases": filled.0, "customers": customers, "events": filled.1, "orders": filled.2,
        "prepared_at": Utc::now().to_rfc3339(),
        "prepare_seconds": started.elapsed().as_secs_f64().round(),
        "front_token": front_token,
    });
    std::fs::write(dir.join(READY), serde_json::to_string_pretty(&ready)?)?;
    Ok(ready)
}

/// The path of request `n`.
type PathOf = Rc<dyn Fn(u64) -> String>;

/// A scatter of `n` over `0..len` (Knuth's multiplicative hash).
fn scatter(n: u64, len: u64) -> u64 {
    n.wrapping_mul(2_654_435_761) % len
}

/// The part of a page that says what it found, without its tags.
fn what_it_says(html: &str) -> Option<String> {
    let (open, close) = [
        ("id=\"count\"", "</p>"),
        ("<caption>", "</caption>"),
        ("id=\"cases-title\"", "</p>"),
    ]
    .into_iter()
    .find(|(open, _)| html.contains(open))?;
    let from = html.find(open)?;
    let rest = &html[from..];
    let text = &rest[..rest.find(close)?];
    let mut out = String::new();
    let mut in_tag = true; // the rest of the opening tag comes first
    for ch in text.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    Some(out.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[allow(clippy::too_many_arguments)]
pub async fn run(
    binary: &Path,
    no_fsync: bool,
    cases: i64,
    customers: i64,
    clients: usize,
    seconds: u64,
    data: Option<PathBuf>,
    only: Option<String>,
) -> Result<serde_json::Value> {
    if customers <= HEAVY * 2 {
        bail!("--customers must be more than {}", HEAVY * 2);
    }
    let dir = match data {
        Some(d) => d,
        None => crate::server::bench_dir()?.join(format!("views-{cases}-{customers}")),
    };
    let ready: Option<serde_json::Value> = std::fs::read_to_string(dir.join(READY))
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .filter(|r: &serde_json::Value| {
            r["cases"].as_i64() == Some(cases) && r["customers"].as_i64() == Some(customers)
        });
    let (ready, reused) = match ready {
        Some(r) => (r, true),
        None => {
            eprintln!("preparing {cases} cases in {}", dir.display());
            (prepare(binary, &dir, cases, customers).await?, false)
        }
    };
    let load_before = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let front_token = ready["front_token"]
        .as_str()
        .context("the prepared token")?
        .to_string();
    let server = Server::start_on(binary, &dir, no_fsync, front_token).await?;
    let mut cookies = BTreeMap::new();
    for who in [FRONT, MANAGER, EXECUTIVE, ADMIN] {
        cookies.insert(who, sign_in_as(&server, who, PASSWORD).await?);
    }
    let cases_u = cases as u64;
    let others = (customers - HEAVY) as u64;
    let fixed = |p: &'static str| -> PathOf { Rc::new(move |_| p.to_string()) };
    let pages: Vec<(&str, &str, PathOf)> = vec![
        ("mine", FRONT, fixed("/staff/cases")),
        ("waiting", FRONT, fixed("/staff/cases?view=waiting")),
        ("solved", FRONT, fixed("/staff/cases?view=solved")),
        ("team", MANAGER, fixed("/staff/cases?view=team")),
        ("team_of_executive", EXECUTIVE, fixed("/staff/cases?view=team")),
        ("escalated", EXECUTIVE, fixed("/staff/cases?view=escalated")),
        ("all", ADMIN, fixed("/staff/cases?view=all")),
        ("all_page_100", ADMIN, fixed("/staff/cases?view=all&page=100")),
        ("all_every_state", ADMIN, fixed("/staff/cases?view=all&state=all")),
        (
            "all_solved_page_100",
            ADMIN,
            fixed("/staff/cases?view=all&state=solved&page=100"),
        ),
        (
            "all_open_filtered_sorted",
            ADMIN,
            fixed("/staff/cases?view=all&category=delivery&channel=phone&age=1d&sort=oldest"),
        ),
        (
            "team_every_state_sorted",
            MANAGER,
            fixed("/staff/cases?view=team&state=all&sort=changed&page=2"),
        ),
        (
            "all_every_state_filtered_sorted",
            ADMIN,
            fixed("/staff/cases?view=all&state=all&category=billing&channel=email&age=7d&sort=newest&page=3"),
        ),
        (
            "case_by_reference",
            ADMIN,
            Rc::new(move |n| {
                let id = scatter(n, cases_u) + 1;
                format!(
                    "/staff/cases?view=all&state=all&q={}",
                    roadone_store::case_reference(id as i64)
                )
            }),
        ),
        (
            "customer_page_heavy",
            FRONT,
            Rc::new(move |n| format!("/staff/customers/{}", 1 + n % HEAVY as u64)),
        ),
        (
            "customer_page",
            FRONT,
            Rc::new(move |n| {
                format!(
                    "/staff/customers/{}",
                    HEAVY as u64 + 1 + scatter(n, others)
                )
            }),
        ),
        (
            "customer_by_phone",
            FRONT,
            Rc::new(move |n| {
                let id = HEAVY + 1 + scatter(n, others) as i64;
                format!(
                    "/staff/customers?{}",
                    url_form(&[("find", &phone_as_said(id))])
                )
            }),
        ),
        (
            "customer_by_surname",
            FRONT,
            Rc::new(move |n| {
                let id = HEAVY + 1 + scatter(n, others) as i64;
                format!(
                    "/staff/customers?{}",
                    url_form(&[("find", &customer_name(id).1)])
                )
            }),
        ),
    ];
    let wanted: Option<Vec<String>> =
        only.map(|o| o.split(',').map(|s| s.trim().to_string()).collect());
    let mut figures = serde_json::Map::new();
    for (name, who, path) in pages {
        if wanted
            .as_ref()
            .is_some_and(|w| !w.iter().any(|x| x == name))
        {
            continue;
        }
        let cookie = cookies[who].clone();
        // One look first: it must answer 200, and what it says is kept with the figures.
        let mut probe = Client::connect_with_cookie(server.addr, &cookie).await?;
        let (status, html) = probe.get_text(&path(0)).await?;
        if status != 200 {
            bail!("{name}: {} answered {status}", path(0));
        }
        if name == "case_by_reference" && !html.contains(&roadone_store::case_reference(1)) {
            bail!("{name}: the case named is not on the page");
        }
        let says = what_it_says(&html);
        let mut results = None;
        for (round, secs) in [(0, 1), (1, seconds)] {
            let mut conns = Vec::with_capacity(clients);
            for _ in 0..clients {
                conns.push(Client::connect_with_cookie(server.addr, &cookie).await?);
            }
            let path = path.clone();
            let started = Instant::now();
            let (latencies, errors) = crate::drive(
                conns,
                started + std::time::Duration::from_secs(secs),
                move |mut c: Client, n| {
                    let url = path(n);
                    async move {
                        let status = c.get(&url).await?;
                        Ok((c, status == 200))
                    }
                },
            )
            .await?;
            if errors > 0 {
                bail!("{name}: {errors} requests did not answer 200");
            }
            if round == 1 {
                results = Some((latencies, started.elapsed().as_secs_f64()));
            }
        }
        let (latencies, elapsed) = results.context("the measured round")?;
        let max = latencies.iter().copied().max().unwrap_or(0);
        let line = serde_json::json!({
            "as": who.split('@').next(),
            "path": path(0),
            "says": says,
            "requests": latencies.len(),
            "per_s": (latencies.len() as f64 / elapsed).round(),
            "p50_ms": percentile(&latencies, 0.50),
            "p99_ms": percentile(&latencies, 0.99),
            "max_ms": (f64::from(max) / 10.0).round() / 100.0,
        });
        eprintln!("{name}: {line}");
        figures.insert(name.to_string(), line);
    }
    let load_after = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let mut ready = ready;
    if let Some(r) = ready.as_object_mut() {
        r.remove("front_token");
    }
    Ok(serde_json::json!({
        "mode": "views",
        "store": ready,
        "store_reused": reused,
        "clients": clients,
        "seconds_per_page": seconds,
        "pages": figures,
        "server_peak_rss_mb": server.peak_rss_mb()?,
        "db_size_mb": server.db_size_mb(),
        "loadavg_before": load_before.trim(),
        "loadavg_after": load_after.trim(),
    }))
}

/// `EXPLAIN QUERY PLAN` of each statement (with its values written in) against the
/// store at `db`, and the median time of `runs` runs reading every row: to tell which of
/// a page's queries costs what.
pub fn explain(db: &Path, statements: &[String], runs: u32) -> Result<serde_json::Value> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut out = Vec::new();
    for sql in statements {
        let mut plan = Vec::new();
        {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                plan.push(r.get::<_, String>(3)?);
            }
        }
        let mut times = Vec::new();
        let mut rows_read = 0;
        for _ in 0..runs.max(1) {
            let started = Instant::now();
            let mut stmt = conn.prepare(sql)?;
            let mut rows = stmt.query([])?;
            rows_read = 0;
            while rows.next()?.is_some() {
                rows_read += 1;
            }
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        let line = serde_json::json!({
            "sql": sql,
            "plan": plan,
            "rows": rows_read,
            "median_ms": (times[(times.len() - 1) / 2] * 100.0).round() / 100.0,
        });
        eprintln!("{}", serde_json::to_string_pretty(&line)?);
        out.push(line);
    }
    Ok(serde_json::Value::Array(out))
}
