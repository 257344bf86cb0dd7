//! "Not a customer case": spam or a sales pitch that became a case. Its owner, or anyone
//! above them, marks it; the case ends without a solve, so it neither counts as one nor
//! waits for an executive, and its timers go with it. Because a mark also ends a real
//! case, it is counted per person on the trail, and anyone above the owner (or an
//! administrator) can undo it: the case is open again with its owner, on the clock it had
//! — a mark never buys a case more time before the executive sees it.

use crate::case::{Case, CaseStatus};
use crate::error::DomainError;
use crate::event::{Actor, EventBody};
use crate::person::{PersonId, Role};
use crate::rules::{active_staff, Context};

/// A reason longer than this is a note, not a reason.
pub const MAX_REASON_CHARS: usize = 200;

/// The person marking the case: active, and its owner or above them.
pub(crate) fn may_mark_junk(
    case: &Case,
    actor: Actor,
    ctx: Context<'_>,
) -> Result<PersonId, DomainError> {
    let by = active_staff(actor, ctx)?;
    if !case.is_open() {
        return Err(closed(case));
    }
    if by != case.owner && !ctx.hierarchy.is_above(by, case.owner) {
        return Err(DomainError::NotOwner { owner: case.owner });
    }
    Ok(by)
}

/// The person undoing a mark: active, and above the owner, or an administrator.
pub(crate) fn may_undo_junk(
    case: &Case,
    actor: Actor,
    ctx: Context<'_>,
) -> Result<PersonId, DomainError> {
    let by = active_staff(actor, ctx)?;
    if case.status != CaseStatus::Junk {
        return Err(DomainError::NotMarkedJunk);
    }
    let admin = ctx.hierarchy.get(by).is_some_and(|p| p.role == Role::Admin);
    if !admin && !ctx.hierarchy.is_above(by, case.owner) {
        return Err(DomainError::UndoNotFromAbove { owner: case.owner });
    }
    Ok(by)
}

pub(crate) fn mark(
    case: &Case,
    reason: &str,
    actor: Actor,
    ctx: Context<'_>,
) -> Result<EventBody, DomainError> {
    may_mark_junk(case, actor, ctx)?;
    let reason = crate::rules::one_line(reason);
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(DomainError::invalid(
            "reason",
            format!("must be at most {MAX_REASON_CHARS} characters"),
        ));
    }
    Ok(EventBody::MarkedJunk {
        owner: case.owner,
        reason,
    })
}

pub(crate) fn undo(case: &Case, actor: Actor, ctx: Context<'_>) -> Result<EventBody, DomainError> {
    may_undo_junk(case, actor, ctx)?;
    Ok(EventBody::JunkUndone { owner: case.owner })
}

/// Why a case that is not open refuses what needs it open.
pub(crate) fn closed(case: &Case) -> DomainError {
    match case.status {
        CaseStatus::Junk => DomainError::CaseJunk,
        _ => DomainError::CaseSolved,
    }
}
