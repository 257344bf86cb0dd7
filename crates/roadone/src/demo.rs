//! Demo data: a believable company of 25 people, five categories and ~3,000 cases of the
//! last 90 days, so every screen and report has something to show at once.
//!
//! Everything is generated from a fixed seed, so the demo tells the same story on every
//! load, but times are relative to the real `now`. The generator never writes an event
//! by hand: each case is opened with [`roadone_domain::open`] and every later step is a
//! [`Command`] decided by [`roadone_domain::decide`] at its simulated time, written with
//! its timers and notifications exactly as the server's `open_case` / `act` write them.
//! The scheduler is simulated too: before each step, every timer of the case that fell
//! due (idle reminders, the deadline warning, the executive escalation) fires first, as
//! `system`, at its due time — so the reminders and escalations in the demo are the ones
//! Roadone itself would have produced.
//!
//! The story, in numbers a report will find: two frontline agents pass the buck far more
//! than the others (and their team lead solves those cases in minutes with no new
//! information), two are markedly better rated, one team lead lets cases sit until the
//! executive gets them, and the cases opened in the last 20 hours are still open.

use anyhow::{bail, Context as _, Result};
use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc, Weekday};
use rand::distributions::WeightedIndex;
use rand::prelude::*;
use rand::rngs::StdRng;
use roadone_domain::notification::notifications_for;
use roadone_domain::{
    decide, open, timers_for, Actor, Case, CaseId, Category, Channel, ChecklistItem, Command,
    Context, Customer, Event, Intake, PersonId, Realtime, Role, TimerKind,
};
use roadone_server::directory::Snapshot;
use roadone_server::{tokens, AppState};
use roadone_store::{Append, NewCase, NewPerson};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// The seed of the whole demo: change it and the company tells another story.
const SEED: u64 = 0x0005_EED0_0D0E;
/// Every demo person's password for the staff pages.
pub const DEMO_PASSWORD: &str = "roadone-demo";
const CASES: usize = 3_000;
const CUSTOMERS: usize = 1_200;
const DAYS: i64 = 90;
/// Cases opened this recently are left open, part-way through their story.
const RECENT_HOURS: i64 = 20;
/// Stories written concurrently: the SQLite writer commits them in groups.
const IN_FLIGHT: usize = 200;
/// The simulated scheduler stops repeating idle reminders after this many in a row, or
/// this many in a case (the real one goes on every `tickle_after`: with the default 4 h
/// that changes nothing, but `serve --demo --tickle-after 10s` would mean thousands).
const MAX_IDLE_TICKLES_IN_A_ROW: u32 = 6;
const MAX_IDLE_TICKLES_PER_CASE: u32 = 12;
/// How many cases past their deadline are still open with the executive.
const WITH_EXECUTIVE: usize = 4;

#[derive(Debug, Default)]
pub struct DemoReport {
    pub people: usize,
    pub categories: usize,
    pub cases: usize,
    pub open_cases: usize,
    /// Customers who wrote in (out of a pool of 1,200).
    pub customers: usize,
    /// Events written, by kind.
    pub events: BTreeMap<String, usize>,
    /// Planned steps the rules refused (the story had moved on); skipped, never forced.
    pub refused: usize,
    /// Notifications the history caused, recorded as sent when their event happened.
    pub notifications: usize,
    /// Orders of the last nine months (`demo_orders`).
    pub orders: usize,
    pub elapsed: std::time::Duration,
}

impl DemoReport {
    fn merge(&mut self, outcome: StoryOutcome) {
        self.cases += 1;
        self.open_cases += usize::from(outcome.open);
        self.refused += outcome.refused;
        for (kind, n) in outcome.events {
            *self.events.entry(kind.to_string()).or_default() += n;
        }
    }

    pub fn summary(&self) -> String {
        let total: usize = self.events.values().sum();
        let kinds: Vec<String> = self
            .events
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        let refused = match self.refused {
            0 => String::new(),
            n => format!("; {n} planned steps refused by the rules and skipped"),
        };
        format!(
            "demo: {} people, {} categories, {} customers, {} cases ({} still open), {} events ({}), {} orders{refused} in {:.1}s",
            self.people,
            self.categories,
            self.customers,
            self.cases,
            self.open_cases,
            total,
            kinds.join(", "),
            self.orders,
            self.elapsed.as_secs_f64()
        )
    }
}

pub async fn load(state: &AppState) -> Result<DemoReport> {
    let started = std::time::Instant::now();
    if !state.store.people().await?.is_empty() {
        bail!(
            "the demo loads into an empty data directory only; this one already has people in it"
        );
    }
    let now = state.clock.now();
    let mut rng = StdRng::seed_from_u64(SEED);

    // --- the organisation -------------------------------------------------------------
    let mut ids: HashMap<&'static str, PersonId> = HashMap::new();
    for spec in PEOPLE {
        let email = if spec.role == Role::Admin {
            state.config.admin_email.clone()
        } else {
            format!("{}@demo.roadone.local", spec.key.replace('_', "."))
        };
        let reports_to = spec.boss.map(|b| ids[b]);
        let person = state
            .store
            .add_person(NewPerson {
                name: spec.name.into(),
                email,
                role: spec.role,
                reports_to,
            })
            .await
            .with_context(|| format!("adding demo person {}", spec.name))?;
        ids.insert(spec.key, person.id);
    }
    for cat in CATEGORIES {
        state
            .store
            .add_category(Category {
                key: cat.key.into(),
                name: cat.name.into(),
                checklist: cat
                    .checklist
                    .iter()
                    .map(|(key, label, required)| ChecklistItem {
                        key: (*key).into(),
                        label: (*label).into(),
                        required: *required,
                        // Order numbers in written messages fill the fact by themselves.
                        pattern: (*key == "order_id").then(|| {
                            r"(?i)order\s*(?:no\.?|number|#)?\s*:?\s*([A-Z]{0,3}-?\d{5,})"
                                .to_string()
                        }),
                    })
                    .collect(),
                manager: ids[cat.manager],
                executive: ids[cat.executive],
            })
            .await
            .with_context(|| format!("adding demo category {}", cat.key))?;
    }
    state.directory.refresh(state.store.as_ref()).await?;

    // --- the plans (all randomness is drawn here, in one order) ----------------------------
    let world = World::new(&ids, now, state.rules().escalate_after);
    let customers = customer_pool(&mut rng);
    // Most customers write once or twice a quarter, a quarter of them regularly, a few a lot.
    let customer_weights =
        WeightedIndex::new((0..customers.len()).map(|_| match rng.gen_range(0..100) {
            0..=69 => 1.0,
            70..=94 => 3.0,
            _ => 8.0,
        }))
        .expect("weights");
    let times = opening_times(&mut rng, now);
    // The last few cases whose deadline has passed are still with their executive, so
    // executives have open cases too; every other one of them is the CEO's (account access).
    let deadline_passed = times.partition_point(|t| *t + state.rules().escalate_after <= now);
    let with_executive = deadline_passed.saturating_sub(WITH_EXECUTIVE)..deadline_passed;
    let mut plans = Vec::with_capacity(CASES);
    let mut contacted = HashSet::new();
    for (i, opened_at) in times.into_iter().enumerate() {
        let customer = &customers[customer_weights.sample(&mut rng)];
        contacted.insert(customer.customer.email.clone());
        let force = with_executive.contains(&i).then_some(i % 2 == 0);
        plans.push(world.plan(&mut rng, opened_at, customer, force));
    }

    // --- the stories, many at once so the writer can group its commits ----------------------
    let shared = Arc::new(Shared {
        state: state.clone(),
        snapshot: state.directory.snapshot(),
        now,
        personas: world.personas.clone(),
    });
    let permits = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let mut stories = tokio::task::JoinSet::new();
    let mut report = DemoReport {
        people: PEOPLE.len(),
        categories: CATEGORIES.len(),
        ..DemoReport::default()
    };
    for plan in plans {
        // Waiting for a permit before spawning keeps the cases opened in time order.
        let permit = permits.clone().acquire_owned().await?;
        let shared = shared.clone();
        stories.spawn(async move {
            let outcome = run_story(&shared, plan).await;
            drop(permit);
            outcome
        });
        while let Some(done) = stories.try_join_next() {
            report.merge(done??);
        }
    }
    while let Some(done) = stories.join_next().await {
        report.merge(done??);
    }
    report.customers = contacted.len();
    report.notifications = mark_history_sent(state, now).await?;
    report.orders = crate::demo_orders::load(state, now).await?;
    // The demo's cases are all from the last 90 days: compare 30 days of sales around them.
    let admin = state
        .store
        .person_by_email(&state.config.admin_email)
        .await?
        .context("the demo administrator")?;
    state
        .store
        .save_settings(
            vec![(
                "sales_window".into(),
                Some(crate::demo_orders::DEMO_SALES_WINDOW.into()),
            )],
            admin.id,
            now,
        )
        .await?;
    state.directory.refresh(state.store.as_ref()).await?;
    // Everyone can sign in to the staff pages with the one demo password.
    let hash = roadone_server::passwords::hash(DEMO_PASSWORD.into()).await?;
    for person in state.store.people().await? {
        state.store.set_password_hash(person.id, &hash).await?;
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

/// The demo's notifications belong to the past: a mail sender starting on the demo must
/// not deliver three months of acknowledgments at once. Each is claimed and recorded as
/// sent at the time of the event that caused it, through the store's outbox interface.
async fn mark_history_sent(state: &AppState, now: DateTime<Utc>) -> Result<usize> {
    let mut sent = 0;
    loop {
        let batch = state
            .store
            .claim_outbox(&state.instance.id, now, Duration::minutes(10), 1000)
            .await?;
        if batch.is_empty() {
            return Ok(sent);
        }
        let mut writes = tokio::task::JoinSet::new();
        for row in batch {
            let store = state.store.clone();
            writes.spawn(async move { store.outbox_sent(row.id, row.created_at).await });
        }
        while let Some(done) = writes.join_next().await {
            done??;
            sent += 1;
        }
    }
}

// ======================================================================================
// The people
// ======================================================================================

struct PersonSpec {
    /// Also the email's local part (`_` becomes `.`).
    key: &'static str,
    name: &'static str,
    role: Role,
    boss: Option<&'static str>,
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

/// Four levels: the CEO (and the admin); three executives; category owners and team
/// leads; the frontline. Bosses come before the people who report to them.
const PEOPLE: &[PersonSpec] = &[
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
    // Category owners (brand / product owners): they receive upgrades to learn from customers.
    p(
        "helen_achterberg",
        "Helen Achterberg",
        Role::Manager,
        Some("daniel_reyes"),
    ),
    p(
        "samuel_osei",
        "Samuel Osei",
        Role::Manager,
        Some("tomas_lindqvist"),
    ),
    p(
        "yuki_tanaka",
        "Yuki Tanaka",
        Role::Manager,
        Some("priya_natarajan"),
    ),
    p(
        "omar_haddad",
        "Omar Haddad",
        Role::Manager,
        Some("priya_natarajan"),
    ),
    p(
        "lucia_ferreira",
        "Lucia Ferreira",
        Role::Manager,
        Some("tomas_lindqvist"),
    ),
    // Team leads of the customer-service floor.
    p(
        "grace_mwangi",
        "Grace Mwangi",
        Role::Staff,
        Some("daniel_reyes"),
    ),
    p(
        "ben_kowalski",
        "Ben Kowalski",
        Role::Staff,
        Some("daniel_reyes"),
    ),
    p(
        "aisha_rahman",
        "Aisha Rahman",
        Role::Staff,
        Some("daniel_reyes"),
    ),
    // The frontline, four to a team.
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
    p(
        "luis_moreno",
        "Luis Moreno",
        Role::Frontline,
        Some("grace_mwangi"),
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
    p(
        "ravi_iyer",
        "Ravi Iyer",
        Role::Frontline,
        Some("ben_kowalski"),
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
    p(
        "emily_carter",
        "Emily Carter",
        Role::Frontline,
        Some("aisha_rahman"),
    ),
    p(
        "tariq_aziz",
        "Tariq Aziz",
        Role::Frontline,
        Some("aisha_rahman"),
    ),
];

/// How a person works, which is what the reports should later reveal.
#[derive(Debug, Clone, Copy)]
struct Persona {
    /// Share of the intake this person takes (frontline only).
    volume: f64,
    /// Multiplies the chance of passing a case up.
    pass: f64,
    /// Multiplies the chance of letting a case sit until the executive gets it.
    neglect: f64,
    /// Multiplies how long they take to act.
    slowness: f64,
    /// Shifts the customer's rating of the cases they solve.
    rating: f64,
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

const PERSONAS: &[(&str, Persona)] = &[
    ("rosa_delgado", persona(1.2, 0.5, 0.5, 0.8, 0.9)),
    ("kevin_marsh", persona(1.0, 3.6, 1.2, 1.0, -0.5)),
    ("hannah_becker", persona(1.0, 0.9, 1.0, 1.0, 0.1)),
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

const NEUTRAL: Persona = persona(0.0, 1.0, 1.0, 1.0, 0.0);

// ======================================================================================
// The categories and what customers and staff write
// ======================================================================================

struct CategorySpec {
    key: &'static str,
    name: &'static str,
    checklist: &'static [(&'static str, &'static str, bool)],
    manager: &'static str,
    executive: &'static str,
    /// Share of the intake.
    weight: f64,
    /// What customers write about, each with how it gets solved.
    topics: &'static [Topic],
    /// A staff message asking for what is needed or saying what is being done.
    ask: &'static [&'static str],
    /// The customer's answer.
    replies: &'static [&'static str],
    /// Road 4, "go away": (resolution, learned).
    away: &'static [(&'static str, &'static str)],
    upgrade: &'static [&'static str],
    /// The customer writing back after the case was solved: it was not.
    reopen: &'static [&'static str],
    delight: &'static [&'static str],
}

/// One kind of problem. Texts may use `{order}`, `{product}`, `{amount}`, `{invoice}`,
/// `{month}`, `{account}` and `{first}`; each road is (resolution, learned).
struct Topic {
    subject: &'static str,
    body: &'static str,
    /// Road 3: teach the customer to help themselves.
    teach: (&'static str, &'static str),
    /// Road 2: empathy and care.
    care: (&'static str, &'static str),
    /// Road 1: learn from the customer and change something.
    learn: (&'static str, &'static str),
}

const fn topic(
    subject: &'static str,
    body: &'static str,
    teach: (&'static str, &'static str),
    care: (&'static str, &'static str),
    learn: (&'static str, &'static str),
) -> Topic {
    Topic {
        subject,
        body,
        teach,
        care,
        learn,
    }
}

const CATEGORIES: &[CategorySpec] = &[
    CategorySpec {
        key: "billing",
        name: "Billing and payments",
        checklist: &[
            ("account_number", "Account number", true),
            ("invoice_number", "Invoice number", false),
            ("billing_period", "Billing period", false),
        ],
        manager: "helen_achterberg",
        executive: "daniel_reyes",
        weight: 0.26,
        topics: &[
            topic(
                "Charged twice for my {month} subscription",
                "Hi, my card was charged {amount} twice this month for the same subscription. Can you refund the duplicate? My account is {account}.",
                ("Showed the customer the pending and posted charges on the billing page: the second one is a card authorisation that drops off within 3 days.", "Customers read pending card authorisations as double charges; the billing page doesn't say which is which."),
                ("Refunded the duplicate charge of {amount}, sent the refund reference and added a month's credit for the trouble.", "Duplicate charges come from the payment retry after a provider timeout."),
                ("Refunded {amount} and traced the duplicate to the retry after a payment timeout; the payments team is making the retry idempotent.", "Retrying a timed-out payment without an idempotency key charges the customer twice."),
            ),
            topic(
                "Invoice {invoice} shows the wrong company name",
                "The invoice {invoice} has our old company name on it and our accountant won't accept it. Can you reissue it?",
                ("Showed the customer how to update the company name in billing details and regenerate the invoice PDF themselves.", "Customers don't know invoices can be regenerated after changing billing details."),
                ("Reissued invoice {invoice} with the correct company name and emailed it directly to the customer's accountant.", "Company name changes are not carried over to invoices already issued."),
                ("Reissued the invoice and had finance regenerate every invoice since the name change for business accounts.", "Business customers need invoices in their legal name; ours freeze the name at signup."),
            ),
            topic(
                "Can't download my invoice",
                "The download button on the invoices page does nothing. I need the {month} invoice for my expenses today.",
                ("Walked the customer through Account > Billing > Invoices on the website; the app's download button fails on mobile data.", "The invoice download fails silently on mobile data; the help article doesn't mention it."),
                ("Emailed the {month} invoice as a PDF straight away and logged the broken button with the app team.", "The invoices button on Android does nothing since the last app release."),
                ("Sent the invoice and got the app team to fix the download button, broken on Android since the last release.", "A broken invoice button brings a steady stream of contacts at every month end."),
            ),
            topic(
                "Payment failed but the money left my account",
                "The checkout said the payment failed, but {amount} has gone from my bank account. Did it go through or not?",
                ("Explained the bank's temporary hold and showed where the order status confirms no payment was taken; the hold cleared in 2 days.", "Our 'payment failed' screen doesn't mention that the bank may show a temporary hold."),
                ("Confirmed the payment was never captured, asked the payments provider to release the hold and called the customer to explain.", "Failed payments leave a visible hold for up to 5 days at some banks."),
                ("Released the hold with the payments provider and changed the failure screen to explain temporary holds.", "Customers who see money leave after a failure assume we took it; one sentence on the screen prevents the contact."),
            ),
            topic(
                "Refund promised three weeks ago still not here",
                "I was told on the phone that {amount} would be refunded within 5 days. It has been three weeks. Account {account}.",
                ("Showed the customer where refunds appear in the order history with the bank reference; it had been paid to the original card.", "Customers can't see the status of a refund anywhere but at their bank."),
                ("Found the refund had never been issued; paid {amount} at once, added a goodwill credit and apologised.", "Refunds promised on the phone were not recorded anywhere."),
                ("Paid the refund and changed the process so refunds promised by phone are logged as tasks on the case.", "Refund promises made on calls were forgotten because nothing tracked them."),
            ),
            topic(
                "Why did my plan price go up?",
                "My monthly price went up without any notice I can find. What changed and can I go back to the old plan?",
                ("Explained the price change and showed the customer how to switch to the annual plan, which works out at the old monthly price.", "Customers don't know plan changes are self-service."),
                ("Kept the customer on the old price for 12 months as a thank-you for ten years with us.", "Long-standing customers feel a price rise as a betrayal."),
                ("Restored the old price for the customer and asked for an in-app notice before any future price change.", "The price change email went to spam for many customers; nobody saw it coming."),
            ),
            topic(
                "Still billed after cancelling",
                "I cancelled in {month} and got a confirmation email, but I was billed {amount} again this month.",
                ("Showed the customer the cancellation confirmation: the last charge covered the final month of notice, and nothing more will be taken.", "Customers don't expect to pay for the final month of notice; the confirmation doesn't say so."),
                ("Stopped the charges, refunded {amount} and confirmed the cancellation in writing.", "Cancellations made in the Android app did not stop the billing schedule."),
                ("Refunded the charge and had billing fix cancellations from the Android app, which left the schedule running.", "Android cancellations never reached the billing system for six weeks."),
            ),
            topic(
                "Direct debit taken on the wrong date",
                "The payment was supposed to come out on the 28th, after payday. It came out on the 3rd and my account went overdrawn.",
                ("Walked the customer through choosing a collection day in payment settings.", "The direct debit date setting is buried three screens deep."),
                ("Refunded the overdraft fee the customer's bank charged and moved their collection date to the 28th.", "A wrong collection date can cost a customer more than the bill."),
                ("Moved the collection date, refunded the overdraft fee, and fixed the mandate date for everyone in the same batch.", "Our direct debit batch ignored the chosen collection day for accounts migrated in spring."),
            ),
        ],
        ask: &[
            "Thank you for flagging this, {first}. I'm checking account {account} with our payments team now and will come back to you today.",
            "I've pulled up account {account}. Could you send me a screenshot of what you see, so I can match it to our records?",
            "Quick update: finance is looking at this now; I'll write again as soon as I have their answer, today at the latest.",
        ],
        replies: &[
            "Screenshot attached. Thanks for looking into it so quickly.",
            "Thanks, here are the details you asked for.",
            "Any news? I really need this sorted before the end of the month.",
            "OK, thanks for keeping me posted.",
        ],
        away: &[("Explained that the charge follows our terms and cannot be changed.", "Billing questions answered with 'it's in the terms' come back angrier.")],
        upgrade: &[
            "Third customer today charged twice after a payment timeout; Helen should hear this one live.",
            "Small-business owner with a clear explanation of why our invoices don't work for accountants.",
            "Price rise complaint from a ten-year customer; the product owner should hear it first-hand.",
        ],
        reopen: &[
            "It still isn't sorted: nothing has shown up in my account and I've been charged again.",
            "Sorry, this isn't fixed. The new document still has the old details.",
        ],
        delight: &[
            "Refund within an hour and a month free without even asking.",
            "She called me back exactly when she said she would.",
            "Sorted out my accountant's problem directly, so I didn't have to be the middle man.",
        ],
    },
    CategorySpec {
        key: "delivery",
        name: "Delivery",
        checklist: &[
            ("order_id", "Order id", true),
            ("delivery_date", "Expected delivery date", false),
            ("tracking_number", "Carrier tracking number", false),
        ],
        manager: "samuel_osei",
        executive: "tomas_lindqvist",
        weight: 0.24,
        topics: &[
            topic(
                "Order {order} hasn't arrived",
                "My order {order} was supposed to arrive last week. The tracking hasn't updated in five days.",
                ("Showed the customer the carrier's live tracking with the new estimate; the parcel was held at the sorting centre and arrives tomorrow.", "The tracking on our order page lags the carrier's by a day."),
                ("The carrier's trace found the parcel lost; sent a replacement by express at no cost.", "This carrier route loses more parcels than any other."),
                ("Sent a replacement and moved deliveries in the postcode area to the second carrier after the trace showed repeated losses.", "One carrier depot accounts for most of our lost parcels."),
            ),
            topic(
                "Tracking says delivered but nothing here",
                "Tracking for {order} says delivered at 14:02 but there is no parcel, not with the neighbours either.",
                ("Showed the customer the delivery photo and safe-place note on the tracking page; the parcel was in the bin store.", "Customers don't know the tracking page has a delivery photo."),
                ("Sent a replacement {product} by express and opened the claim with the carrier ourselves.", "'Delivered but not received' clusters on one driver's route."),
                ("Replaced the order and sent the GPS scans to the carrier, who retrained the driver on that route.", "A GPS location with each delivery scan settles most 'not received' cases in minutes."),
            ),
            topic(
                "Parcel delivered to the wrong address",
                "The photo on the tracking page shows a door that isn't mine. Order {order}.",
                ("Showed the customer how to add delivery instructions and the flat number to their saved address.", "Flats with shared entrances need delivery instructions; checkout doesn't ask for them."),
                ("Had the carrier collect the parcel from the wrong address and redeliver it the next morning.", "Carrier drivers confuse flat numbers in converted houses."),
                ("Redelivered and added a 'flat / building' field to checkout addresses.", "Addresses without a flat number cause misdeliveries in converted houses."),
            ),
            topic(
                "Need to change the delivery date for {order}",
                "I'll be away on the planned delivery date. Can the {product} be delivered next week instead?",
                ("Showed the customer how to reschedule delivery from the tracking link; rescheduled for next Tuesday.", "Customers don't know the tracking page lets them reschedule."),
                ("Rescheduled the delivery for next Tuesday with the carrier and confirmed by SMS.", "Parcels already at the depot can only be rescheduled by phone."),
                ("Rescheduled, and asked the carrier integration team to let customers pick a delivery day at checkout.", "Customers would choose their delivery day if we let them."),
            ),
            topic(
                "Box left in the rain, {product} damaged",
                "The courier left the box on the doorstep in the rain and the {product} inside is wet and won't switch on.",
                ("Sent a replacement and showed the customer how to set a safe place so parcels are never left on the doorstep.", "Few customers set a safe place; the option is hidden in account settings."),
                ("Sent a replacement {product} by express and didn't ask for the damaged one back.", "Doorstep deliveries in the rain damage electronics."),
                ("Replacement shipped, carrier claim filed, and packaging changed to waterproof outer bags for electronics.", "Our boxes are not water resistant; electronics left outside are ruined."),
            ),
            topic(
                "Only half of my order arrived",
                "Order {order} had two items but only one box came. Is the other one coming separately?",
                ("Explained split shipments and shared both tracking links from the order page.", "The order page doesn't show that an order was split into several parcels."),
                ("The warehouse confirmed the second parcel never left; shipped it by express today.", "Split orders sometimes leave the second parcel behind at packing."),
                ("Shipped the missing item and got the warehouse to scan every parcel of a split order before closing it.", "Split orders are closed when the first parcel ships."),
            ),
            topic(
                "Paid for express, arrived four days late",
                "I paid extra for next-day delivery for a birthday present. It arrived four days later.",
                ("Refunded the express fee and showed where checkout shows the express cut-off time for next time.", "Customers miss the express cut-off line at checkout."),
                ("Refunded the express fee and added a gift card for the missed birthday.", "Express orders placed after 15:00 miss the carrier's cut-off but we still charge for express."),
                ("Refunded the express fee and changed checkout to show the real express cut-off time.", "Checkout promises next-day delivery after the carrier's cut-off; customers feel misled."),
            ),
        ],
        ask: &[
            "Thanks {first}, I've opened a trace with the carrier for {order}. They answer within a working day; I'll update you the moment I hear.",
            "Could you check with your neighbours and any safe place (porch, bin store)? Meanwhile I'm asking the carrier for the GPS location of the delivery scan.",
            "I've asked our warehouse and the carrier about {order}; I'll come back to you this afternoon.",
        ],
        replies: &[
            "Checked with the neighbours, nothing there.",
            "Thanks, next Tuesday would be ideal if possible.",
            "Still nothing today. Any update from the courier?",
            "Thanks for chasing the courier for me.",
        ],
        away: &[("Told the customer the carrier is responsible and gave them the carrier's claim form.", "Customers expect us to deal with the carrier, not to be sent to them.")],
        upgrade: &[
            "Customer has a photo of the courier leaving the parcel in the rain; Samuel wanted to hear about packaging issues directly.",
            "Fourth 'delivered but not received' on the same postcode this week.",
            "Express delivery failure for a gift; the product owner asked to hear these live.",
        ],
        reopen: &["The redelivery didn't happen either. Nobody came.", "The replacement arrived but it's the wrong colour."],
        delight: &[
            "A replacement was on its way before I'd even finished explaining.",
            "They dealt with the courier so I didn't have to.",
            "A gift card for my daughter's birthday, a lovely touch.",
        ],
    },
    CategorySpec {
        key: "product_fault",
        name: "Product fault",
        checklist: &[
            ("order_id", "Order id", true),
            ("serial_number", "Serial number", true),
            ("photo_description", "What the photo or video shows", false),
        ],
        manager: "yuki_tanaka",
        executive: "priya_natarajan",
        weight: 0.20,
        topics: &[
            topic(
                "{product} stopped working after two weeks",
                "My {product} worked fine for two weeks and now it won't turn on at all. I've tried another socket.",
                ("Walked the customer through the 15-second reset; the {product} came back to life.", "A reset fixes most 'dead' units; the quick-start card doesn't mention it."),
                ("Sent a replacement {product} with a prepaid return label for the faulty one.", "Early failures cluster in one production batch."),
                ("Replaced the unit and sent the faulty one to engineering, who found a failing power board in the batch.", "A power-board supplier change caused early failures in one batch."),
            ),
            topic(
                "{product} makes a grinding noise",
                "Since yesterday the {product} makes a loud grinding noise when it starts. Video attached.",
                ("Showed the customer how to clear the intake and reseat the filter; the noise stopped.", "A misplaced filter causes the grinding noise; the manual's picture is unclear."),
                ("Sent a replacement {product} and collected the noisy one.", "Grinding noise reports come from the same serial range."),
                ("Replacement sent; serial logged against the batch; engineering now tests cold starts on every unit of the batch.", "A bearing defect in one batch causes the grinding noise; QA didn't test cold starts."),
            ),
            topic(
                "{product} won't connect to Wi-Fi",
                "The {product} won't join my home Wi-Fi. Every other device works. The app says 'timeout'.",
                ("Walked the customer through joining the 2.4 GHz network; the {product} connected.", "Most Wi-Fi failures are 5 GHz-only networks; the setup guide doesn't say so."),
                ("Stayed on the phone through setup, then sent a replacement when the Wi-Fi module proved faulty.", "Some Wi-Fi modules fail their first firmware check."),
                ("Set the customer up and asked the app team to detect 5 GHz-only networks during setup.", "The setup app could tell customers their network is 5 GHz only instead of timing out."),
            ),
            topic(
                "Battery on my {product} drains overnight",
                "Fully charged at night, flat in the morning, even when switched off.",
                ("Showed the customer how to turn off 'always listening' standby; the battery now lasts days.", "The standby setting drains the battery and is on by default."),
                ("Replaced the battery pack free of charge and sent it by express.", "Batteries from one supplier lose charge in standby."),
                ("Replaced the unit and shared the customer's battery log with engineering.", "Standby drain comes from the Wi-Fi module never sleeping on older units."),
            ),
            topic(
                "{product} arrived with a cracked housing",
                "The {product} arrived with a crack along the base. The box looked fine.",
                ("Sent a replacement housing and the two-minute video showing how to swap it.", "Housings can be swapped by customers; we ship whole units instead."),
                ("Replaced the cracked unit by express and apologised; no need to return the broken one.", "Cracked housings cluster in one warehouse's shipments."),
                ("Replaced the unit and got the warehouse to add corner protection to this product's packaging.", "The box passes drop tests but the inner tray lets the base hit the corner."),
            ),
            topic(
                "Firmware update broke my {product}",
                "After last night's update the {product} shows a blinking red light and nothing else.",
                ("Sent the firmware recovery steps from the help centre; the customer recovered the device themselves.", "The recovery article exists but is not linked from the error light description."),
                ("Sent a replacement the same day and a return label for the bricked unit.", "Units bricked by an update leave customers without the product for days."),
                ("Rolled the customer back to the previous firmware and paused the update for the affected model.", "The last firmware update bricks units with the old bootloader."),
            ),
            topic(
                "{product} display flickers",
                "The display on my {product} flickers constantly, especially when the brightness is low.",
                ("Showed the customer how to turn off adaptive brightness, which caused the flicker in low light.", "Adaptive brightness flickers in dim rooms; the default should be off."),
                ("Sent a replacement {product} and collected the faulty one.", "Display flicker is a hardware fault on early units."),
                ("Replaced the unit and reported the flicker pattern to engineering, who traced it to a display cable.", "A loose display cable on early units causes the flicker."),
            ),
        ],
        ask: &[
            "I'm sorry about this, {first}. Could you hold the power button for 15 seconds and tell me what the light does? That tells us whether it's the unit or the adapter.",
            "Thanks for the details. Could you send a short video or photo? I've already reserved a replacement in case we need it.",
            "I've passed the serial number to our product team to check against the affected batch; I'll update you by tomorrow noon.",
        ],
        replies: &[
            "The light blinks orange three times and then goes off.",
            "Video attached. It's worst right after switching on.",
            "Tried what you suggested, no change.",
            "Thanks, I'll wait to hear from you.",
        ],
        away: &[("Told the customer the warranty doesn't cover this.", "Customers don't read the warranty terms; a goodwill policy would keep them.")],
        upgrade: &[
            "Customer is an electrical engineer with a precise diagnosis of the fault; Yuki should hear it.",
            "Second unit bricked by the firmware update today; the product owner needs to know now.",
            "Live call: the customer can demonstrate the fault right now.",
        ],
        reopen: &["The replacement has exactly the same problem.", "It worked for two days and now it's dead again."],
        delight: &[
            "The replacement arrived the next morning and I didn't have to send the broken one back first.",
            "Someone from the product team actually called me to understand the fault.",
            "They lent me a spare while mine was repaired.",
        ],
    },
    CategorySpec {
        key: "account_access",
        name: "Account access",
        checklist: &[("account_email", "Email on the account", true), ("device", "Device and app version", false)],
        manager: "omar_haddad",
        executive: "margaret_okafor",
        weight: 0.12,
        topics: &[
            topic(
                "Locked out after a password reset",
                "I reset my password and now it says my account is locked. I need to get at my orders.",
                ("Explained the 30-minute lock after repeated attempts and walked the customer through signing in with an email link.", "Customers keep retrying the old password saved in their browser; the lock message doesn't say why."),
                ("Verified identity, unlocked the account and reset two-factor; checked there were no unknown orders.", "Lockouts after password resets come from the old session retrying."),
                ("Unlocked the account and asked the security team to end old sessions on a password reset.", "Old sessions retrying with the old password lock accounts right after a reset."),
            ),
            topic(
                "Two-factor codes never arrive",
                "The SMS code for two-factor login never arrives. I've waited 20 minutes and tried three times.",
                ("Showed the customer how to switch two-factor to an authenticator app.", "SMS delivery to one mobile network is slow; customers don't know about app-based codes."),
                ("Verified identity, switched the customer to email codes and stayed on the line until they were in.", "SMS codes to one network arrive minutes late."),
                ("Got the customer in and moved SMS for that network to our second SMS provider.", "One SMS provider drops codes to one mobile network."),
            ),
            topic(
                "Can't log in since changing my email",
                "I changed my email address last week and now neither the old nor the new one works.",
                ("Walked the customer through the password reset with the new email; signed in.", "The reset form silently uses the old email after an email change."),
                ("Verified identity and corrected the login email by hand; the customer signed in straight away.", "Email changes sometimes don't reach the login index."),
                ("Unlocked the account and fixed the email-change flow for everyone affected.", "Changing an email left the login index pointing at the old address for 2% of accounts."),
            ),
            topic(
                "Someone else may have been in my account",
                "I got an email about a login from a city I've never been to. I didn't do that.",
                ("Walked the customer through changing the password, turning on two-factor and ending other sessions.", "Customers don't know they can see and end active sessions themselves."),
                ("Verified the customer, secured the account, revoked all sessions and confirmed nothing was ordered.", "Login alert emails help customers catch break-ins early."),
                ("Secured the account; the security team blocked the credential-stuffing source the login came from.", "Passwords reused from other sites' leaks are behind most account break-ins."),
            ),
            topic(
                "My account shows as deactivated",
                "When I log in it says the account is deactivated. I never asked for that.",
                ("Showed the customer how to reactivate after the inactivity notice; account restored.", "Inactive accounts are deactivated after a notice customers never see."),
                ("Verified the customer and reactivated the account with all orders and credit intact.", "Deactivations by the fraud rule catch loyal customers."),
                ("Restored the account, which the fraud rule had deactivated; loosened the rule for long-standing customers.", "The fraud rule deactivates accounts that log in from abroad on holiday."),
            ),
            topic(
                "Please merge my two accounts",
                "I accidentally have two accounts, one for each email. Can they be merged so I see all my orders?",
                ("Showed the customer how to link the second email to the main account so all orders show in one place.", "Customers don't know they can link several emails to one account."),
                ("Merged the two accounts and moved all orders and credit onto the main email.", "Guest checkout creates a second account when the email differs in case."),
                ("Merged the accounts and asked for guest checkout to match emails case-insensitively.", "Email case differences create duplicate accounts."),
            ),
        ],
        ask: &[
            "To keep your account safe I'll verify you first, {first}: could you confirm the postcode of your last delivery?",
            "I've made a change on our side. Could you try again now and tell me what you see?",
            "I've sent a one-time sign-in link to the email on the account; it arrives within 5 minutes.",
        ],
        replies: &[
            "It's the postcode on my last order. Thanks for checking it's me.",
            "Tried again just now.",
            "Still doesn't work, same message as before.",
            "Got the link, thanks.",
        ],
        away: &[("Asked the customer to create a new account.", "Telling customers to start over loses their order history and goodwill.")],
        upgrade: &[
            "Possible account takeover; Omar wants to hear security cases live.",
            "Customer describes a bug in the email-change flow very precisely.",
        ],
        reopen: &["It worked yesterday but today I'm locked out again.", "It's happening again, same problem."],
        delight: &[
            "They checked my account was safe before I even asked.",
            "Back in within ten minutes, and they explained what had happened.",
            "Someone senior called me to explain what they'd fixed.",
        ],
    },
    CategorySpec {
        key: "returns",
        name: "Returns and exchanges",
        checklist: &[("order_id", "Order id", true), ("reason", "Reason for the return", false)],
        manager: "lucia_ferreira",
        executive: "tomas_lindqvist",
        weight: 0.18,
        topics: &[
            topic(
                "Return label for order {order}",
                "I'd like to return the {product} from order {order}. How do I get a label?",
                ("Showed the customer how to print a return label from the order page, and the nearest drop-off points.", "The return label link is only in the confirmation email, not on the order page."),
                ("Emailed a prepaid label and booked a collection from home for Thursday.", "Customers without a printer can't use our labels."),
                ("Sent a QR-code label that needs no printer and asked for QR labels to be the default.", "Many customers have no printer; QR labels remove the barrier."),
            ),
            topic(
                "Returned two weeks ago, no refund yet",
                "I sent the {product} back two weeks ago (tracking shows it arrived) but I haven't been refunded {amount}.",
                ("Showed the customer the return status page: received, inspected, refund sent yesterday.", "Customers can't see where their return is in the process."),
                ("Released the refund of {amount} manually and apologised for the wait.", "Refunds wait for inspection even when the item is unopened."),
                ("Refunded the customer directly and changed refunds to release on the carrier scan for unopened items.", "Waiting for inspection before refunding adds 9 days and most of the complaints."),
            ),
            topic(
                "Exchange for a different size",
                "The {product} is too small. Can I swap it for the larger one rather than return it?",
                ("Showed the customer the exchange option on the order page; the larger size is on its way.", "Customers return and rebuy because they don't see the exchange button."),
                ("Sent the larger size straight away and a collection for the small one; no need to wait for the return.", "Exchanges are slower than return-and-rebuy, and customers notice."),
                ("Shipped the exchange at once and proposed sending exchanges before the return arrives for customers in good standing.", "Waiting for the return before sending the exchange costs us repeat customers."),
            ),
            topic(
                "Gift return without a receipt",
                "I received a {product} as a gift but already have one. Can I return it without the order number?",
                ("Explained gift returns through the returns portal with the gift code on the packing slip.", "Gift recipients don't know the packing slip has a return code."),
                ("Found the order from the gift message and issued store credit for the return.", "Gift returns without an order number need a manual lookup."),
                ("Issued store credit and asked for a gift-return link in every gift message.", "Gift recipients have no way to return without the buyer's order number."),
            ),
            topic(
                "Refund went to an old card",
                "My refund of {amount} went to a card I cancelled last month.",
                ("Explained that the bank forwards refunds on a cancelled card to the new one, and gave the refund reference to quote.", "Customers don't know banks forward refunds from cancelled cards."),
                ("Confirmed the bank bounced the refund and paid {amount} to the new card the same day.", "Refunds to closed cards bounce back to us after a week."),
                ("Refunded to the new card and fixed refund routing to use the customer's current payment method.", "Refunds go to the original card even when it has been cancelled."),
            ),
            topic(
                "Drop-off point refused my return",
                "The parcel shop refused my return and said the label is invalid.",
                ("Showed the customer how to generate a fresh label from the order page; the old one had expired.", "Labels expire after 14 days but the email says 30."),
                ("Issued a new label and a goodwill voucher for the wasted trip.", "Drop-off points refuse expired labels without explanation."),
                ("Sent a new label and got labels extended to 30 days, matching what our email promises.", "Our email promises 30 days to return but the label expires after 14."),
            ),
        ],
        ask: &[
            "Thanks {first}. I've checked order {order} with the returns team and will confirm the next step today.",
            "I've created a fresh label; would you prefer a drop-off point or a collection from home?",
            "Which would suit you best: a refund, an exchange or store credit? I'll set it up as soon as you tell me.",
        ],
        replies: &[
            "Collection from home please, I'm in all day Thursday.",
            "An exchange would be great, thanks.",
            "It's been another week, any news?",
            "Thanks for sorting that out.",
        ],
        away: &[("Explained that the return window has passed.", "The return window is strict even for loyal customers; a goodwill exception would keep them.")],
        upgrade: &[
            "Third customer this week whose label was refused at the drop-off point; Lucia should hear it.",
            "Long-time customer explains why our exchange process makes them buy elsewhere.",
        ],
        reopen: &["The refund still isn't on my statement.", "The courier never came to collect the return."],
        delight: &[
            "The new size arrived before I'd even sent the old one back.",
            "Refund the same day; I've never had that anywhere.",
            "They sent a courier to my home for the return.",
        ],
    },
];

const PRODUCTS: &[&str] = &[
    "Aero 3 kettle",
    "Lumen desk lamp",
    "Nimbus air purifier",
    "Kestrel e-bike battery",
    "Orbit robot vacuum",
    "Pulse thermostat",
    "Tern headphones",
    "Cirrus humidifier",
];

const PASS_UP_REASONS: &[&str] = &[
    "Needs a refund above my approval limit.",
    "Customer asks for a goodwill gesture I can't authorise.",
    "Customer wants a callback from someone senior.",
    "Customer has contacted us three times already; needs a senior owner.",
    "I need authority to override the policy here.",
];
/// The reasons a buck-passer gives: vague, and the next owner solves it in minutes.
const BUCK_REASONS: &[&str] = &[
    "Not sure about this one.",
    "Passing up for review.",
    "Can you have a look?",
    "Customer is unhappy.",
    "Don't know the policy.",
];
const LEAD_UP_REASONS: &[&str] = &[
    "Refund beyond team-lead limit; needs VP approval.",
    "Customer is threatening legal action; needs an executive owner.",
    "Goodwill gesture above my authority for a long-standing customer.",
];
const EXEC_MESSAGES: &[&str] = &[
    "Dear {first}, I'm {exec_first}, and I now personally own your case. I'm sorry it took this long — I'll call you today and stay on it until it's fixed.",
    "{first}, this case should never have waited this long. I've taken it on myself and I'll have an answer for you by this afternoon.",
];
const CHASES: &[&str] = &[
    "Any update on this?",
    "Just checking someone is looking at this.",
    "It's been a day — is anyone working on my case?",
];
const REALTIME_REASONS: &[&str] = &[
    "Customer is locked out during a live checkout; callback now to finish the order together.",
    "Courier is at the door with the damaged parcel; transferred to decide whether to refuse it.",
    "Device is sparking; immediate safety guidance by phone.",
    "Customer is at the drop-off point right now; transferred to issue a valid label on the spot.",
    "Vulnerable customer who can't use email; agreed to call back at a set time.",
];
const GENERIC_DELIGHT: &[&str] = &[
    "They actually listened.",
    "One person owned my problem from start to finish.",
    "Fixed faster than promised.",
    "I was told exactly when I'd hear back and I did.",
];
const GOOD_REMARKS: &[&str] = &[
    "Quick and friendly.",
    "Sorted, thanks.",
    "Good service.",
    "",
];

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

// ======================================================================================
// Customers and opening times
// ======================================================================================

#[derive(Debug, Clone)]
struct CustomerSpec {
    first: &'static str,
    customer: Customer,
}

/// Email addresses are on the reserved example domains and phone numbers in the range
/// Ofcom keeps for drama, so nothing the outbox sends can reach a real person.
fn customer_pool(rng: &mut StdRng) -> Vec<CustomerSpec> {
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
                },
            }
        })
        .collect()
}

/// When cases were opened: more on weekdays and in working hours, a little growth over
/// the quarter, never in the future. Sorted, so case ids follow time.
fn opening_times(rng: &mut StdRng, now: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let today = now.date_naive();
    let day_weight = |d: i64| {
        let date = today - Duration::days(d);
        let weekday = match date.weekday() {
            Weekday::Mon => 1.2,
            Weekday::Tue => 1.1,
            Weekday::Wed | Weekday::Thu => 1.0,
            Weekday::Fri => 0.95,
            Weekday::Sat => 0.45,
            Weekday::Sun => 0.35,
        };
        weekday * (1.15 - 0.3 * d as f64 / DAYS as f64)
    };
    let days = WeightedIndex::new((0..DAYS).map(day_weight)).expect("weights");
    // 07:00 to 22:00, peaking mid-morning and early afternoon.
    let hour_weights = [
        0.4, 0.9, 1.4, 1.6, 1.5, 1.1, 1.3, 1.4, 1.3, 1.2, 0.9, 0.6, 0.5, 0.4, 0.3,
    ];
    let hours = WeightedIndex::new(hour_weights).expect("weights");
    let mut times = Vec::with_capacity(CASES);
    while times.len() < CASES {
        let date = today - Duration::days(days.sample(rng) as i64);
        let time = NaiveTime::from_hms_opt(
            7 + hours.sample(rng) as u32,
            rng.gen_range(0..60),
            rng.gen_range(0..60),
        )
        .expect("valid time");
        let at = date.and_time(time).and_utc();
        if at < now && at > now - Duration::days(DAYS) {
            times.push(at);
        }
    }
    times.sort();
    times
}

// ======================================================================================
// Working hours
// ======================================================================================

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shift {
    /// The customer-service floor: 07:00–22:00 every day.
    Floor,
    /// Managers and executives: office hours on weekdays, a late-morning check on weekends.
    Office,
    /// Customers write whenever they like, but rarely at night.
    Customer,
}

impl Shift {
    fn of(role: Role) -> Shift {
        match role {
            Role::Frontline | Role::Staff => Shift::Floor,
            _ => Shift::Office,
        }
    }

    fn hours(self, day: Weekday) -> (u32, u32) {
        let weekend = matches!(day, Weekday::Sat | Weekday::Sun);
        match self {
            Shift::Floor => (7, 22),
            Shift::Office if weekend => (10, 13),
            Shift::Office => (8, 19),
            Shift::Customer => (7, 24),
        }
    }

    /// `t` if the shift is on then, else the start of the next shift (plus a little).
    fn next_on(self, t: DateTime<Utc>, rng: &mut StdRng) -> DateTime<Utc> {
        let mut day = t.date_naive();
        loop {
            let (start, end) = self.hours(day.weekday());
            let open = day.and_hms_opt(start, 0, 0).expect("valid").and_utc();
            let close = if end == 24 {
                (day + Duration::days(1))
                    .and_hms_opt(0, 0, 0)
                    .expect("valid")
                    .and_utc()
            } else {
                day.and_hms_opt(end, 0, 0).expect("valid").and_utc()
            };
            if t >= open && t < close {
                return t;
            }
            if t < open {
                return open + Duration::minutes(rng.gen_range(2..50));
            }
            day += Duration::days(1);
        }
    }
}

// ======================================================================================
// Plans: what will happen to each case, decided up front
// ======================================================================================

/// Who performs a step. `Owner` is whoever owns the case when the step runs, so a case
/// that was escalated meanwhile is finished by the executive who now has it.
#[derive(Debug, Clone, Copy)]
enum Who {
    Owner,
    Customer,
    Person(PersonId),
}

#[derive(Debug, Clone)]
enum Act {
    Do(Who, Command),
    /// The customer rates; the score depends on how the case actually went.
    Rate,
}

#[derive(Debug, Clone)]
struct Step {
    at: DateTime<Utc>,
    act: Act,
}

#[derive(Debug, Clone)]
struct Plan {
    by: PersonId,
    opened_at: DateTime<Utc>,
    intake: Intake,
    steps: Vec<Step>,
    /// Seeds the rating, which is drawn when the story gets there.
    seed: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Story {
    /// Solved at intake within minutes.
    Quick,
    /// The intake owner asks for something, the customer answers, the owner solves.
    Async,
    /// Passed up to the team lead, who solves it.
    PassUp,
    /// The team lead pulls it up.
    Take,
    /// Upgraded to the category manager, who learns from the customer.
    Upgrade,
    /// Left to sit until the executive gets it at the deadline.
    Neglect,
}

#[derive(Debug, Clone, Copy)]
struct Agent {
    id: PersonId,
    lead: PersonId,
    persona: Persona,
}

struct World {
    now: DateTime<Utc>,
    escalate_after: Duration,
    role: HashMap<PersonId, Role>,
    frontline: Vec<Agent>,
    volume: WeightedIndex<f64>,
    categories: Vec<(usize, PersonId, PersonId)>,
    category_weights: WeightedIndex<f64>,
    vp_customer: PersonId,
    personas: Arc<HashMap<PersonId, Persona>>,
    first_names: HashMap<PersonId, &'static str>,
}

impl World {
    fn new(
        ids: &HashMap<&'static str, PersonId>,
        now: DateTime<Utc>,
        escalate_after: Duration,
    ) -> World {
        let personas: HashMap<PersonId, Persona> =
            PERSONAS.iter().map(|(k, p)| (ids[k], *p)).collect();
        let persona_of = |id: PersonId| personas.get(&id).copied().unwrap_or(NEUTRAL);
        let frontline: Vec<Agent> = PEOPLE
            .iter()
            .filter(|s| s.role == Role::Frontline)
            .map(|s| {
                let id = ids[s.key];
                Agent {
                    id,
                    lead: ids[s.boss.expect("frontline has a lead")],
                    persona: persona_of(id),
                }
            })
            .collect();
        let volume =
            WeightedIndex::new(frontline.iter().map(|a| a.persona.volume)).expect("weights");
        let categories = CATEGORIES
            .iter()
            .enumerate()
            .map(|(i, c)| (i, ids[c.manager], ids[c.executive]))
            .collect();
        let category_weights =
            WeightedIndex::new(CATEGORIES.iter().map(|c| c.weight)).expect("weights");
        World {
            now,
            escalate_after,
            role: PEOPLE.iter().map(|s| (ids[s.key], s.role)).collect(),
            frontline,
            volume,
            categories,
            category_weights,
            vp_customer: ids["daniel_reyes"],
            first_names: PEOPLE
                .iter()
                .map(|s| (ids[s.key], s.name.split(' ').next().unwrap_or(s.name)))
                .collect(),
            personas: Arc::new(personas),
        }
    }

    fn persona(&self, id: PersonId) -> Persona {
        self.personas.get(&id).copied().unwrap_or(NEUTRAL)
    }

    /// `with_executive`: the case is left unsolved with the executive after its
    /// escalation; `Some(true)`: and it is an account-access case (the CEO's).
    fn plan(
        &self,
        rng: &mut StdRng,
        opened_at: DateTime<Utc>,
        who: &CustomerSpec,
        with_executive: Option<bool>,
    ) -> Plan {
        let recent = opened_at > self.now - Duration::hours(RECENT_HOURS);
        let deadline = opened_at + self.escalate_after;
        let ci = if with_executive == Some(true) {
            CATEGORIES
                .iter()
                .position(|c| c.key == "account_access")
                .expect("account access")
        } else {
            self.category_weights.sample(rng)
        };
        let (ci, manager, executive) = self.categories[ci];
        let cat = &CATEGORIES[ci];
        let agent = self.frontline[self.volume.sample(rng)];
        let channel = [
            Channel::Email,
            Channel::Web,
            Channel::Phone,
            Channel::Portal,
            Channel::Api,
        ][WeightedIndex::new([0.34, 0.22, 0.26, 0.12, 0.06])
            .expect("weights")
            .sample(rng)];
        let vars = Vars::new(rng, opened_at, who, self.first_names[&executive]);
        let topic = cat.topics.choose(rng).expect("topics");
        let (facts, missing_facts) = facts(rng, cat, &vars, opened_at, who);
        let realtime = if channel == Channel::Phone && rng.gen_bool(0.14) {
            Realtime {
                offered: true,
                reason: Some(REALTIME_REASONS.choose(rng).expect("reasons").to_string()),
            }
        } else {
            Realtime::default()
        };
        let mut customer = who.customer.clone();
        if channel != Channel::Phone && rng.gen_bool(0.5) {
            customer.phone = None; // written in without leaving a number
        }
        let intake = Intake {
            customer,
            category: cat.key.to_string(),
            subject: vars.fill(topic.subject),
            body: vars.fill(topic.body),
            channel,
            facts,
            missing_facts,
            realtime,
            attachments: vec![],
        };

        // Which story this case lives.
        let p = agent.persona;
        let lead = self.persona(agent.lead);
        let phone = channel == Channel::Phone;
        let weights = [
            (Story::Quick, 0.45),
            (Story::Async, 0.17),
            (Story::PassUp, 0.11 * p.pass),
            (Story::Take, 0.05),
            (Story::Upgrade, if phone { 0.11 } else { 0.06 }),
            (Story::Neglect, 0.025 * p.neglect * lead.neglect),
        ];
        let story = if with_executive.is_some() {
            Story::Neglect
        } else {
            weights[WeightedIndex::new(weights.iter().map(|w| w.1))
                .expect("weights")
                .sample(rng)]
            .0
        };

        // Everyone but a neglectful owner acts before the executive deadline: that is what
        // the deadline warning is for.
        let deadline = (story != Story::Neglect).then_some(deadline);
        let mut b = Builder {
            rng,
            world: self,
            vars: &vars,
            cat,
            topic,
            t: opened_at,
            deadline,
            holder: agent.id,
            steps: Vec::new(),
        };
        let f = agent.id;
        match story {
            Story::Quick => {
                let road = b.road(&[(3, 0.55), (2, 0.41), (4, 0.04)]);
                b.staff(f, 3, 25, Who::Owner, |b| b.solve(road));
            }
            Story::Async => {
                b.staff(f, 10, 150, Who::Owner, |b| b.message());
                b.customer(20, 4 * 60, |b| b.reply());
                let road = b.road(&[(2, 0.74), (3, 0.22), (4, 0.04)]);
                b.staff(f, 15, 200, Who::Owner, |b| b.solve(road));
            }
            Story::PassUp => {
                let buck = p.pass > 2.0 && b.rng.gen_bool(0.8);
                let reason = if buck { BUCK_REASONS } else { PASS_UP_REASONS };
                b.staff(f, 2, 25, Who::Owner, |b| Command::PassUp {
                    to: None,
                    reason: b.pick(reason),
                });
                b.holder = agent.lead;
                if buck {
                    // Nothing new was needed: the lead solves it in minutes.
                    let road = b.road(&[(3, 0.6), (2, 0.4)]);
                    b.staff(agent.lead, 8, 45, Who::Owner, |b| b.solve(road));
                } else {
                    b.staff(agent.lead, 20, 180, Who::Owner, |b| b.message());
                    if b.rng.gen_bool(0.5) {
                        b.customer(30, 6 * 60, |b| b.reply());
                    }
                    if b.rng.gen_bool(0.1) {
                        b.staff(agent.lead, 10, 90, Who::Owner, |b| Command::PassUp {
                            to: Some(b.world.vp_customer),
                            reason: b.pick(LEAD_UP_REASONS),
                        });
                        b.holder = self.vp_customer;
                        let road = b.road(&[(2, 0.7), (1, 0.3)]);
                        b.staff(self.vp_customer, 30, 240, Who::Owner, |b| b.solve(road));
                    } else {
                        let road = b.road(&[(2, 0.72), (3, 0.2), (1, 0.05), (4, 0.03)]);
                        b.staff(agent.lead, 20, 150, Who::Owner, |b| b.solve(road));
                    }
                }
            }
            Story::Take => {
                b.staff(agent.lead, 15, 150, Who::Person(agent.lead), |_| {
                    Command::Take
                });
                b.holder = agent.lead;
                if b.rng.gen_bool(0.6) {
                    b.staff(agent.lead, 5, 60, Who::Owner, |b| b.message());
                }
                let road = b.road(&[(2, 0.7), (3, 0.2), (1, 0.1)]);
                b.staff(agent.lead, 20, 180, Who::Owner, |b| b.solve(road));
            }
            Story::Upgrade => {
                b.staff(f, 1, 15, Who::Owner, |b| Command::Upgrade {
                    reason: b.pick(b.cat.upgrade),
                });
                b.holder = manager;
                b.staff(manager, 15, 240, Who::Owner, |b| b.message());
                if b.rng.gen_bool(0.5) {
                    b.customer(20, 5 * 60, |b| b.reply());
                }
                let road = b.road(&[(1, 0.85), (2, 0.15)]);
                b.staff(manager, 30, 300, Who::Owner, |b| b.solve(road));
            }
            Story::Neglect => {
                // Whoever is the more neglectful of the two lets it sit: a lead who sits on
                // cases gets them passed up first.
                if b.rng.gen_bool(lead.neglect / (lead.neglect + p.neglect)) {
                    b.staff(f, 5, 60, Who::Owner, |b| Command::PassUp {
                        to: None,
                        reason: b.pick(PASS_UP_REASONS),
                    });
                }
                if b.rng.gen_bool(0.5) {
                    b.customer(6 * 60, 14 * 60, |b| Command::CustomerReply {
                        body: b.pick(CHASES),
                        attachments: vec![],
                    });
                }
                // The simulated scheduler escalates at the deadline; then the executive acts.
                b.t = b.t.max(opened_at + self.escalate_after);
                b.holder = executive;
                b.staff(executive, 10, 150, Who::Owner, |b| Command::SendMessage {
                    body: b.pick(EXEC_MESSAGES),
                    attachments: vec![],
                });
                let road = b.road(&[(2, 0.55), (1, 0.45)]);
                b.staff(executive, 30, 300, Who::Owner, |b| b.solve(road));
            }
        }

        if recent || with_executive.is_some() {
            // Still being worked on: keep whatever happened before the solution.
            if let Some(i) = b
                .steps
                .iter()
                .position(|s| matches!(&s.act, Act::Do(_, Command::Solve { .. })))
            {
                b.steps.truncate(i);
            }
        } else {
            let road = b.steps.iter().rev().find_map(|s| match &s.act {
                Act::Do(_, Command::Solve { road, .. }) => Some(*road),
                _ => None,
            });
            let reopen = match road {
                Some(4) => 0.2,
                Some(3) => 0.07,
                _ => 0.035,
            };
            if b.rng.gen_bool(reopen) {
                b.customer(4 * 60, 3 * 24 * 60, |b| Command::CustomerReply {
                    body: b.pick(b.cat.reopen),
                    attachments: vec![],
                });
                // The reopening starts a fresh executive clock.
                b.deadline = Some(b.t + self.escalate_after);
                let holder = b.holder;
                b.staff(holder, 15, 180, Who::Owner, |b| b.message());
                b.staff(holder, 30, 240, Who::Owner, |b| {
                    let (resolution, learned) = b.topic.care;
                    Command::Solve {
                        resolution: format!(
                            "Looked again after the customer wrote back. {}",
                            b.vars.fill(resolution)
                        ),
                        road: 2,
                        learned: format!("The first answer didn't hold. {}", b.vars.fill(learned)),
                    }
                });
            }
            let rate = if road == Some(4) { 0.5 } else { 0.8 };
            if b.rng.gen_bool(rate) {
                let at = b.customer_time(10, 2 * 24 * 60);
                b.steps.push(Step { at, act: Act::Rate });
            }
        }
        let steps = b.steps;
        Plan {
            by: f,
            opened_at,
            intake,
            steps,
            seed: rng.gen(),
        }
    }
}

struct Builder<'a> {
    rng: &'a mut StdRng,
    world: &'a World,
    vars: &'a Vars,
    cat: &'static CategorySpec,
    topic: &'static Topic,
    /// The time of the last planned step.
    t: DateTime<Utc>,
    /// The executive deadline the owner works to, if they do.
    deadline: Option<DateTime<Utc>>,
    /// Who is expected to own the case at this point of the plan.
    holder: PersonId,
    steps: Vec<Step>,
}

impl Builder<'_> {
    /// A step by staff member `person`, `min..max` minutes (scaled by how slow they are)
    /// after the previous one, moved into their working hours.
    fn staff(
        &mut self,
        person: PersonId,
        min: i64,
        max: i64,
        who: Who,
        make: impl FnOnce(&mut Self) -> Command,
    ) {
        let slowness = self.world.persona(person).slowness;
        let minutes = (self.rng.gen_range(min..=max) as f64 * slowness).round() as i64;
        let shift = Shift::of(self.world.role.get(&person).copied().unwrap_or(Role::Staff));
        let mut at = shift.next_on(
            self.t + Duration::minutes(minutes) + Duration::seconds(self.rng.gen_range(0..60)),
            self.rng,
        );
        if let Some(deadline) = self.deadline.filter(|d| at > *d - Duration::minutes(20)) {
            // Reminded that the deadline is near, the owner acts in time if they still can.
            at = (deadline - Duration::minutes(self.rng.gen_range(20..150)))
                .max(self.t + Duration::minutes(3));
        }
        self.t = at;
        let command = make(self);
        self.steps.push(Step {
            at,
            act: Act::Do(who, command),
        });
    }

    /// When the customer acts, `min..max` minutes after the previous step.
    fn customer_time(&mut self, min: i64, max: i64) -> DateTime<Utc> {
        let minutes = self.rng.gen_range(min..=max);
        let at = Shift::Customer.next_on(
            self.t + Duration::minutes(minutes) + Duration::seconds(self.rng.gen_range(0..60)),
            self.rng,
        );
        self.t = at;
        at
    }

    fn customer(&mut self, min: i64, max: i64, make: impl FnOnce(&mut Self) -> Command) {
        let at = self.customer_time(min, max);
        let command = make(self);
        self.steps.push(Step {
            at,
            act: Act::Do(Who::Customer, command),
        });
    }

    fn pick(&mut self, from: &[&str]) -> String {
        self.vars.fill(from.choose(self.rng).expect("texts"))
    }

    fn road(&mut self, weights: &[(i64, f64)]) -> i64 {
        weights[WeightedIndex::new(weights.iter().map(|w| w.1))
            .expect("weights")
            .sample(self.rng)]
        .0
    }

    fn message(&mut self) -> Command {
        Command::SendMessage {
            body: self.pick(self.cat.ask),
            attachments: vec![],
        }
    }

    fn reply(&mut self) -> Command {
        Command::CustomerReply {
            body: self.pick(self.cat.replies),
            attachments: vec![],
        }
    }

    fn solve(&mut self, road: i64) -> Command {
        let (resolution, learned) = match road {
            1 => self.topic.learn,
            2 => self.topic.care,
            3 => self.topic.teach,
            _ => *self.cat.away.choose(self.rng).expect("texts"),
        };
        Command::Solve {
            resolution: self.vars.fill(resolution),
            road,
            learned: self.vars.fill(learned),
        }
    }
}

/// The values a case's texts are filled with, so subject, facts and replies agree.
struct Vars {
    first: &'static str,
    exec_first: &'static str,
    order: String,
    product: &'static str,
    amount: String,
    invoice: String,
    month: String,
    account: String,
}

impl Vars {
    fn new(
        rng: &mut StdRng,
        opened_at: DateTime<Utc>,
        who: &CustomerSpec,
        exec_first: &'static str,
    ) -> Vars {
        let month = (opened_at - Duration::days(rng.gen_range(0..40)))
            .format("%B")
            .to_string();
        Vars {
            first: who.first,
            exec_first,
            order: format!("RO-{}", rng.gen_range(2_100_000..2_999_999)),
            product: PRODUCTS.choose(rng).expect("products"),
            amount: format!("£{}.{:02}", rng.gen_range(6..240), rng.gen_range(0..100)),
            invoice: format!("INV-{}-{:05}", opened_at.year(), rng.gen_range(1..60_000)),
            month,
            account: format!("ACC-{:06}", rng.gen_range(100_000..999_999)),
        }
    }

    fn fill(&self, text: &str) -> String {
        text.replace("{first}", self.first)
            .replace("{exec_first}", self.exec_first)
            .replace("{order}", &self.order)
            .replace("{product}", self.product)
            .replace("{amount}", &self.amount)
            .replace("{invoice}", &self.invoice)
            .replace("{month}", &self.month)
            .replace("{account}", &self.account)
    }
}

/// The checklist facts: required ones nearly always given (else marked as not known to
/// the customer), optional ones often given, now and then explicitly missing.
fn facts(
    rng: &mut StdRng,
    cat: &CategorySpec,
    vars: &Vars,
    opened_at: DateTime<Utc>,
    who: &CustomerSpec,
) -> (BTreeMap<String, String>, Vec<String>) {
    let mut facts = BTreeMap::new();
    let mut missing = Vec::new();
    for (key, _, required) in cat.checklist {
        let given = if *required {
            rng.gen_bool(0.93)
        } else {
            rng.gen_bool(0.6)
        };
        if !given {
            if *required || rng.gen_bool(0.15) {
                missing.push(key.to_string());
            }
            continue;
        }
        let value = match *key {
            "account_number" => vars.account.clone(),
            "invoice_number" => vars.invoice.clone(),
            "billing_period" => format!("{} {}", vars.month, opened_at.year()),
            "order_id" => vars.order.clone(),
            "delivery_date" => (opened_at - Duration::days(rng.gen_range(1..9)))
                .format("%Y-%m-%d")
                .to_string(),
            "tracking_number" => {
                format!("1Z{:08X}{:04}", rng.gen::<u32>(), rng.gen_range(0..10_000))
            }
            "serial_number" => format!(
                "{}{}-{:06}",
                (b'A' + rng.gen_range(0..26)) as char,
                (b'A' + rng.gen_range(0..26)) as char,
                rng.gen_range(0..1_000_000)
            ),
            "photo_description" => [
                "Crack along the base, about 5 cm",
                "Scorch mark next to the charging port",
                "Blinking red light on the front panel",
                "Screen with horizontal lines",
                "Water inside the outer box",
            ]
            .choose(rng)
            .expect("texts")
            .to_string(),
            "account_email" => match (&who.customer.email, rng.gen_bool(0.8)) {
                (Some(email), true) => email.clone(),
                _ => format!(
                    "{}{}@oldmail.example.net",
                    who.first.to_lowercase(),
                    rng.gen_range(1..99)
                ),
            },
            "device" => [
                "iPhone 14, app 3.2.1",
                "Pixel 8, app 3.2.0",
                "Windows laptop, Chrome",
                "iPad, Safari",
                "MacBook, Firefox",
            ]
            .choose(rng)
            .expect("texts")
            .to_string(),
            "reason" => [
                "Too small",
                "Not as described",
                "Changed my mind",
                "Arrived late, no longer needed",
                "Duplicate gift",
            ]
            .choose(rng)
            .expect("texts")
            .to_string(),
            other => format!("{other} given"),
        };
        facts.insert(key.to_string(), value);
    }
    (facts, missing)
}

// ======================================================================================
// Running a plan through the rules and into the store
// ======================================================================================

struct Shared {
    state: AppState,
    snapshot: Arc<Snapshot>,
    now: DateTime<Utc>,
    personas: Arc<HashMap<PersonId, Persona>>,
}

#[derive(Debug, Default)]
struct StoryOutcome {
    open: bool,
    refused: usize,
    events: HashMap<&'static str, usize>,
}

/// One case as it is being written: the state after its last stored event.
struct Running<'a> {
    shared: &'a Shared,
    category: &'a Category,
    id: CaseId,
    case: Case,
    /// Idle reminders since the last other event, and in all.
    idle_tickles: u32,
    all_idle_tickles: u32,
    outcome: StoryOutcome,
}

async fn run_story(shared: &Shared, plan: Plan) -> Result<StoryOutcome> {
    let category = shared
        .snapshot
        .categories
        .get(&plan.intake.category)
        .with_context(|| format!("demo category {} is missing", plan.intake.category))?;
    let rules = &shared.state.rules();
    let ctx = Context {
        hierarchy: &shared.snapshot.hierarchy,
        category,
        rules,
        now: plan.opened_at,
    };
    let opened = open(&plan.intake, plan.by, ctx)
        .with_context(|| format!("demo intake refused: {:?}", plan.intake))?;
    let case = Case::opened(&opened)?;
    let timers = timers_for(&case, rules);
    let outbox = notifications_for(&opened, &case);
    let head = shared
        .state
        .store
        .open_case(NewCase {
            opened,
            case: case.clone(),
            customer: plan.intake.customer.clone(),
            customer_token: tokens::new_case_token(),
            idempotency: None,
            timers,
            outbox,
        })
        .await?;
    let mut story = Running {
        shared,
        category,
        id: head.head().id,
        case,
        idle_tickles: 0,
        all_idle_tickles: 0,
        outcome: StoryOutcome::default(),
    };
    story.outcome.events.insert("opened", 1);
    let mut rng = StdRng::seed_from_u64(plan.seed);
    for step in &plan.steps {
        if step.at > shared.now {
            break;
        }
        story.fire_timers_until(step.at).await?;
        let (actor, command) = match &step.act {
            Act::Do(who, command) => {
                let actor = match who {
                    Who::Owner => Actor::Person {
                        id: story.case.owner,
                    },
                    Who::Customer => Actor::Customer,
                    Who::Person(id) => Actor::Person { id: *id },
                };
                (actor, command.clone())
            }
            Act::Rate => (
                Actor::Customer,
                rating(&mut rng, &story.case, &shared.personas),
            ),
        };
        if !story.apply(step.at, actor, &command).await? {
            story.outcome.refused += 1;
        }
    }
    story.fire_timers_until(shared.now).await?;
    story.outcome.open = story.case.is_open();
    Ok(story.outcome)
}

impl Running<'_> {
    /// Decides `command` at `at` and writes its events; `false` if the rules refused it.
    async fn apply(&mut self, at: DateTime<Utc>, actor: Actor, command: &Command) -> Result<bool> {
        let rules = &self.shared.state.rules();
        let ctx = Context {
            hierarchy: &self.shared.snapshot.hierarchy,
            category: self.category,
            rules,
            now: at,
        };
        let Ok(events) = decide(&self.case, command, actor, ctx) else {
            return Ok(false);
        };
        let mut after = self.case.clone();
        let mut outbox = Vec::new();
        for event in &events {
            after.apply(event)?;
            outbox.extend(notifications_for(event, &after));
        }
        self.count(&events, command);
        self.shared
            .state
            .store
            .append(Append {
                case_id: self.id,
                expected_version: self.case.version,
                events,
                timers: timers_for(&after, rules),
                case: after.clone(),
                outbox,
            })
            .await?;
        self.case = after;
        Ok(true)
    }

    fn count(&mut self, events: &[Event], command: &Command) {
        for event in events {
            *self.outcome.events.entry(event.body.kind()).or_default() += 1;
        }
        if matches!(
            command,
            Command::Tickle {
                reason: roadone_domain::TickleReason::Idle
            }
        ) {
            self.idle_tickles += 1;
            self.all_idle_tickles += 1;
        } else {
            self.idle_tickles = 0;
        }
    }

    /// The scheduler's part: fires every timer of the case due by `until`, in order, at
    /// its due time.
    async fn fire_timers_until(&mut self, until: DateTime<Utc>) -> Result<()> {
        loop {
            let next = timers_for(&self.case, &self.shared.state.rules())
                .into_iter()
                .filter(|t| {
                    t.kind != TimerKind::TickleIdle
                        || (self.idle_tickles < MAX_IDLE_TICKLES_IN_A_ROW
                            && self.all_idle_tickles < MAX_IDLE_TICKLES_PER_CASE)
                })
                .min_by_key(|t| t.due_at);
            let Some(timer) = next.filter(|t| t.due_at <= until) else {
                return Ok(());
            };
            if !self
                .apply(timer.due_at, Actor::System, &timer.kind.command())
                .await?
            {
                // Cannot happen for a timer derived from the state; never loop on it.
                self.outcome.refused += 1;
                return Ok(());
            }
        }
    }
}

/// The customer's rating: skewed positive, better for some people than others, worse
/// when the case was escalated, reopened, passed around or sent away.
fn rating(rng: &mut StdRng, case: &Case, personas: &HashMap<PersonId, Persona>) -> Command {
    let Some(solution) = &case.solution else {
        return Command::Rate {
            score: 3,
            delighted_by: String::new(),
            would_recommend: false,
        };
    };
    let mut q = personas.get(&solution.solved_by).map_or(0.0, |p| p.rating);
    q += match solution.road as u8 {
        1 => 0.35,
        2 => 0.15,
        3 => 0.0,
        _ => -1.5,
    };
    if case.escalated {
        q -= 0.5;
    }
    if case.reopenings > 0 {
        q -= 0.5;
    }
    q -= 0.2 * f64::from(case.pass_ups);
    let hours = (solution.solved_at - case.opened_at).num_minutes() as f64 / 60.0;
    if hours < 1.0 {
        q += 0.25;
    } else if hours > 24.0 {
        q -= 0.3;
    }
    let base = [0.06, 0.07, 0.13, 0.30, 0.44];
    let weights = base
        .iter()
        .enumerate()
        .map(|(i, b)| b * (0.9 * q * (i as f64 - 2.0)).exp());
    let score = WeightedIndex::new(weights).expect("weights").sample(rng) as i64 + 1;
    let cat = CATEGORIES.iter().find(|c| c.key == case.category);
    let delighted_by = match score {
        5 => {
            let pool: Vec<&str> = cat
                .map_or(&[][..], |c| c.delight)
                .iter()
                .chain(GENERIC_DELIGHT)
                .copied()
                .collect();
            pool.choose(rng).expect("texts").to_string()
        }
        4 => GOOD_REMARKS.choose(rng).expect("texts").to_string(),
        _ => String::new(),
    };
    let recommend = [0.03, 0.08, 0.35, 0.82, 0.95][score as usize - 1];
    Command::Rate {
        score,
        delighted_by,
        would_recommend: rng.gen_bool(recommend),
    }
}

/// The person of `role` whose login the demo prints: the active one with the most open
/// cases, so that their "my cases" shows the product at work (ties: the first added).
pub async fn login_for<'a>(
    state: &AppState,
    people: &'a [roadone_domain::Person],
    role: Role,
) -> Result<Option<&'a roadone_domain::Person>> {
    let mut best: Option<(usize, &roadone_domain::Person)> = None;
    for person in people.iter().filter(|p| p.role == role && p.active) {
        let open = state
            .store
            .list_cases(roadone_store::CaseFilter {
                owner: Some(person.id),
                status: Some(roadone_domain::CaseStatus::Open),
                limit: 1000,
                ..roadone_store::CaseFilter::default()
            })
            .await?
            .len();
        if best.is_none_or(|(most, _)| open > most) {
            best = Some((open, person));
        }
    }
    Ok(best.map(|(_, p)| p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use roadone_domain::CaseStatus;
    use roadone_server::{App, Config};
    use roadone_store::CaseFilter;

    #[tokio::test(flavor = "multi_thread")]
    async fn the_demo_tells_a_believable_story_through_the_rules() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let state = App::build_state(Config {
            data_dir: tmp.path().to_path_buf(),
            ..Default::default()
        })
        .await
        .expect("state");
        let report = load(&state).await.expect("demo loads");

        let people = state.store.people().await.unwrap();
        assert!((22..=28).contains(&people.len()), "{} people", people.len());
        assert_eq!(state.store.categories().await.unwrap().len(), 5);

        let mut heads = Vec::new();
        loop {
            let page = state
                .store
                .list_cases(CaseFilter {
                    limit: 1000,
                    offset: heads.len() as u32,
                    ..Default::default()
                })
                .await
                .unwrap();
            if page.is_empty() {
                break;
            }
            heads.extend(page);
        }
        assert!(
            (2_500..=3_500).contains(&heads.len()),
            "{} cases",
            heads.len()
        );
        assert_eq!(heads.len(), report.cases);

        let mut kinds: HashMap<&'static str, usize> = HashMap::new();
        let mut open = 0;
        for head in &heads {
            let stored = state
                .store
                .load_case(head.id)
                .await
                .unwrap()
                .expect("case exists");
            let case = Case::from_events(&stored.events).expect("events replay");
            assert_eq!(case.status, head.status, "case {}", head.id);
            assert_eq!(case.owner, head.owner, "case {}", head.id);
            assert_eq!(case.version as usize, stored.events.len());
            if case.is_open() {
                open += 1;
            }
            for event in &stored.events {
                *kinds.entry(event.body.kind()).or_default() += 1;
            }
        }
        for kind in [
            "passed_up",
            "taken",
            "upgraded",
            "escalated",
            "tickled",
            "solved",
            "rated",
            "reopened",
        ] {
            assert!(
                kinds.get(kind).copied().unwrap_or(0) > 0,
                "no {kind} events: {kinds:?}"
            );
        }
        assert!(open > 0, "no open cases");
        assert_eq!(open, report.open_cases);
        assert_eq!(
            heads
                .iter()
                .filter(|h| h.status == CaseStatus::Open)
                .count(),
            open
        );
        // The frontline login the demo prints has something in "my cases".
        let frontline = login_for(&state, &people, Role::Frontline)
            .await
            .unwrap()
            .expect("a frontline person");
        let mine = state
            .store
            .list_cases(CaseFilter {
                owner: Some(frontline.id),
                status: Some(CaseStatus::Open),
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(
            !mine.is_empty(),
            "the first frontline person has no open cases"
        );
    }
}
