//! Phone lines: which person answers on which channel or extension, so that the calls
//! report counts people rather than lines. The checks the API and the admin page share.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use roadone_domain::PersonId;
use roadone_store::PhoneLine;

/// The longest line name kept.
pub const LINE_MAX: usize = 100;

/// A line as call records name it: trimmed, and an Asterisk channel without the call's own
/// suffix (`PJSIP/201-0000002a` is the line `PJSIP/201`).
pub fn line(text: &str) -> AppResult<String> {
    let line = super::cdr::channel_name(text.trim());
    if line.is_empty() {
        return Err(AppError::invalid(
            "line",
            "is required: the channel or extension, as the telephone system names it",
        ));
    }
    if line.chars().count() > LINE_MAX {
        return Err(AppError::invalid(
            "line",
            format!("must be at most {LINE_MAX} characters"),
        ));
    }
    if line.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "line",
            "must not contain control characters",
        ));
    }
    Ok(line)
}

impl AppState {
    /// Every phone line and whose it is, by line.
    pub fn phone_lines(&self) -> Vec<PhoneLine> {
        self.directory.snapshot().phone_lines.clone()
    }

    /// Puts `person` on the line (taking it from whoever had it), or with `None` frees it.
    /// The line as kept (see [`line`]), and whether anything changed.
    pub async fn set_phone_line(
        &self,
        line: &str,
        person: Option<PersonId>,
    ) -> AppResult<(String, bool)> {
        let line = self::line(line)?;
        if let Some(id) = person {
            self.directory.snapshot().active_person("person_id", id)?;
        }
        let changed = self.store.set_phone_line(line.clone(), person).await?;
        self.refresh_directory().await?;
        Ok((line, changed))
    }
}
