//! The portal's pages as typed templates, each in the reader's language (`t`) and each
//! knowing its own address (`back`, where the language chooser returns to).

use crate::languages::Words;

#[derive(askama::Template)]
#[template(path = "web/portal_sign_in.html")]
pub struct SignInPage {
    pub t: Words,
    pub back: String,
    pub email: String,
    pub error: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "web/portal_link_sent.html")]
pub struct LinkSentPage {
    pub t: Words,
    pub back: String,
    pub email: String,
    pub minutes: i64,
}

#[derive(askama::Template)]
#[template(path = "web/portal_confirm.html")]
pub struct ConfirmPage {
    pub t: Words,
    pub back: String,
    pub action: String,
}

/// A case in the customer's list.
pub struct CaseLine {
    pub href: String,
    pub reference: String,
    pub subject: String,
    pub solved: bool,
    pub closed: bool,
    pub promised_by: String,
    pub updated_at: String,
}

#[derive(askama::Template)]
#[template(path = "web/portal_cases.html")]
pub struct CasesPage {
    pub t: Words,
    pub back: String,
    /// "Name (email)", or the email alone.
    pub who: String,
    pub cases: Vec<CaseLine>,
    pub csrf: String,
}

/// A file sent with a message.
pub struct FileLink {
    pub name: String,
    pub size: String,
    pub href: String,
}

/// A message the customer can see: ours or theirs.
pub struct Message {
    pub ours: bool,
    pub at: String,
    pub body: String,
    pub files: Vec<FileLink>,
}

#[derive(askama::Template)]
#[template(path = "web/portal_case.html")]
pub struct CasePage {
    pub t: Words,
    pub back: String,
    pub reference: String,
    pub subject: String,
    pub solved: bool,
    /// Ended without an answer (marked not a customer case): a reply opens it again.
    pub closed: bool,
    pub opened_at: String,
    pub promised_by: String,
    pub solved_at: String,
    pub messages: Vec<Message>,
    pub can_rate: bool,
    pub rating: Option<u8>,
    pub welcome: bool,
    pub mailed: bool,
    pub problem: Option<String>,
    pub reply_action: String,
    pub rating_action: String,
    /// Empty on a page opened by the case's link (the link is the proof).
    pub csrf: String,
    pub signed_in: bool,
}
