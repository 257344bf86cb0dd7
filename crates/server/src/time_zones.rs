//! Time zones: times are stored in UTC and shown in the zone of whoever reads them — a
//! person's own (chosen on their account page), else the company's (the `time_zone`
//! setting); a customer's where staff know it (the customer page), else the company's.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use roadone_domain::PersonId;

/// A zone of the IANA database, such as `Europe/London`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(Tz);

impl Default for Zone {
    fn default() -> Zone {
        Zone(Tz::UTC)
    }
}

impl Zone {
    /// The zone named `name` (`Europe/London`, `America/New_York`, `UTC`), or a sentence
    /// saying why not.
    pub fn parse(name: &str) -> Result<Zone, String> {
        let name = name.trim();
        name.parse::<Tz>().map(Zone).map_err(|_| {
            format!(
                "\u{201c}{name}\u{201d} is not a time zone: choose one from the list, such as Europe/London or America/New_York"
            )
        })
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// `t` as people read it here: "Wed 2 Dec 2026, 14:05 GMT" (the zone's abbreviation,
    /// or its offset where it has none).
    pub fn when(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.0)
            .format("%a %-d %b %Y, %H:%M %Z")
            .to_string()
    }

    /// As mails write it, sortable: "2026-12-02 14:05 GMT".
    pub fn stamp(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.0)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    }

    /// `t` on this zone's clock.
    pub fn local(&self, t: DateTime<Utc>) -> DateTime<Tz> {
        t.with_timezone(&self.0)
    }

    /// Only the clock: "14:05 GMT".
    pub fn clock(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.0).format("%H:%M %Z").to_string()
    }

    /// Every zone a person may choose, by name (the canonical ones, not the old aliases).
    pub fn choices() -> impl Iterator<Item = &'static str> {
        chrono_tz::TZ_VARIANTS
            .iter()
            .map(|tz| tz.name())
            .filter(|name| name.contains('/') || *name == "UTC")
            .filter(|name| {
                ![
                    "Etc/", "SystemV/", "US/", "Canada/", "Brazil/", "Chile/", "Mexico/",
                ]
                .iter()
                .any(|old| name.starts_with(old))
            })
    }
}

impl AppState {
    /// The zone `person` reads times in: their own, else the company's.
    pub fn zone_of(&self, person: PersonId) -> Zone {
        let snapshot = self.directory.snapshot();
        snapshot
            .time_zones
            .get(&person)
            .copied()
            .unwrap_or(snapshot.settings.time_zone)
    }

    /// The company's zone: for customers whose own is not known, and staff who chose none.
    pub fn company_zone(&self) -> Zone {
        self.directory.snapshot().settings.time_zone
    }

    /// Sets (`Some`) or clears (`None`, back to the company's) a person's own zone.
    pub async fn set_person_time_zone(
        &self,
        person: PersonId,
        zone: Option<&str>,
    ) -> AppResult<()> {
        let zone = zone
            .map(str::trim)
            .filter(|z| !z.is_empty())
            .map(Zone::parse)
            .transpose()
            .map_err(|m| AppError::invalid("time_zone", m))?;
        self.store
            .set_staff_time_zone(person, zone.map(|z| z.name().to_string()))
            .await?;
        self.directory.refresh(self.store.as_ref()).await
    }

    /// A customer's zone, where staff know it.
    pub async fn customer_zone(&self, customer: i64) -> AppResult<Option<Zone>> {
        Ok(self
            .store
            .customer_time_zone(customer)
            .await?
            .and_then(|name| Zone::parse(&name).ok()))
    }

    /// The zone a customer reads times in: theirs, else the company's.
    pub async fn zone_for_customer(&self, customer: i64) -> AppResult<Zone> {
        Ok(self
            .customer_zone(customer)
            .await?
            .unwrap_or_else(|| self.company_zone()))
    }

    /// Sets (`Some`) or clears (`None`) a customer's zone.
    pub async fn set_customer_time_zone(&self, customer: i64, zone: Option<&str>) -> AppResult<()> {
        let zone = zone
            .map(str::trim)
            .filter(|z| !z.is_empty())
            .map(Zone::parse)
            .transpose()
            .map_err(|m| AppError::invalid("time_zone", m))?;
        if !self
            .store
            .set_customer_time_zone(customer, zone.map(|z| z.name().to_string()))
            .await?
        {
            return Err(AppError::NotFound(format!("customer {customer}")));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_time_reads_in_the_zone_with_its_summer_and_winter_names() {
        let london = Zone::parse("Europe/London").unwrap();
        let winter = Utc.with_ymd_and_hms(2026, 12, 2, 14, 5, 0).unwrap();
        let summer = Utc.with_ymd_and_hms(2026, 7, 2, 14, 5, 0).unwrap();
        assert_eq!(london.when(winter), "Wed 2 Dec 2026, 14:05 GMT");
        assert_eq!(london.when(summer), "Thu 2 Jul 2026, 15:05 BST");
        let kolkata = Zone::parse("Asia/Kolkata").unwrap();
        assert_eq!(kolkata.clock(winter), "19:35 IST");
        assert_eq!(london.stamp(summer), "2026-07-02 15:05 BST");
        // Midnight UTC is still the day before in New York.
        let new_york = Zone::parse(" America/New_York ").unwrap();
        let midnight = Utc.with_ymd_and_hms(2026, 12, 3, 0, 30, 0).unwrap();
        assert_eq!(new_york.when(midnight), "Wed 2 Dec 2026, 19:30 EST");
        assert_eq!(Zone::default().when(winter), "Wed 2 Dec 2026, 14:05 UTC");
    }

    #[test]
    fn a_name_that_is_no_zone_is_refused_in_words() {
        let e = Zone::parse("Mars/Olympus").unwrap_err();
        assert!(
            e.contains("Mars/Olympus") && e.contains("Europe/London"),
            "{e}"
        );
        assert!(Zone::parse("").is_err());
    }

    #[test]
    fn the_choices_are_real_zones_without_the_old_aliases() {
        let all: Vec<&str> = Zone::choices().collect();
        assert!(all.len() > 300, "{}", all.len());
        assert!(all.contains(&"Europe/London") && all.contains(&"UTC"));
        assert!(!all
            .iter()
            .any(|z| z.starts_with("US/") || z.starts_with("Etc/")));
        for name in all {
            assert_eq!(Zone::parse(name).unwrap().name(), name);
        }
    }
}
