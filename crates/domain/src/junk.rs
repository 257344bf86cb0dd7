//! Junk mail: what decides whether an inbound message may open a case. Two voices are
//! heard — what an upstream filter already wrote in the headers (`upstream`), and our own
//! learning filter over the message's words (`tokens`, `bayes`) — and `verdict` joins
//! them with the company's threshold. Pure: the store keeps the filter's counts and the
//! mail intake reads the headers; nothing here does I/O.

pub mod bayes;
pub mod tokens;
pub mod upstream;

pub use bayes::{Counts, Filter};
pub use tokens::tokens;
pub use upstream::Upstream;

/// How sure we are that a message is junk, from 0 (a customer) to 1 (junk), and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub score: f64,
    /// Whether the message waits among the suspended instead of opening a case.
    pub suspend: bool,
    /// In words, the strongest reasons first.
    pub why: Vec<String>,
}

/// The company's settings for junk.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JunkRules {
    /// At or above this score a message is suspended.
    pub threshold: f64,
    /// Whether an upstream filter's "this is spam" is believed on its own.
    pub trust_upstream: bool,
}

impl Default for JunkRules {
    fn default() -> Self {
        JunkRules {
            threshold: 0.9,
            trust_upstream: true,
        }
    }
}

/// A failed DMARC check means the sender's own domain disowns the message: nearly
/// always forged. A failed SPF alone is common for forwarded mail, so it only leans.
const DMARC_FAIL_FLOOR: f64 = 0.9;
const SPF_FAIL_FLOOR: f64 = 0.6;

/// Joins what the upstream filter said with our filter's probability (`None` when ours
/// could not score: too little training, say).
pub fn verdict(upstream: &Upstream, ours: Option<f64>, rules: JunkRules) -> Verdict {
    let mut why = Vec::new();
    let mut score = ours.unwrap_or(0.5).clamp(0.0, 1.0);
    if let Some(p) = ours {
        why.push(format!(
            "our filter rates its words {:.0}% junk",
            (p * 100.0).round()
        ));
    }
    if rules.trust_upstream {
        if let Some(said) = &upstream.spam {
            why.insert(0, said.clone());
            score = 1.0;
        }
    }
    if upstream.dmarc_failed {
        why.push("the sender's domain disowns it (DMARC failed)".into());
        score = score.max(DMARC_FAIL_FLOOR);
    }
    if upstream.spf_failed {
        why.push("it came from a server its domain does not list (SPF failed)".into());
        score = score.max(SPF_FAIL_FLOOR);
    }
    Verdict {
        score,
        suspend: score >= rules.threshold,
        why,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upstream_spam_flag_suspends_only_while_it_is_trusted() {
        let flagged = Upstream {
            spam: Some("SpamAssassin marked it as spam (score 7.3, required 5.0)".into()),
            ..Upstream::default()
        };
        let trusted = verdict(&flagged, Some(0.2), JunkRules::default());
        assert!(trusted.suspend);
        assert!(
            trusted.why[0].starts_with("SpamAssassin"),
            "{:?}",
            trusted.why
        );
        let ignored = verdict(
            &flagged,
            Some(0.2),
            JunkRules {
                trust_upstream: false,
                ..JunkRules::default()
            },
        );
        assert!(!ignored.suspend);
        assert_eq!(ignored.score, 0.2);
    }

    #[test]
    fn dmarc_failure_suspends_and_spf_failure_only_leans() {
        let dmarc = Upstream {
            dmarc_failed: true,
            ..Upstream::default()
        };
        assert!(verdict(&dmarc, Some(0.1), JunkRules::default()).suspend);
        let spf = Upstream {
            spf_failed: true,
            ..Upstream::default()
        };
        let leaned = verdict(&spf, Some(0.1), JunkRules::default());
        assert!(!leaned.suspend);
        assert_eq!(leaned.score, SPF_FAIL_FLOOR);
    }

    #[test]
    fn without_any_voice_a_message_is_taken_in() {
        let v = verdict(&Upstream::default(), None, JunkRules::default());
        assert!(!v.suspend);
        assert!(v.why.is_empty());
    }
}
