//! The mail page's test message: proves the relay takes our mail, from the address and
//! name customers will see, to the administrator who asked.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::mail::direct::{self, NotSent};
use roadone_domain::Person;

pub async fn send(state: &AppState, to: &Person) -> AppResult<()> {
    let subject = "Roadone test message".to_string();
    let body = format!(
        "Hello {},\n\nThis message was sent from the Roadone mail settings page at {}.\n\
         If you are reading it, customers get our mail too.\n",
        to.name,
        state.clock.now().format("%Y-%m-%d %H:%M UTC")
    );
    match direct::send(state, Some(&to.name), &to.email, subject, body).await? {
        Ok(()) => Ok(()),
        Err(NotSent::NoRelay) => Err(AppError::Unavailable(
            "no mail relay is configured (set smtp_relay in the config file or --smtp-relay)"
                .into(),
        )),
        Err(NotSent::Relay(e)) => Err(AppError::Unavailable(format!("the relay said: {e}"))),
    }
}
