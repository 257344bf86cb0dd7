//! The connection to the mail relay, built from its URL.

use crate::mail::sender::parse_relay;
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use std::time::Duration;

/// A transport to the relay at `url` (`smtp://host:port`).
pub fn transport(
    url: &str,
    timeout: Duration,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let (host, port) = parse_relay(url)?;
    Ok(
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .timeout(Some(timeout))
            .build(),
    )
}
