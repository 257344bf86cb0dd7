//! Limits on the public pages, so that a script cannot open cases or send sign-in mail
//! by the thousand: per client IP (a minute's allowance) and per email address (an
//! hour's), GCRA via `governor`; and per person on the wrong tries at a second-factor
//! code, so that six digits cannot be guessed. Kept in memory per server process.

use crate::config::Config;
use crate::error::{AppError, AppResult};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

pub struct RateLimits {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_address: DefaultKeyedRateLimiter<String>,
    /// When each recent wrong try at a person's second factor was made, oldest first.
    second_factor: Mutex<HashMap<roadone_domain::PersonId, VecDeque<Instant>>>,
    checks: AtomicU64,
}

/// Wrong tries at a person's second-factor code (or recovery code, or the password that
/// turns it off) within [`SECOND_FACTOR_WINDOW`] before they must wait: with three codes
/// good at any time, guessing one takes about 70,000 windows (two years).
pub const SECOND_FACTOR_TRIES: usize = 5;
pub const SECOND_FACTOR_WINDOW: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Forgotten keys are dropped this often (checks), so memory follows recent traffic only.
const TIDY_EVERY: u64 = 4096;

impl RateLimits {
    pub fn new(config: &Config) -> RateLimits {
        let n = |v: u32| NonZeroU32::new(v).unwrap_or(NonZeroU32::MIN);
        RateLimits {
            per_ip: DefaultKeyedRateLimiter::keyed(Quota::per_minute(n(
                config.public_posts_per_ip_per_minute
            ))),
            per_address: DefaultKeyedRateLimiter::keyed(Quota::per_hour(n(
                config.public_posts_per_address_per_hour
            ))),
            second_factor: Mutex::new(HashMap::new()),
            checks: AtomicU64::new(0),
        }
    }

    fn tidy(&self) {
        if self.checks.fetch_add(1, Ordering::Relaxed) % TIDY_EVERY == TIDY_EVERY - 1 {
            self.per_ip.retain_recent();
            self.per_address.retain_recent();
        }
    }

    /// One more post from `ip`, or 429 with how long to wait.
    pub fn check_ip(&self, ip: IpAddr) -> AppResult<()> {
        self.tidy();
        self.per_ip.check_key(&ip).map_err(|not_until| {
            too_many(
                "from your network",
                not_until.wait_time_from(DefaultClock::default().now()),
            )
        })
    }

    /// One more post about `email` (case-insensitive), or 429 with how long to wait.
    pub fn check_address(&self, email: &str) -> AppResult<()> {
        self.tidy();
        self.per_address
            .check_key(&email.trim().to_lowercase())
            .map_err(|not_until| {
                too_many(
                    "for this email address",
                    not_until.wait_time_from(DefaultClock::default().now()),
                )
            })
    }

    /// One more try at `person`'s second factor, or 429 with how long to wait. The try
    /// counts as wrong until [`RateLimits::second_factor_was_right`] says otherwise, so
    /// that tries sent at once cannot outrun the count.
    pub fn check_second_factor(&self, person: roadone_domain::PersonId) -> AppResult<()> {
        let now = Instant::now();
        let mut tries = self.second_factor.lock().unwrap_or_else(|p| p.into_inner());
        tries.retain(|_, times| {
            while times
                .front()
                .is_some_and(|t| now.duration_since(*t) >= SECOND_FACTOR_WINDOW)
            {
                times.pop_front();
            }
            !times.is_empty()
        });
        let times = tries.entry(person).or_default();
        if times.len() >= SECOND_FACTOR_TRIES {
            let oldest = *times.front().expect("full, so not empty");
            let seconds = (SECOND_FACTOR_WINDOW - now.duration_since(oldest))
                .as_secs()
                .max(1);
            return Err(AppError::TooMany {
                message: format!(
                    "too many wrong tries at the code; wait {} and try again",
                    humantime::format_duration(std::time::Duration::from_secs(seconds))
                ),
                retry_after: seconds,
            });
        }
        times.push_back(now);
        Ok(())
    }

    /// The try just checked was right: it does not count against the person.
    pub fn second_factor_was_right(&self, person: roadone_domain::PersonId) {
        let mut tries = self.second_factor.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(times) = tries.get_mut(&person) {
            times.pop_back();
        }
    }
}

fn too_many(what: &str, wait: std::time::Duration) -> AppError {
    let seconds = wait.as_secs().max(1);
    AppError::TooMany {
        message: format!(
            "too many requests {what}; please try again in {}",
            humantime::format_duration(std::time::Duration::from_secs(seconds))
        ),
        retry_after: seconds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_ip: u32, per_address: u32) -> RateLimits {
        RateLimits::new(&Config {
            public_posts_per_ip_per_minute: per_ip,
            public_posts_per_address_per_hour: per_address,
            ..Config::default()
        })
    }

    #[test]
    fn an_address_gets_its_hourly_allowance_then_a_wait_others_are_unaffected() {
        let l = limits(100, 3);
        for _ in 0..3 {
            l.check_address("Ada@Example.com")
                .expect("within the allowance");
        }
        let Err(AppError::TooMany {
            retry_after,
            message,
        }) = l.check_address("ada@example.com")
        else {
            panic!("the fourth within the hour must be refused");
        };
        assert!(retry_after > 60 && retry_after <= 1200, "{retry_after}");
        assert!(message.contains("email address"), "{message}");
        l.check_address("bob@example.com")
            .expect("another address has its own allowance");
    }

    #[test]
    fn an_ip_gets_its_minute_allowance() {
        let l = limits(2, 100);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        l.check_ip(ip).unwrap();
        l.check_ip(ip).unwrap();
        assert!(matches!(l.check_ip(ip), Err(AppError::TooMany { .. })));
        l.check_ip("192.0.2.2".parse().unwrap())
            .expect("another IP is separate");
    }

    #[test]
    fn a_person_gets_five_wrong_tries_then_waits_and_right_ones_do_not_count() {
        let l = limits(100, 100);
        for _ in 0..20 {
            l.check_second_factor(7).expect("right tries never run out");
            l.second_factor_was_right(7);
        }
        for _ in 0..SECOND_FACTOR_TRIES {
            l.check_second_factor(7).expect("within the tries");
        }
        let Err(AppError::TooMany {
            retry_after,
            message,
        }) = l.check_second_factor(7)
        else {
            panic!("the sixth wrong try must be refused");
        };
        assert!(retry_after > 800 && retry_after <= 900, "{retry_after}");
        assert!(
            message.starts_with("too many wrong tries at the code"),
            "{message}"
        );
        l.check_second_factor(8)
            .expect("another person has their own tries");
    }
}
