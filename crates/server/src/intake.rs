//! Cases that arrive on their own (by mail, through the web form): who owns them.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use roadone_domain::{NobodyToOwn, PersonId};
use std::sync::atomic::Ordering;

/// Who owns a case that arrives with nobody taking it in (mail, the web form): the rule
/// is the domain's (`Hierarchy::unattended_owner`); this server keeps whose turn it is.
pub fn unattended_owner(state: &AppState) -> AppResult<PersonId> {
    let snapshot = state.directory.snapshot();
    let inbound_owner = snapshot.settings.inbound_owner.as_deref();
    let turn = state.next_in_turn.fetch_add(1, Ordering::Relaxed);
    match snapshot.hierarchy.unattended_owner(inbound_owner, turn) {
        Ok(chosen) => {
            if chosen.named_owner_unavailable {
                // Deactivated since it was set: the case still opens, with the default
                // owner, and the log says what to fix.
                tracing::warn!(
                    "inbound_owner {} is not an active person who can own cases; new cases \
                     go to frontline in turn until it is changed on the mail page",
                    inbound_owner.unwrap_or_default()
                );
            }
            Ok(chosen.owner)
        }
        Err(NobodyToOwn) => Err(AppError::Invalid {
            code: "nobody_to_own",
            message: "there is nobody to own a new case: add a frontline person".into(),
            field: None,
        }),
    }
}
