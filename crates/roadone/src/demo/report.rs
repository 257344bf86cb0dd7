//! The demo's report: what was loaded, and the one-line summary the CLI prints.

use super::story::StoryOutcome;
use std::collections::BTreeMap;

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
    /// Orders of the last nine months (`orders`).
    pub orders: usize,
    /// Inbound calls of the last quarter (`calls`).
    pub calls: usize,
    /// The invitation left waiting for the frontline starter.
    pub invitation: Option<super::WaitingInvitation>,
    pub elapsed: std::time::Duration,
}

impl DemoReport {
    pub(super) fn merge(&mut self, outcome: StoryOutcome) {
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
            "demo: {} people, {} categories, {} customers, {} cases ({} still open), {} events ({}), {} orders, {} calls{refused} in {:.1}s",
            self.people,
            self.categories,
            self.customers,
            self.cases,
            self.open_cases,
            total,
            kinds.join(", "),
            self.orders,
            self.calls,
            self.elapsed.as_secs_f64()
        )
    }
}
