//! CSV for spreadsheets, safe to open: a cell that starts with `=`, `+`, `-`, `@`, a tab
//! or a carriage return would be read as a formula, so it gets a leading `'` — unless it
//! is a plain number (`-0.25`), which a spreadsheet must still be able to add up.

use crate::error::{AppError, AppResult};
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// CSV text as a download named `{name}.csv`.
pub fn download(name: &str, text: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.csv\""),
            ),
        ],
        text,
    )
        .into_response()
}

pub fn cell(text: &str) -> String {
    let number = !text.starts_with('+')
        && text.trim() == text
        && text.parse::<f64>().is_ok_and(f64::is_finite);
    if number {
        return text.to_string();
    }
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// Writes a header and rows (each cell escaped) as CSV text.
pub fn write(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> AppResult<String> {
    let internal = |e: csv::Error| AppError::Internal(format!("writing CSV: {e}"));
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(header).map_err(internal)?;
    for row in rows {
        out.write_record(row.iter().map(|c| cell(c)))
            .map_err(internal)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| AppError::Internal(format!("writing CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| AppError::Internal(format!("writing CSV: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_quotes_kept() {
        for risky in ["=1+1", "+1", "-1+1", "@SUM(A1)", "\tx", "\rx", "-"] {
            assert!(cell(risky).starts_with('\''), "{risky:?}");
        }
        assert_eq!(cell("Ann"), "Ann");
        assert_eq!(
            cell("-0.2500"),
            "-0.2500",
            "a negative number stays a number"
        );
        assert_eq!(cell("-1+2"), "'-1+2");
        assert_eq!(cell("-inf"), "'-inf");
        let text = write(
            &["name", "n"],
            [vec!["=cmd|' /C calc'!A0".into(), "3".into()]],
        )
        .unwrap();
        assert_eq!(text, "name,n\n'=cmd|' /C calc'!A0,3\n");
        // Commas and quotes are still quoted as CSV requires.
        let text = write(&["name"], [vec!["-a, \"b\"".into()]]).unwrap();
        assert_eq!(text, "name\n\"'-a, \"\"b\"\"\"\n");
    }
}
