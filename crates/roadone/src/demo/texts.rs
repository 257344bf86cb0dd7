//! Shared texts staff and customers write, and the per-case values (`Vars`, facts) filling them.

use super::categories::CategorySpec;
use super::customers::CustomerSpec;
use chrono::{DateTime, Datelike, Duration, Utc};
use rand::prelude::*;
use rand::rngs::StdRng;
use std::collections::BTreeMap;

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

pub(super) const PASS_UP_REASONS: &[&str] = &[
    "Needs a refund above my approval limit.",
    "Customer asks for a goodwill gesture I can't authorise.",
    "Customer wants a callback from someone senior.",
    "Customer has contacted us three times already; needs a senior owner.",
    "I need authority to override the policy here.",
];
/// The reasons a buck-passer gives: vague, and the next owner solves it in minutes.
pub(super) const BUCK_REASONS: &[&str] = &[
    "Not sure about this one.",
    "Passing up for review.",
    "Can you have a look?",
    "Customer is unhappy.",
    "Don't know the policy.",
];
/// A team lead passing on to the team's manager.
pub(super) const LEAD_UP_REASONS: &[&str] = &[
    "Refund beyond my team-lead limit; needs your approval.",
    "Customer is threatening legal action; needs a more senior owner.",
    "Goodwill gesture above my authority for a long-standing customer.",
];
pub(super) const EXEC_MESSAGES: &[&str] = &[
    "Dear {first}, I'm {exec_first}, and I now personally own your case. I'm sorry it took this long — I'll call you today and stay on it until it's fixed.",
    "{first}, this case should never have waited this long. I've taken it on myself and I'll have an answer for you by this afternoon.",
];
pub(super) const CHASES: &[&str] = &[
    "Any update on this?",
    "Just checking someone is looking at this.",
    "It's been a day — is anyone working on my case?",
];
pub(super) const REALTIME_REASONS: &[&str] = &[
    "Customer is locked out during a live checkout; callback now to finish the order together.",
    "Courier is at the door with the damaged parcel; transferred to decide whether to refuse it.",
    "Device is sparking; immediate safety guidance by phone.",
    "Customer is at the drop-off point right now; transferred to issue a valid label on the spot.",
    "Vulnerable customer who can't use email; agreed to call back at a set time.",
];
pub(super) const GENERIC_DELIGHT: &[&str] = &[
    "They actually listened.",
    "One person owned my problem from start to finish.",
    "Fixed faster than promised.",
    "I was told exactly when I'd hear back and I did.",
];
pub(super) const GOOD_REMARKS: &[&str] = &[
    "Quick and friendly.",
    "Sorted, thanks.",
    "Good service.",
    "",
];

/// The values a case's texts are filled with, so subject, facts and replies agree.
pub(super) struct Vars {
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
    pub(super) fn new(
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

    pub(super) fn fill(&self, text: &str) -> String {
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
pub(super) fn facts(
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
