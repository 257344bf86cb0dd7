//! The words a message is judged by. Bounded whatever is sent: only the first
//! [`MAX_TEXT_BYTES`] of the text are read and at most [`MAX_TOKENS`] distinct tokens
//! kept, so an enormous message or a flood of made-up words costs the same as a letter.

use std::collections::BTreeSet;

/// How much of a message's text is read.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;
/// How many distinct tokens a message may give.
pub const MAX_TOKENS: usize = 2_000;
/// Words shorter than this say little; longer ones are mostly encoded junk.
const MIN_WORD: usize = 3;
const MAX_WORD: usize = 24;

/// The distinct tokens of a message: its subject's words (marked `subject:`), the
/// sender's domain (`from:`), the hosts of its links (`url:`) and the body's words,
/// lower-cased, with HTML tags left out.
pub fn tokens(subject: &str, sender: Option<&str>, body: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if let Some(domain) = sender.and_then(|s| s.rsplit_once('@')).map(|(_, d)| d) {
        out.insert(format!("from:{}", domain.trim().to_lowercase()));
    }
    for word in words(head(subject)) {
        if out.len() >= MAX_TOKENS {
            return out;
        }
        out.insert(format!("subject:{word}"));
    }
    let body = head(body);
    for host in link_hosts(body) {
        if out.len() >= MAX_TOKENS {
            return out;
        }
        out.insert(format!("url:{host}"));
    }
    for word in words(&without_tags(body)) {
        if out.len() >= MAX_TOKENS {
            break;
        }
        out.insert(word);
    }
    out
}

/// The first [`MAX_TEXT_BYTES`] of `text`, cut at a character boundary.
fn head(text: &str) -> &str {
    if text.len() <= MAX_TEXT_BYTES {
        return text;
    }
    let mut end = MAX_TEXT_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '$' || c == '£' || c == '€'))
        .map(|w| w.trim_matches('\''))
        .filter(|w| (MIN_WORD..=MAX_WORD).contains(&w.chars().count()))
        .map(str::to_lowercase)
}

/// Text outside `<…>`: an all-HTML message is judged by what it says, not its markup.
fn without_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn link_hosts(text: &str) -> impl Iterator<Item = String> + '_ {
    text.match_indices("://").filter_map(move |(at, _)| {
        let rest = &text[at + 3..];
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '.' || c == '-'))
            .unwrap_or(rest.len());
        let host = rest[..end].trim_matches('.').to_lowercase();
        (!host.is_empty() && host.len() <= 100).then_some(host)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn subject_sender_links_and_words_are_told_apart() {
        let t = tokens(
            "Rates DROPPED!",
            Some("deals@Cheap-Loans.example"),
            "<p>Refinance <a href=\"https://Cheap-Loans.example/now\">today</a></p>",
        );
        for expected in [
            "subject:rates",
            "subject:dropped",
            "from:cheap-loans.example",
            "url:cheap-loans.example",
            "refinance",
            "today",
        ] {
            assert!(t.contains(expected), "{expected} in {t:?}");
        }
        assert!(!t.contains("href"), "markup is not a word: {t:?}");
    }

    #[test]
    fn a_flood_of_distinct_words_is_cut_at_the_bound() {
        let flood: String = (0..100_000).map(|n| format!("word{n} ")).collect();
        assert_eq!(tokens("", None, &flood).len(), MAX_TOKENS);
    }

    proptest! {
        #[test]
        fn any_text_gives_a_bounded_set_of_short_lower_case_tokens(
            subject in ".{0,200}", body in ".{0,3000}"
        ) {
            let t = tokens(&subject, Some("a@b.example"), &body);
            prop_assert!(t.len() <= MAX_TOKENS);
            for token in &t {
                let word = token.split_once(':').map_or(token.as_str(), |(_, w)| w);
                prop_assert!(word.chars().count() <= 100, "{token}");
                prop_assert_eq!(token.to_lowercase(), token.clone());
            }
        }
    }
}
