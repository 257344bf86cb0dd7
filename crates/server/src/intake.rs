//! Cases that arrive on their own (by mail, through the web form): who owns them.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use roadone_domain::{PersonId, Role};
use std::sync::atomic::Ordering;

/// Who owns a case that arrives with nobody taking it in (mail, the web form): the
/// configured `inbound_owner`, else frontline in turn, else anyone but admins.
pub fn unattended_owner(state: &AppState) -> AppResult<PersonId> {
    let snapshot = state.directory.snapshot();
    if let Some(email) = &snapshot.settings.inbound_owner {
        let named = snapshot
            .hierarchy
            .people()
            .find(|p| p.active && p.role != Role::Admin && p.email.eq_ignore_ascii_case(email));
        match named {
            Some(p) => return Ok(p.id),
            // Deactivated since it was set: the case still opens, with the default owner,
            // and the log says what to fix.
            None => tracing::warn!(
                "inbound_owner {email} is not an active person who can own cases; \
                 new cases go to frontline in turn until it is changed on the mail page"
            ),
        }
    }
    let mut frontline: Vec<PersonId> = snapshot
        .hierarchy
        .people()
        .filter(|p| p.active && p.role == Role::Frontline)
        .map(|p| p.id)
        .collect();
    if frontline.is_empty() {
        frontline = snapshot
            .hierarchy
            .people()
            .filter(|p| p.active && p.role != Role::Admin)
            .map(|p| p.id)
            .collect();
    }
    frontline.sort_unstable();
    if frontline.is_empty() {
        return Err(AppError::Invalid {
            code: "nobody_to_own",
            message: "there is nobody to own a new case: add a frontline person".into(),
            field: None,
        });
    }
    Ok(frontline[state.next_in_turn.fetch_add(1, Ordering::Relaxed) % frontline.len()])
}
