//! What the case page shows, as typed values the template reads.

use super::Typed;
use crate::web::staff::cases::CaseLink;
use crate::web::staff::session::Me;
use crate::web::staff::PersonChoice;

/// One event of the conversation and trail.
#[derive(Debug)]
pub(super) struct Entry {
    pub at: String,
    pub actor: String,
    pub line: String,
    pub text: Option<String>,
    pub files: Vec<File>,
    pub customer: bool,
    pub note: bool,
}

/// A file an event brought.
#[derive(Debug)]
pub(super) struct File {
    pub name: String,
    pub size: String,
    pub href: String,
}

/// The case's customer; empty where not known.
#[derive(Debug)]
pub(super) struct Customer {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
}

/// A fact as it stands now.
#[derive(Debug)]
pub(super) struct Fact {
    pub label: String,
    pub value: String,
}

/// An item of the category's checklist, for supplying or correcting it.
#[derive(Debug)]
pub(super) struct ChecklistItem {
    pub key: String,
    pub label: String,
    pub missing: bool,
}

/// A canned reply the reply may start from.
#[derive(Debug)]
pub(super) struct Canned {
    pub id: i64,
    pub title: String,
    pub shared: bool,
}

/// A road a solved case may have taken.
#[derive(Debug)]
pub(super) struct RoadChoice {
    pub n: u8,
    pub label: &'static str,
    pub line: &'static str,
}

/// The junk mark in force: who, when and why.
#[derive(Debug)]
pub(super) struct Junk {
    pub by: String,
    pub at: String,
    pub reason: String,
}

#[derive(askama::Template)]
#[template(path = "web/staff/case.html")]
pub(super) struct CasePage {
    pub me: Me,
    pub csrf: String,
    pub id: i64,
    /// The case's version as shown (its last event's number): the live script follows
    /// from it.
    pub version: u32,
    pub reference: String,
    pub subject: String,
    pub open: bool,
    pub junk: Option<Junk>,
    pub owner: String,
    pub mine: bool,
    pub category: String,
    pub left: String,
    pub overdue: bool,
    pub escalates_at: String,
    pub promised_by: String,
    pub escalated: bool,
    pub customer: Customer,
    pub earlier: Vec<CaseLink>,
    /// The calls the case was about (see `AppState::case_calls`).
    pub calls: Vec<crate::web::staff::call_rows::CallRow>,
    pub customer_now: Option<String>,
    pub facts: Vec<Fact>,
    pub missing: Vec<String>,
    pub checklist: Vec<ChecklistItem>,
    pub can_supply_fact: bool,
    /// The reason realtime help was offered at intake (empty if none was given).
    pub realtime: Option<String>,
    pub upgrade_to: Option<String>,
    pub escalated_ago: Option<String>,
    pub timeline: Vec<Entry>,
    pub can_solve: bool,
    pub can_pass_up: bool,
    pub can_take: bool,
    pub can_upgrade: bool,
    pub can_reply: bool,
    pub can_note: bool,
    pub can_mark_junk: bool,
    pub can_undo_junk: bool,
    pub above: Vec<PersonChoice>,
    pub roads: Vec<RoadChoice>,
    pub typed: Typed,
    pub canned: Vec<Canned>,
    pub previous_case: Option<String>,
    pub next_case: Option<String>,
    pub problem: Option<String>,
    pub notice: Option<String>,
}
