//! What each event adds to a case's full-text index, and how a person's words become an
//! FTS5 query.

use roadone_domain::{CaseId, Event, EventBody};

/// Events past this sequence number are not indexed (no real case gets there).
const SEQ_LIMIT: u32 = 1 << 20;

/// The index row of an event: `case_id * 2^20 + seq`.
pub fn row_id(case: CaseId, seq: u32) -> Option<i64> {
    (seq < SEQ_LIMIT).then(|| case * i64::from(SEQ_LIMIT) + i64::from(seq))
}

/// The case an index row belongs to, as SQL over `rowid`.
pub const CASE_OF_ROW: &str = "rowid / 1048576";

/// The words an event adds to its case, if it says anything.
pub fn text_of(event: &Event) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    match &event.body {
        EventBody::Opened {
            customer,
            subject,
            body,
            facts,
            ..
        } => {
            parts.extend([subject.as_str(), body.as_str()]);
            for field in [
                &customer.name,
                &customer.email,
                &customer.phone,
                &customer.external_id,
            ] {
                parts.extend(field.as_deref());
            }
            parts.extend(facts.values().map(String::as_str));
        }
        EventBody::MessageSent { body, .. }
        | EventBody::CustomerReplied { body, .. }
        | EventBody::NoteAdded { body, .. } => parts.push(body),
        EventBody::PassedUp { reason, .. } | EventBody::Upgraded { reason, .. } => {
            parts.push(reason)
        }
        EventBody::Solved {
            resolution,
            learned,
            ..
        } => parts.extend([resolution.as_str(), learned.as_str()]),
        _ => return None,
    }
    parts.extend(event.body.attachments().iter().map(|a| a.name.as_str()));
    let text = parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!text.is_empty()).then_some(text)
}

/// Every word must appear (as a word or the start of one); punctuation is the
/// tokenizer's business, so `ann@example.com` finds the customer's address. `None` when
/// there is no word to look for.
pub fn fts_query(words: &str) -> Option<String> {
    let terms: Vec<String> = words
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_become_quoted_prefix_terms_and_nothing_else() {
        assert_eq!(
            fts_query("  double  charge "),
            Some("\"double\"* \"charge\"*".into())
        );
        assert_eq!(
            fts_query("say \"NEAR\" OR x"),
            Some("\"say\"* \"\"\"NEAR\"\"\"* \"OR\"* \"x\"*".into()),
            "operators and quotes are only words"
        );
        assert_eq!(fts_query(" -- * "), None);
        assert_eq!(row_id(7, 3), Some(7 * 1_048_576 + 3));
        assert_eq!(row_id(7, 1 << 20), None);
    }
}
