//! Outgoing mail: notifications from the outbox, rendered from editable templates and
//! delivered over SMTP with retries. Every message can be replied to, and the reply
//! address names its case with a signed token.

pub mod case_link;
pub mod compose;
pub mod direct;
pub mod html;
pub mod inbound;
pub mod inbound_limits;
pub mod incoming;
pub mod junk_check;
pub mod password_link;
pub mod quotes;
pub mod relay;
pub mod reply_address;
pub mod sender;
pub mod sign_in;
pub mod smtp_listener;
pub mod templates;
pub mod test_message;

pub use sender::{DeliveryReport, MailSender};
