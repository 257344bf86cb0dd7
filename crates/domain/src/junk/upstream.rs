//! What an upstream filter already said about a message, read from the headers it adds:
//! SpamAssassin (`X-Spam-Flag`, `X-Spam-Status`), rspamd (`X-Spam`, `X-Spamd-Result`) and
//! the receiving server's `Authentication-Results` (RFC 8601).

/// The upstream filters' say, as far as the headers tell it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Upstream {
    /// In words, which filter called it spam and with what score; `None` when none did.
    pub spam: Option<String>,
    /// A filter's score and its threshold, when one gave them (spam or not).
    pub score: Option<(f64, Option<f64>)>,
    pub dmarc_failed: bool,
    pub spf_failed: bool,
}

/// Reads the headers (name, value) of one message. Names are matched without regard to
/// case; unknown forms are ignored rather than guessed at.
pub fn read<'a>(headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> Upstream {
    let mut up = Upstream::default();
    for (name, value) in headers {
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "x-spam-flag" if value.eq_ignore_ascii_case("yes") => {
                up.spam
                    .get_or_insert_with(|| "SpamAssassin marked it as spam".into());
            }
            "x-spam-status" => spam_assassin_status(value, &mut up),
            "x-spam" if is_yes(value) => {
                up.spam
                    .get_or_insert_with(|| "rspamd marked it as spam".into());
            }
            "x-spamd-result" => rspamd_result(value, &mut up),
            "authentication-results" => authentication(value, &mut up),
            _ => {}
        }
    }
    up
}

fn is_yes(v: &str) -> bool {
    let first = v.split([',', ';', ' ']).next().unwrap_or_default();
    first.eq_ignore_ascii_case("yes") || first.eq_ignore_ascii_case("true")
}

fn number_after(text: &str, key: &str) -> Option<f64> {
    let at = text.to_ascii_lowercase().find(key)? + key.len();
    let rest = &text[at..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .unwrap_or(rest.len());
    rest[..end].parse().ok().filter(|n: &f64| n.is_finite())
}

/// `Yes, score=7.3 required=5.0 tests=…` or `No, score=-0.1 …`.
fn spam_assassin_status(value: &str, up: &mut Upstream) {
    let score = number_after(value, "score=");
    let required = number_after(value, "required=");
    if let Some(s) = score {
        up.score = Some((s, required));
    }
    if is_yes(value) {
        let said = match (score, required) {
            (Some(s), Some(r)) => {
                format!("SpamAssassin marked it as spam (score {s}, required {r})")
            }
            (Some(s), None) => format!("SpamAssassin marked it as spam (score {s})"),
            _ => "SpamAssassin marked it as spam".into(),
        };
        up.spam = Some(said);
    }
}

/// `default: True [12.40 / 15.00]; SYMBOL(1.0)[…]; …`.
fn rspamd_result(value: &str, up: &mut Upstream) {
    let head = value.split(';').next().unwrap_or_default();
    let Some((_, verdict)) = head.split_once(':') else {
        return;
    };
    let verdict = verdict.trim();
    let (word, scores) = verdict.split_once('[').unwrap_or((verdict, ""));
    let mut numbers = scores
        .trim_end_matches(']')
        .split('/')
        .map(|n| n.trim().parse::<f64>().ok().filter(|n| n.is_finite()));
    let score = numbers.next().flatten();
    let threshold = numbers.next().flatten();
    if let Some(s) = score {
        up.score = Some((s, threshold));
    }
    if word.trim().eq_ignore_ascii_case("true") {
        up.spam = Some(match (score, threshold) {
            (Some(s), Some(t)) => format!("rspamd marked it as spam (score {s} of {t})"),
            _ => "rspamd marked it as spam".into(),
        });
    }
}

/// `mx.example.net; spf=fail smtp.mailfrom=…; dkim=pass …; dmarc=fail (p=reject) …`.
/// Only the results are read; the first part names the server that checked.
fn authentication(value: &str, up: &mut Upstream) {
    for part in value.split(';').skip(1) {
        let mut words = part.split_whitespace();
        let Some(result) = words.next() else { continue };
        let Some((method, outcome)) = result.split_once('=') else {
            continue;
        };
        let failed = outcome.eq_ignore_ascii_case("fail");
        match method.to_ascii_lowercase().as_str() {
            "dmarc" if failed => up.dmarc_failed = true,
            "spf" if failed => up.spf_failed = true,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(name: &str, value: &str) -> Upstream {
        read([(name, value)])
    }

    #[test]
    fn spam_assassin_flag_and_status_are_read() {
        assert!(one("X-Spam-Flag", "YES").spam.is_some());
        assert!(one("X-Spam-Flag", "NO").spam.is_none());
        let yes = one(
            "X-Spam-Status",
            "Yes, score=7.3 required=5.0 tests=BAYES_99,HTML_MESSAGE autolearn=no",
        );
        assert_eq!(
            yes.spam.as_deref(),
            Some("SpamAssassin marked it as spam (score 7.3, required 5)")
        );
        assert_eq!(yes.score, Some((7.3, Some(5.0))));
        let no = one("x-spam-status", "No, score=-0.1 required=5.0 tests=none");
        assert_eq!((no.spam, no.score), (None, Some((-0.1, Some(5.0)))));
    }

    #[test]
    fn rspamd_headers_are_read() {
        assert!(one("X-Spam", "Yes").spam.is_some());
        assert!(one("X-Spam", "No").spam.is_none());
        let yes = one(
            "X-Spamd-Result",
            "default: True [12.40 / 15.00]; BAYES_SPAM(5.10)[99.99%]; R_SPF_FAIL(1.00)[-all]",
        );
        assert_eq!(
            yes.spam.as_deref(),
            Some("rspamd marked it as spam (score 12.4 of 15)")
        );
        let no = one("X-Spamd-Result", "default: False [1.20 / 15.00]");
        assert_eq!((no.spam, no.score), (None, Some((1.2, Some(15.0)))));
    }

    #[test]
    fn authentication_failures_are_read_but_passes_and_the_checker_are_not() {
        let both = one(
            "Authentication-Results",
            "mx.example.net; spf=fail smtp.mailfrom=bank.example; dkim=none; dmarc=fail (p=reject) header.from=bank.example",
        );
        assert!(both.dmarc_failed && both.spf_failed && both.spam.is_none());
        let fine = one(
            "Authentication-Results",
            "dmarc=fail.example; spf=pass smtp.mailfrom=shop.example; dmarc=pass",
        );
        assert!(!fine.dmarc_failed && !fine.spf_failed, "{fine:?}");
    }

    #[test]
    fn odd_values_are_ignored_not_guessed() {
        for (name, value) in [
            ("X-Spam-Status", "score=NaN"),
            ("X-Spamd-Result", "True"),
            ("X-Spamd-Result", "default: maybe [x / y]"),
            ("Authentication-Results", ";;;=;spf"),
            ("X-Spam-Status", ""),
        ] {
            let up = one(name, value);
            assert!(up.spam.is_none() && up.score.is_none(), "{name}: {value}");
        }
    }
}
