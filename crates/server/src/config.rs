//! All configuration in one struct: defaults, overridden by the config file, overridden
//! by the command line.

use roadone_domain::Rules;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("cannot read the config file {path}: {message}")]
    File { path: PathBuf, message: String },
}

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    /// The address people and customers use to reach this server (links in messages).
    pub public_url: String,
    pub escalate_after: Duration,
    pub tickle_after: Duration,
    pub promise_within: Duration,
    /// Fraction of the escalation time at which the owner gets the "deadline near" reminder.
    pub deadline_warning: f64,
    /// The country whose national phone numbers are understood without a `+` code.
    pub phone_region: Option<roadone_domain::PhoneRegion>,
    /// The company's time zone: times are shown in it to customers whose own is not
    /// known and to staff who chose none.
    pub time_zone: crate::time_zones::Zone,
    /// How often the scheduler looks for due timers when none is known to be due sooner.
    pub scheduler_interval: Duration,
    /// `false` trades power-loss durability for speed (fsync at checkpoints only).
    pub fsync_every_commit: bool,
    pub sqlite_readers: usize,
    pub admin_email: String,
    /// Where outgoing mail goes (see `mail::relay` for STARTTLS, TLS and AUTH); without
    /// it mail waits in the outbox.
    pub smtp_relay: Option<String>,
    /// An extra trusted root certificate (PEM) for the relay's TLS.
    pub smtp_relay_ca_file: Option<PathBuf>,
    /// The address mail comes from; replies go to `local+<case token>@domain`.
    pub mail_from: String,
    /// The largest single attachment accepted (larger: 413 naming this limit).
    pub max_attachment_size: u64,
    /// Where the SMTP listener takes mail in, e.g. 127.0.0.1:2525 (off when unset).
    pub smtp_listen: Option<SocketAddr>,
    /// The category mail from new senders opens cases in (default: the first by key).
    pub inbound_category: Option<String>,
    /// The email of the person who owns cases opened by mail (default: frontline in turn).
    pub inbound_owner: Option<String>,
    /// Public forms (write to us, portal sign-in) take this many posts per client IP a minute.
    pub public_posts_per_ip_per_minute: u32,
    /// ... and this many per email address an hour (new cases, sign-in links).
    pub public_posts_per_address_per_hour: u32,
    /// Behind a reverse proxy: the client's IP is the last `X-Forwarded-For` entry.
    pub trust_forwarded_for: bool,
    /// Which server this is, among several on one database (default: the host name). A
    /// server starting on the same node takes over what its crashed predecessor claimed.
    pub node_name: String,
    /// Below this much free space in the data directory, uploads are refused (507) so
    /// that the database keeps room to commit; `/readyz` says the disk is nearly full.
    pub disk_free_floor: u64,
    /// `/readyz` fails when a notification has waited longer than this.
    pub outbox_stuck_after: Duration,
    /// The same message from the same sender within this time is taken in once.
    pub inbound_duplicate_window: Duration,
    /// New cases that mail from one sender may open in an hour; beyond it, mail is
    /// recorded on the sender's latest case and never answered (loops, backscatter).
    pub mail_cases_per_sender_per_hour: u32,
    /// HTTP: a client must send a request's headers within this time.
    pub http_header_timeout: Duration,
    /// HTTP: ... and the whole request (body included) within this time.
    pub http_request_timeout: Duration,
    /// HTTP connections served at once; more wait to be accepted.
    pub http_max_connections: usize,
    /// SMTP: sessions served at once (more are told to come back later).
    pub smtp_max_connections: usize,
    /// SMTP: recipients one message may have.
    pub smtp_max_recipients: usize,
    /// SMTP: a session ends after this long, whatever it is doing.
    pub smtp_session_timeout: Duration,
    /// The telephony platform's auth token: it signs the status callbacks sent to
    /// `/api/v1/calls/twilio` (the callback is off without it).
    pub twilio_auth_token: Option<String>,
}

/// The host name, or `roadone` when it cannot be read.
fn host_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "roadone".into())
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("roadone-data"),
            listen: "127.0.0.1:8080".parse().expect("valid default address"),
            public_url: "http://127.0.0.1:8080".into(),
            escalate_after: Duration::from_secs(20 * 3600),
            tickle_after: Duration::from_secs(4 * 3600),
            promise_within: Duration::from_secs(24 * 3600),
            deadline_warning: 0.8,
            phone_region: None,
            time_zone: crate::time_zones::Zone::default(),
            scheduler_interval: Duration::from_secs(1),
            fsync_every_commit: true,
            sqlite_readers: 4,
            admin_email: "admin@roadone.local".into(),
            smtp_relay: None,
            smtp_relay_ca_file: None,
            mail_from: "support@roadone.local".into(),
            smtp_listen: None,
            max_attachment_size: 25 * 1024 * 1024,
            inbound_category: None,
            inbound_owner: None,
            public_posts_per_ip_per_minute: 20,
            public_posts_per_address_per_hour: 10,
            trust_forwarded_for: false,
            node_name: host_name(),
            disk_free_floor: 100 * 1024 * 1024,
            outbox_stuck_after: Duration::from_secs(15 * 60),
            inbound_duplicate_window: Duration::from_secs(7 * 24 * 3600),
            mail_cases_per_sender_per_hour: 10,
            http_header_timeout: Duration::from_secs(10),
            http_request_timeout: Duration::from_secs(120),
            http_max_connections: 512,
            smtp_max_connections: 100,
            smtp_max_recipients: 100,
            smtp_session_timeout: Duration::from_secs(600),
            twilio_auth_token: None,
        }
    }
}

/// The config file (`roadone.toml`); every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub public_url: Option<String>,
    pub escalate_after: Option<String>,
    pub tickle_after: Option<String>,
    pub promise_within: Option<String>,
    pub deadline_warning: Option<f64>,
    /// Two letters, such as `GB`.
    pub phone_region: Option<String>,
    /// An IANA name, such as `Europe/London`.
    pub time_zone: Option<String>,
    pub scheduler_interval: Option<String>,
    pub fsync_every_commit: Option<bool>,
    pub sqlite_readers: Option<usize>,
    pub admin_email: Option<String>,
    pub smtp_relay: Option<String>,
    pub smtp_relay_ca_file: Option<PathBuf>,
    pub mail_from: Option<String>,
    pub inbound_category: Option<String>,
    pub inbound_owner: Option<String>,
    pub smtp_listen: Option<String>,
    pub public_posts_per_ip_per_minute: Option<u32>,
    pub public_posts_per_address_per_hour: Option<u32>,
    pub trust_forwarded_for: Option<bool>,
    pub node_name: Option<String>,
    pub disk_free_floor_mb: Option<u64>,
    pub outbox_stuck_after: Option<String>,
    pub inbound_duplicate_window: Option<String>,
    pub mail_cases_per_sender_per_hour: Option<u32>,
    pub http_header_timeout: Option<String>,
    pub http_request_timeout: Option<String>,
    pub http_max_connections: Option<usize>,
    pub smtp_max_connections: Option<usize>,
    pub smtp_max_recipients: Option<usize>,
    pub smtp_session_timeout: Option<String>,
    pub twilio_auth_token: Option<String>,
}

/// Parses durations such as `20h`, `90m`, `4s`, `1h 30m`.
pub fn parse_duration(field: &str, value: &str) -> Result<Duration, ConfigError> {
    let d = humantime::parse_duration(value.trim()).map_err(|e| ConfigError::Invalid {
        field: field.into(),
        message: format!("{value:?} is not a duration like 20h, 90m or 4s ({e})"),
    })?;
    if d.is_zero() {
        return Err(ConfigError::Invalid {
            field: field.into(),
            message: "must be longer than zero".into(),
        });
    }
    Ok(d)
}

/// The address mail comes from must be plain (replies go to `local+<token>@domain`).
pub fn check_mail_from(value: &str) -> Result<(), String> {
    // Replies come back to the local part plus '+' and a case token.
    let plain = roadone_domain::EmailAddress::parse(value).is_ok()
        && !value.contains('+')
        // What the mail library cannot send from would fail every message for good.
        && value.parse::<lettre::Address>().is_ok();
    if plain {
        Ok(())
    } else {
        Err(format!(
            "{value:?} must be a plain address like support@example.com"
        ))
    }
}

impl Config {
    /// Applies a config file on top of the current values.
    pub fn apply_file(&mut self, path: &Path) -> Result<(), ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
            path: path.into(),
            message: e.to_string(),
        })?;
        let file: FileConfig = toml::from_str(&text).map_err(|e| ConfigError::File {
            path: path.into(),
            message: e.to_string(),
        })?;
        self.apply_limits(&file)?;
        if let Some(v) = file.listen {
            self.set_listen(&v)?;
        }
        if let Some(v) = file.public_url {
            self.public_url = v;
        }
        if let Some(v) = file.phone_region {
            self.phone_region = Some(v.parse().map_err(|message| ConfigError::Invalid {
                field: "phone_region".into(),
                message,
            })?);
        }
        if let Some(v) = file.time_zone {
            self.time_zone =
                crate::time_zones::Zone::parse(&v).map_err(|message| ConfigError::Invalid {
                    field: "time_zone".into(),
                    message,
                })?;
        }
        if let Some(v) = file.escalate_after {
            self.escalate_after = parse_duration("escalate_after", &v)?;
        }
        if let Some(v) = file.tickle_after {
            self.tickle_after = parse_duration("tickle_after", &v)?;
        }
        if let Some(v) = file.promise_within {
            self.promise_within = parse_duration("promise_within", &v)?;
        }
        if let Some(v) = file.scheduler_interval {
            self.scheduler_interval = parse_duration("scheduler_interval", &v)?;
        }
        if let Some(v) = file.deadline_warning {
            self.deadline_warning = v;
        }
        if let Some(v) = file.fsync_every_commit {
            self.fsync_every_commit = v;
        }
        if let Some(v) = file.sqlite_readers {
            self.sqlite_readers = v;
        }
        if let Some(v) = file.admin_email {
            self.admin_email = v;
        }
        if let Some(v) = file.twilio_auth_token.filter(|t| !t.trim().is_empty()) {
            self.twilio_auth_token = Some(v.trim().to_string());
        }
        if let Some(v) = file.smtp_relay {
            self.smtp_relay = Some(v);
        }
        if let Some(v) = file.smtp_relay_ca_file {
            self.smtp_relay_ca_file = Some(v);
        }
        if let Some(v) = file.mail_from {
            self.mail_from = v;
        }
        if let Some(v) = file.inbound_category {
            self.inbound_category = Some(v);
        }
        if let Some(v) = file.inbound_owner {
            self.inbound_owner = Some(v);
        }
        if let Some(v) = file.smtp_listen {
            self.set_smtp_listen(&v)?;
        }
        if let Some(v) = file.public_posts_per_ip_per_minute {
            self.public_posts_per_ip_per_minute = v;
        }
        if let Some(v) = file.public_posts_per_address_per_hour {
            self.public_posts_per_address_per_hour = v;
        }
        if let Some(v) = file.trust_forwarded_for {
            self.trust_forwarded_for = v;
        }
        self.validate()
    }

    /// The operating limits of the file: node, disk, timeouts and connection caps.
    fn apply_limits(&mut self, file: &FileConfig) -> Result<(), ConfigError> {
        let duration = |field: &str, v: &Option<String>, into: &mut Duration| {
            if let Some(v) = v {
                *into = parse_duration(field, v)?;
            }
            Ok::<(), ConfigError>(())
        };
        duration(
            "outbox_stuck_after",
            &file.outbox_stuck_after,
            &mut self.outbox_stuck_after,
        )?;
        duration(
            "inbound_duplicate_window",
            &file.inbound_duplicate_window,
            &mut self.inbound_duplicate_window,
        )?;
        duration(
            "http_header_timeout",
            &file.http_header_timeout,
            &mut self.http_header_timeout,
        )?;
        duration(
            "http_request_timeout",
            &file.http_request_timeout,
            &mut self.http_request_timeout,
        )?;
        duration(
            "smtp_session_timeout",
            &file.smtp_session_timeout,
            &mut self.smtp_session_timeout,
        )?;
        if let Some(v) = &file.node_name {
            self.node_name = v.clone();
        }
        if let Some(v) = file.disk_free_floor_mb {
            self.disk_free_floor = v.saturating_mul(1024 * 1024);
        }
        if let Some(v) = file.mail_cases_per_sender_per_hour {
            self.mail_cases_per_sender_per_hour = v;
        }
        if let Some(v) = file.http_max_connections {
            self.http_max_connections = v;
        }
        if let Some(v) = file.smtp_max_connections {
            self.smtp_max_connections = v;
        }
        if let Some(v) = file.smtp_max_recipients {
            self.smtp_max_recipients = v;
        }
        Ok(())
    }

    pub fn set_listen(&mut self, value: &str) -> Result<(), ConfigError> {
        self.listen = value.parse().map_err(|e| ConfigError::Invalid {
            field: "listen".into(),
            message: format!("{value:?} is not an address like 127.0.0.1:8080 ({e})"),
        })?;
        Ok(())
    }

    pub fn set_smtp_listen(&mut self, value: &str) -> Result<(), ConfigError> {
        self.smtp_listen = Some(value.parse().map_err(|e| ConfigError::Invalid {
            field: "smtp_listen".into(),
            message: format!("{value:?} is not an address like 127.0.0.1:2525 ({e})"),
        })?);
        Ok(())
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        for (field, value) in [
            (
                "public_posts_per_ip_per_minute",
                self.public_posts_per_ip_per_minute,
            ),
            (
                "public_posts_per_address_per_hour",
                self.public_posts_per_address_per_hour,
            ),
        ] {
            if value == 0 {
                return Err(ConfigError::Invalid {
                    field: field.into(),
                    message: "must be at least 1".into(),
                });
            }
        }
        if !(self.deadline_warning > 0.0 && self.deadline_warning < 1.0) {
            return Err(ConfigError::Invalid {
                field: "deadline_warning".into(),
                message: format!("must be between 0 and 1, got {}", self.deadline_warning),
            });
        }
        if let Some(relay) = &self.smtp_relay {
            crate::mail::relay::RelayUrl::parse(relay).map_err(|message| ConfigError::Invalid {
                field: "smtp_relay".into(),
                message,
            })?;
        }
        check_mail_from(&self.mail_from).map_err(|message| ConfigError::Invalid {
            field: "mail_from".into(),
            message,
        })?;
        for (field, value) in [
            (
                "mail_cases_per_sender_per_hour",
                self.mail_cases_per_sender_per_hour as usize,
            ),
            ("http_max_connections", self.http_max_connections),
            ("smtp_max_connections", self.smtp_max_connections),
            ("smtp_max_recipients", self.smtp_max_recipients),
        ] {
            if value == 0 {
                return Err(ConfigError::Invalid {
                    field: field.into(),
                    message: "must be at least 1".into(),
                });
            }
        }
        if self.node_name.trim().is_empty() {
            return Err(ConfigError::Invalid {
                field: "node_name".into(),
                message: "must not be empty".into(),
            });
        }
        if self.sqlite_readers == 0 {
            return Err(ConfigError::Invalid {
                field: "sqlite_readers".into(),
                message: "must be at least 1".into(),
            });
        }
        Ok(())
    }

    pub fn rules(&self) -> Rules {
        let d = |d: Duration| chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
        Rules {
            escalate_after: d(self.escalate_after),
            tickle_after: d(self.tickle_after),
            deadline_warning: self.deadline_warning,
            promise_within: d(self.promise_within),
            phone_region: self.phone_region,
        }
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("roadone.db")
    }

    /// Overrides of the built-in mail templates live here.
    pub fn attachments_dir(&self) -> PathBuf {
        self.data_dir.join("attachments")
    }

    pub fn mail_templates_dir(&self) -> PathBuf {
        self.data_dir.join("templates").join("mail")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(
            parse_duration("x", "20h").unwrap(),
            Duration::from_secs(72_000)
        );
        assert_eq!(
            parse_duration("x", "90m").unwrap(),
            Duration::from_secs(5_400)
        );
        assert_eq!(parse_duration("x", "4s").unwrap(), Duration::from_secs(4));
        assert_eq!(
            parse_duration("x", "1h 30m").unwrap(),
            Duration::from_secs(5_400)
        );
        let err = parse_duration("escalate_after", "tomorrow")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("escalate_after") && err.contains("tomorrow"),
            "{err}"
        );
        assert!(
            parse_duration("tickle_after", "0s").is_err(),
            "a zero duration would fire constantly"
        );
    }

    #[test]
    fn the_config_file_sets_the_rules() {
        let f = file("escalate_after = \"2h\"\ntickle_after = \"15m\"\nlisten = \"127.0.0.1:9999\"\ndeadline_warning = 0.5\n");
        let mut config = Config::default();
        config.apply_file(f.path()).unwrap();
        let rules = config.rules();
        assert_eq!(rules.escalate_after, chrono::Duration::hours(2));
        assert_eq!(rules.tickle_after, chrono::Duration::minutes(15));
        assert_eq!(rules.deadline_warning, 0.5);
        assert_eq!(config.listen.port(), 9999);
        // Untouched settings keep their defaults.
        assert_eq!(rules.promise_within, chrono::Duration::hours(24));
    }

    #[test]
    fn a_bad_config_file_is_refused_naming_the_problem() {
        let mut config = Config::default();
        let typo = file("escalate_afterr = \"2h\"\n");
        let err = config.apply_file(typo.path()).unwrap_err().to_string();
        assert!(
            err.contains("escalate_afterr"),
            "unknown keys are named: {err}"
        );
        let bad = file("tickle_after = \"often\"\n");
        assert!(config
            .apply_file(bad.path())
            .unwrap_err()
            .to_string()
            .contains("tickle_after"));
        let warning = file("deadline_warning = 1.5\n");
        assert!(config
            .apply_file(warning.path())
            .unwrap_err()
            .to_string()
            .contains("deadline_warning"));
        let missing = config
            .apply_file(Path::new("/nonexistent/roadone.toml"))
            .unwrap_err()
            .to_string();
        assert!(missing.contains("/nonexistent/roadone.toml"));
    }
}
