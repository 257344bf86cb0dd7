//! The store the views bench measures: its people, categories, customers, cases (their
//! projection rows and real events) and orders, made once and kept for the next run.

use crate::client::Client;
use crate::server::{run as roadone, run_with_input, Rng, Server, PASSWORD};
use anyhow::{bail, Context, Result};
use chrono::{DateTime, Duration, Utc};
use roadone_domain::{
    Actor, Channel, Customer, Event, EventBody, PersonId, Realtime, Road, TickleReason,
};
use rusqlite::params;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

pub(crate) const EXECUTIVES: usize = 2;
pub(crate) const MANAGERS: usize = 8;
pub(crate) const FRONTLINE: usize = 64;
/// Customers 1..=HEAVY have many cases (about 0.3% of all each 10) and many orders.
pub(crate) const HEAVY: i64 = 10;
pub(crate) const HEAVY_ORDERS: i64 = 2_000;
/// Orders of everyone else, per customer on average.
pub(crate) const ORDERS_PER_CUSTOMER: i64 = 8;
pub(crate) const CATEGORIES: [(&str, &str, u32); 5] = [
    ("billing", "Billing", 35),
    ("delivery", "Delivery", 25),
    ("returns", "Returns", 15),
    ("product", "Product", 15),
    ("account", "Account", 10),
];
pub(crate) const CHANNELS: [(Channel, u32); 5] = [
    (Channel::Email, 45),
    (Channel::Web, 20),
    (Channel::Phone, 20),
    (Channel::Portal, 10),
    (Channel::Api, 5),
];
pub(crate) const FIRST_NAMES: [&str; 24] = [
    "Ada", "Ben", "Chloe", "David", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kiran",
    "Lena", "Marta", "Nils", "Olga", "Pablo", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Viktor",
    "Wen", "Yusuf",
];
/// A third of the customers have one of these; the rest a rarer name from the syllables.
pub(crate) const COMMON_SURNAMES: [&str; 30] = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Wright", "Walker", "Evans", "Thomas", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke",
    "Hughes", "Murphy", "Kelly", "Novak", "Schmidt", "Müller", "García", "Rossi", "Dubois",
    "Jansen", "Nowak",
];
pub(crate) const SYLLABLES: [[&str; 12]; 3] = [
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
pub(crate) const SUBJECTS: [&str; 12] = [
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
pub(crate) fn mix(id: i64, salt: u64) -> u64 {
    let mut z = (id as u64)
        .wrapping_add(salt.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A customer's first name and surname.
pub(crate) fn customer_name(id: i64) -> (String, String) {
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
pub(crate) fn customer_phone(id: i64) -> String {
    format!("+447{:09}", 300_000_000 + id)
}

/// The same number as a caller reads it out: `+44 7300 100042`.
pub(crate) fn phone_as_said(id: i64) -> String {
    let p = customer_phone(id);
    format!("{} {} {}", &p[..3], &p[3..7], &p[7..])
}

pub(crate) fn customer_email(id: i64) -> String {
    let (first, surname) = customer_name(id);
    format!(
        "{}.{}.{id}@example.com",
        first.to_lowercase(),
        surname.to_lowercase()
    )
}

pub(crate) fn weighted<T: Copy>(rng: &mut Rng, items: &[(T, u32)]) -> T {
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
pub(crate) struct Org {
    /// Each frontline person with their manager and that manager's executive.
    frontline: Vec<(PersonId, PersonId, PersonId)>,
}

/// A case's row in the projection, as the store keeps it.
pub(crate) struct CaseRow {
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
pub(crate) fn story(
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
            call_back_by: None,
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
pub(crate) fn people() -> Vec<(String, String, &'static str, Option<String>)> {
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
pub(crate) const FRONT: &str = "front1@bench.example";
pub(crate) const MANAGER: &str = "manager1@bench.example";
pub(crate) const EXECUTIVE: &str = "exec1@bench.example";
pub(crate) const ADMIN: &str = "admin@bench.example";

pub(crate) fn read_org(db: &Path) -> Result<Org> {
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
pub(crate) fn fill(db: &Path, org: &Org, cases: i64, customers: i64) -> Result<(i64, i64, i64)> {
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
pub(crate) const READY: &str = "views-ready.json";

/// Makes the store in `dir` (removing what was there); returns its description.
pub(crate) async fn prepare(
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
