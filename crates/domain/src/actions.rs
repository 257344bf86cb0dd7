//! What a person may do to a case right now: the buttons a page shows. Asked of the same
//! functions the rules call before they read a command's fields, so a page never offers
//! what the rules would refuse, nor hides what they would allow.

use crate::case::Case;
use crate::event::Actor;
use crate::junk_mark::{may_mark_junk, may_undo_junk};
use crate::rules::{
    may_add_note, may_pass_up, may_send_message, may_solve, may_take, may_upgrade, Context,
};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Actions {
    pub solve: bool,
    pub pass_up: bool,
    pub take: bool,
    pub upgrade: bool,
    pub send_message: bool,
    pub add_note: bool,
    /// Supply or correct a checklist fact.
    pub supply_fact: bool,
    /// "Not a customer case".
    pub mark_junk: bool,
    pub undo_junk: bool,
}

pub fn available_actions(case: &Case, actor: Actor, ctx: Context<'_>) -> Actions {
    Actions {
        solve: may_solve(case, actor).is_ok(),
        pass_up: may_pass_up(case, actor, ctx).is_ok(),
        take: may_take(case, actor, ctx).is_ok(),
        upgrade: may_upgrade(case, actor, ctx).is_ok(),
        send_message: may_send_message(case, actor, ctx).is_ok(),
        add_note: may_add_note(actor, ctx).is_ok(),
        supply_fact: may_send_message(case, actor, ctx).is_ok()
            && !ctx.category.checklist.is_empty(),
        mark_junk: may_mark_junk(case, actor, ctx).is_ok(),
        undo_junk: may_undo_junk(case, actor, ctx).is_ok(),
    }
}
