//! Settings an admin changes on the pages: the case rules and how mail goes out and comes
//! in. Each overrides the server's configuration of the same name until it is cleared, so
//! the config file stays the default and the pages never need a restart.

use crate::config::{check_mail_from, parse_duration, Config};
use roadone_domain::{Category, Hierarchy, Rules};
use roadone_store::SettingRecord;
use std::collections::HashMap;

/// What a setting holds, which decides how its text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A duration such as `20h` or `90m`.
    Duration,
    /// A fraction strictly between 0 and 1.
    Fraction,
    /// A plain email address.
    MailFrom,
    /// A short line of text.
    Text,
    /// The key of a category, or empty for the default.
    Category,
    /// The email of an active person, or empty for the default.
    Person,
    /// A country's two letters (ISO 3166), or empty for the default.
    Region,
    /// An IANA time zone such as `Europe/London`, or empty for the default.
    TimeZone,
    /// `yes` or `no`.
    YesNo,
}

pub struct Key {
    pub name: &'static str,
    pub label: &'static str,
    /// One line that says what changing it does.
    pub help: &'static str,
    pub kind: Kind,
}

pub const RULE_KEYS: &[Key] = &[
    Key {
        name: "escalate_after",
        label: "Executive escalation after",
        help: "An unsolved case goes to its category's executive this long after it was opened. Applies to cases opened or reopened from now on.",
        kind: Kind::Duration,
    },
    Key {
        name: "tickle_after",
        label: "Idle reminder after",
        help: "The owner is reminded after this long without activity, and again after each such stretch.",
        kind: Kind::Duration,
    },
    Key {
        name: "deadline_warning",
        label: "Deadline warning at",
        help: "The owner is warned once when this fraction of the escalation time has passed (0.8 = after 16 h of 20 h).",
        kind: Kind::Fraction,
    },
    Key {
        name: "promise_within",
        label: "Promised answer within",
        help: "The time promised to the customer in the acknowledgment and on the phone.",
        kind: Kind::Duration,
    },
    Key {
        name: "sales_window",
        label: "Customer math compares",
        help: "How long before a case and after its solve a customer's sales are compared (W in docs/metrics.md), e.g. 90days.",
        kind: Kind::Duration,
    },
    Key {
        name: "missed_call_category",
        label: "Category of missed calls",
        help: "A call nobody answered opens a case in this category, owned like new mail (empty: the category of new mail).",
        kind: Kind::Category,
    },
    Key {
        name: "call_back_within",
        label: "Call a missed caller back within",
        help: "The owner of a missed call's case is reminded to call back this long after the call, unless the case was worked before.",
        kind: Kind::Duration,
    },
    Key {
        name: "call_linked_within",
        label: "Calls join a caller's open case for",
        help: "A call from a customer whose case opened less than this long before is shown on that case.",
        kind: Kind::Duration,
    },
    Key {
        name: "ring_seconds",
        label: "One ring is",
        help: "A call answered within this long was answered in one ring (the calls report), e.g. 6s.",
        kind: Kind::Duration,
    },
    Key {
        name: "service_level_within",
        label: "Service level counts calls answered within",
        help: "The calls report's service level: calls answered within this long, of those offered, e.g. 20s.",
        kind: Kind::Duration,
    },
    Key {
        name: "phone_region",
        label: "Phone numbers are in",
        help: "Two letters such as GB or US: numbers typed without a country code (07700 900442) are read as this country's, and every number is kept as +44 7700 900442 is. Empty: numbers need their country code.",
        kind: Kind::Region,
    },
    Key {
        name: "time_zone",
        label: "Company time zone",
        help: "Such as Europe/London or America/New_York: times are shown in it to customers whose own zone is not known, and to staff who have not chosen their own. Empty: UTC, or the configuration's.",
        kind: Kind::TimeZone,
    },
];

pub const MAIL_KEYS: &[Key] = &[
    Key {
        name: "mail_from",
        label: "Mail comes from",
        help: "The address customers see and reply to (replies go to its local part plus a signed case token). Inbound mail is accepted for its domain.",
        kind: Kind::MailFrom,
    },
    Key {
        name: "mail_sender_name",
        label: "Sender name",
        help: "The name shown next to that address.",
        kind: Kind::Text,
    },
    Key {
        name: "inbound_category",
        label: "Category of new mail",
        help: "Mail from a new sender opens a case in this category (empty: the first category by key).",
        kind: Kind::Category,
    },
    Key {
        name: "inbound_owner",
        label: "Owner of new mail",
        help: "The email of the person who owns cases opened by mail and the web form (empty: frontline in turn).",
        kind: Kind::Person,
    },
    Key {
        name: "junk_threshold",
        label: "Junk is held from a score of",
        help: "A stranger's new message scoring at least this (0 to 1) opens no case and waits among the suspended mail. Lower holds more junk and more customers; 0.9 is a careful start.",
        kind: Kind::Fraction,
    },
    Key {
        name: "trust_spam_headers",
        label: "Believe upstream spam filters",
        help: "yes: a message your mail server's filter (SpamAssassin, rspamd) marked as spam is held whatever our filter says. Say no if mail reaches Roadone without such a filter in front, as senders could then write the headers themselves.",
        kind: Kind::YesNo,
    },
    Key {
        name: "junk_kept",
        label: "Deleted junk is kept for",
        help: "How long a message deleted as junk is kept before it is forgotten, e.g. 30days.",
        kind: Kind::Duration,
    },
];

pub fn key(name: &str) -> Option<&'static Key> {
    RULE_KEYS.iter().chain(MAIL_KEYS).find(|k| k.name == name)
}

/// The settings in force: the configuration, overridden by what admins saved.
#[derive(Debug, Clone)]
pub struct Settings {
    pub rules: Rules,
    /// W of customer math: sales this long before a case and after its solve are compared.
    pub sales_window: chrono::Duration,
    pub mail_from: String,
    pub mail_sender_name: String,
    pub inbound_category: Option<String>,
    pub inbound_owner: Option<String>,
    pub time_zone: crate::time_zones::Zone,
    /// When a stranger's new message is held as junk.
    pub junk: roadone_domain::junk::JunkRules,
    /// How long a message deleted as junk is kept.
    pub junk_kept: chrono::Duration,
    pub calls: crate::calls::CallRules,
    /// The saved overrides, by key (who changed each and when).
    pub saved: HashMap<String, SettingRecord>,
}

impl Settings {
    pub fn from_config(config: &Config) -> Settings {
        Settings {
            rules: config.rules(),
            sales_window: chrono::Duration::days(90),
            mail_from: config.mail_from.clone(),
            mail_sender_name: "Customer Service".into(),
            inbound_category: config.inbound_category.clone(),
            inbound_owner: config.inbound_owner.clone(),
            time_zone: config.time_zone,
            junk: roadone_domain::junk::JunkRules::default(),
            junk_kept: chrono::Duration::days(30),
            calls: crate::calls::CallRules::default(),
            saved: HashMap::new(),
        }
    }

    /// `base` with every saved value applied. A saved value that no longer reads (a
    /// setting dropped or renamed by an upgrade) is logged and left out, never fatal.
    pub fn with_saved(base: &Settings, saved: Vec<SettingRecord>) -> Settings {
        let mut settings = base.clone();
        for record in saved {
            if let Err(e) = settings.apply(&record.key, &record.value) {
                tracing::warn!("ignoring the saved setting {}: {e}", record.key);
                continue;
            }
            settings.saved.insert(record.key.clone(), record);
        }
        settings
    }

    /// Sets one value that has been checked (or is being reloaded).
    fn apply(&mut self, name: &str, value: &str) -> Result<(), String> {
        let duration = |v: &str| {
            parse_duration(name, v)
                .map_err(|e| e.to_string())
                .and_then(|d| chrono::Duration::from_std(d).map_err(|e| e.to_string()))
        };
        match name {
            "escalate_after" => self.rules.escalate_after = duration(value)?,
            "tickle_after" => self.rules.tickle_after = duration(value)?,
            "promise_within" => self.rules.promise_within = duration(value)?,
            "sales_window" => self.sales_window = duration(value)?,
            "deadline_warning" => self.rules.deadline_warning = fraction(value)?,
            "mail_from" => {
                check_mail_from(value)?;
                self.mail_from = value.to_string();
            }
            "mail_sender_name" => self.mail_sender_name = value.to_string(),
            "inbound_category" => self.inbound_category = Some(value.to_string()),
            "inbound_owner" => self.inbound_owner = Some(value.to_string()),
            "phone_region" => self.rules.phone_region = Some(value.parse()?),
            "time_zone" => self.time_zone = crate::time_zones::Zone::parse(value)?,
            "junk_threshold" => self.junk.threshold = fraction(value)?,
            "trust_spam_headers" => self.junk.trust_upstream = yes_no(value)?,
            "junk_kept" => self.junk_kept = duration(value)?,
            "missed_call_category" => self.calls.category = Some(value.to_string()),
            "call_back_within" => self.calls.call_back_within = duration(value)?,
            "call_linked_within" => self.calls.linked_within = duration(value)?,
            "ring_seconds" => self.calls.one_ring = duration(value)?,
            "service_level_within" => self.calls.service_level = duration(value)?,
            other => return Err(format!("there is no setting {other:?}")),
        }
        Ok(())
    }

    /// The value shown in the form: the one in force, as text.
    pub fn shown(&self, name: &str) -> String {
        let duration = |d: chrono::Duration| {
            d.to_std()
                .map(|d| humantime::format_duration(d).to_string())
                .unwrap_or_default()
        };
        match name {
            "escalate_after" => duration(self.rules.escalate_after),
            "tickle_after" => duration(self.rules.tickle_after),
            "promise_within" => duration(self.rules.promise_within),
            "sales_window" => duration(self.sales_window),
            "deadline_warning" => self.rules.deadline_warning.to_string(),
            "mail_from" => self.mail_from.clone(),
            "mail_sender_name" => self.mail_sender_name.clone(),
            "inbound_category" => self.inbound_category.clone().unwrap_or_default(),
            "inbound_owner" => self.inbound_owner.clone().unwrap_or_default(),
            "phone_region" => self
                .rules
                .phone_region
                .map(|r| r.to_string())
                .unwrap_or_default(),
            "time_zone" => self.time_zone.name().to_string(),
            "junk_threshold" => self.junk.threshold.to_string(),
            "trust_spam_headers" => if self.junk.trust_upstream {
                "yes"
            } else {
                "no"
            }
            .into(),
            "junk_kept" => duration(self.junk_kept),
            "missed_call_category" => self.calls.category.clone().unwrap_or_default(),
            "call_back_within" => duration(self.calls.call_back_within),
            "call_linked_within" => duration(self.calls.linked_within),
            "ring_seconds" => duration(self.calls.one_ring),
            "service_level_within" => duration(self.calls.service_level),
            _ => String::new(),
        }
    }
}

fn fraction(value: &str) -> Result<f64, String> {
    match value.trim().parse::<f64>() {
        Ok(f) if f > 0.0 && f < 1.0 => Ok(f),
        _ => Err(format!(
            "{value:?} must be a number between 0 and 1, like 0.8"
        )),
    }
}

fn yes_no(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err(format!("{value:?} must be yes or no")),
    }
}

/// The call rules that are lengths of time.
const CALL_TIMES: [&str; 4] = [
    "call_back_within",
    "call_linked_within",
    "ring_seconds",
    "service_level_within",
];

const DAY: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Longer than this is surely a typo (a promise of a year helps nobody).
const LONGEST: std::time::Duration = std::time::Duration::from_secs(90 * 24 * 3600);

/// Reads what an admin typed for `key`: `Ok(None)` clears the override (back to the
/// configuration), `Ok(Some(text))` is the value to save. The error names what is wrong.
pub fn check(
    key: &Key,
    typed: &str,
    categories: &HashMap<String, Category>,
    people: &Hierarchy,
) -> Result<Option<String>, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return match key.kind {
            Kind::Category | Kind::Person | Kind::Text | Kind::Region | Kind::TimeZone => Ok(None),
            _ => Err("is required".into()),
        };
    }
    match key.kind {
        Kind::Duration => {
            let d = parse_duration(key.name, typed).map_err(|e| match e {
                crate::config::ConfigError::Invalid { message, .. } => message,
                other => other.to_string(),
            })?;
            // Customer math may compare up to two years; a rule longer than 90 days is a typo.
            let (shortest, longest, said) = if key.name == "sales_window" {
                (DAY, 730 * DAY, "730 days")
            } else if key.name == "junk_kept" {
                (DAY, 365 * DAY, "365 days")
            } else if CALL_TIMES.contains(&key.name) {
                // A call-back due at once, or a ring of no time, means nothing.
                if d < std::time::Duration::from_secs(1) {
                    return Err(format!("{typed:?} must be at least a second"));
                }
                (std::time::Duration::ZERO, LONGEST, "90 days")
            } else {
                (std::time::Duration::ZERO, LONGEST, "90 days")
            };
            if d > longest {
                return Err(format!("{typed:?} is longer than {said}"));
            }
            if d < shortest {
                return Err(format!("{typed:?} is shorter than a day"));
            }
            Ok(Some(humantime::format_duration(d).to_string()))
        }
        Kind::Fraction => fraction(typed).map(|f| Some(f.to_string())),
        Kind::YesNo => yes_no(typed).map(|b| Some(if b { "yes" } else { "no" }.to_string())),
        Kind::Region => typed
            .parse::<roadone_domain::PhoneRegion>()
            .map(|r| Some(r.to_string())),
        Kind::TimeZone => crate::time_zones::Zone::parse(typed).map(|z| Some(z.name().to_string())),
        Kind::MailFrom => check_mail_from(typed).map(|()| Some(typed.to_ascii_lowercase())),
        Kind::Text => {
            if typed.chars().count() > 100 || typed.chars().any(char::is_control) {
                return Err("must be one line of at most 100 characters".into());
            }
            Ok(Some(typed.to_string()))
        }
        Kind::Category => {
            if categories.contains_key(typed) {
                Ok(Some(typed.to_string()))
            } else {
                Err(format!("there is no category {typed:?}"))
            }
        }
        Kind::Person => {
            let found = people
                .people()
                .find(|p| p.active && p.email.eq_ignore_ascii_case(typed));
            match found {
                Some(p) if p.role == roadone_domain::Role::Admin => Err(format!(
                    "{typed:?} is an administrator, and administrators do not own cases"
                )),
                Some(_) => Ok(Some(typed.to_ascii_lowercase())),
                None => Err(format!("{typed:?} is not the email of an active person")),
            }
        }
    }
}

impl crate::app::AppState {
    /// Saves what `by` changed (each already read by [`check`]) in one transaction; this
    /// server uses it at once, the others within a second (`directory::watch_forever`).
    pub async fn save_settings(
        &self,
        changes: Vec<(String, Option<String>)>,
        by: roadone_domain::PersonId,
    ) -> crate::error::AppResult<()> {
        self.store
            .save_settings(changes, by, self.clock.now())
            .await?;
        self.refresh_directory().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_one(name: &str, typed: &str) -> Result<Option<String>, String> {
        check(
            key(name).unwrap(),
            typed,
            &HashMap::new(),
            &Hierarchy::default(),
        )
    }

    #[test]
    fn durations_are_read_and_bounded() {
        assert_eq!(
            check_one("escalate_after", " 16h ").unwrap(),
            Some("16h".into())
        );
        assert!(check_one("escalate_after", "tomorrow")
            .unwrap_err()
            .contains("tomorrow"));
        assert!(check_one("tickle_after", "0s").is_err());
        assert!(check_one("promise_within", "200days")
            .unwrap_err()
            .contains("90 days"));
        assert_eq!(check_one("escalate_after", "").unwrap_err(), "is required");
    }

    #[test]
    fn optional_settings_clear_when_empty() {
        assert_eq!(check_one("inbound_category", "  ").unwrap(), None);
        assert!(check_one("inbound_category", "nope")
            .unwrap_err()
            .contains("nope"));
        assert!(check_one("inbound_owner", "ghost@example.com").is_err());
        assert!(check_one("mail_from", "a+b@example.com").is_err());
        assert!(check_one("deadline_warning", "1.5").is_err());
    }

    #[test]
    fn saved_values_override_the_configuration() {
        let base = Settings::from_config(&Config::default());
        let saved = vec![
            SettingRecord {
                key: "escalate_after".into(),
                value: "2h".into(),
                changed_by: 1,
                changed_at: chrono::Utc::now(),
            },
            SettingRecord {
                key: "retired_setting".into(),
                value: "x".into(),
                changed_by: 1,
                changed_at: chrono::Utc::now(),
            },
        ];
        let settings = Settings::with_saved(&base, saved);
        assert_eq!(settings.rules.escalate_after, chrono::Duration::hours(2));
        assert_eq!(settings.rules.tickle_after, base.rules.tickle_after);
        assert!(settings.saved.contains_key("escalate_after"));
        assert!(!settings.saved.contains_key("retired_setting"));
    }
}
