//! Text from files and the database shown on a terminal: control characters (escape
//! sequences that could move the cursor, recolour or retitle the terminal, or hide a
//! line) are shown as escapes instead of being obeyed.

/// `text` with every control character written as a visible escape (`\u{1b}`, `\n`).
pub fn printable(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn escape_sequences_are_shown_not_obeyed() {
        assert_eq!(printable("ord-1"), "ord-1");
        assert_eq!(
            printable("\u{1b}]0;owned\u{7}id"),
            "\\u{1b}]0;owned\\u{7}id"
        );
        assert_eq!(printable("a\r\nb"), "a\\r\\nb");
        assert!(!printable("\u{9b}31m").chars().any(char::is_control));
    }
}
