//! The SMTP listener (`--smtp-listen`): takes mail for our domain and hands each message
//! to the same intake as `POST /api/v1/inbound/email`. The SMTP conversation is mailin's
//! state machine; this file is only its I/O. A message is acknowledged with 250 only once
//! the intake has stored it; if the store is unavailable the sender hears 451 and retries,
//! so mail is never lost silently.

use crate::app::AppState;
use crate::error::AppError;
use crate::mail::inbound;
use mailin::{Action, Handler, Response, SessionBuilder};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// Largest message accepted, as for the HTTP intake.
pub const MAX_MESSAGE_BYTES: usize = crate::http::api::inbound::MAX_MESSAGE_BYTES;
/// A client silent for this long is disconnected.
const IDLE: Duration = Duration::from_secs(300);

/// A finished message waiting for the intake (and whether its envelope sender was
/// empty), shared between handler and connection.
type Finished = Arc<Mutex<Option<(Vec<u8>, bool)>>>;

/// The longest command line taken (RFC 5321 asks for 512; some clients send more).
const MAX_COMMAND_LINE: usize = 4096;
/// The longest address in `RCPT TO` (RFC 5321: 256 with the brackets).
const MAX_ADDRESS: usize = 256;
/// What the parser is given for `MAIL FROM:<>`, which it cannot read itself; it contains
/// no `@`, so it can never be taken for somebody's address.
const NULL_SENDER: &str = "null-sender";

struct Session {
    domain: String,
    data: Vec<u8>,
    too_big: bool,
    finished: Finished,
    null_sender: bool,
    recipients: usize,
    max_recipients: usize,
}

/// `MAIL FROM:<>` (the null sender of bounces, RFC 5321 4.5.5), spelled so that the
/// parser takes it.
fn with_null_sender_named(line: &[u8]) -> Option<Vec<u8>> {
    let prefix = b"mail from:<>";
    if line.len() >= prefix.len() && line[..prefix.len()].eq_ignore_ascii_case(prefix) {
        let mut named = b"MAIL FROM:<".to_vec();
        named.extend_from_slice(NULL_SENDER.as_bytes());
        named.push(b'>');
        named.extend_from_slice(&line[prefix.len()..]);
        Some(named)
    } else {
        None
    }
}

impl Handler for Session {
    fn mail(&mut self, _ip: IpAddr, _domain: &str, from: &str) -> Response {
        self.null_sender = from == NULL_SENDER;
        self.recipients = 0;
        mailin::response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        if to.len() > MAX_ADDRESS {
            return Response::custom(
                501,
                format!("5.1.3 an address may be at most {MAX_ADDRESS} characters"),
            );
        }
        if self.recipients >= self.max_recipients {
            return Response::custom(
                452,
                format!(
                    "4.5.3 at most {} recipients per message",
                    self.max_recipients
                ),
            );
        }
        let domain = to
            .trim_matches(['<', '>'])
            .rsplit_once('@')
            .map(|(_, d)| d.to_ascii_lowercase());
        if domain.as_deref() == Some(self.domain.as_str()) {
            self.recipients += 1;
            mailin::response::OK
        } else {
            Response::custom(550, format!("5.7.1 we only take mail for {}", self.domain))
        }
    }

    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        _to: &[String],
    ) -> Response {
        self.data.clear();
        self.too_big = false;
        mailin::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if self.data.len() + buf.len() > MAX_MESSAGE_BYTES {
            self.too_big = true;
        } else {
            self.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if self.too_big {
            self.data.clear();
            return Response::custom(
                552,
                format!("5.3.4 a message may be at most {MAX_MESSAGE_BYTES} bytes"),
            );
        }
        *self.finished.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((std::mem::take(&mut self.data), self.null_sender));
        mailin::response::OK
    }
}

/// Accepts connections until the task is dropped. At most `smtp_max_connections`
/// sessions run at once; a client beyond that hears 421 and comes back later, so idle
/// sessions cannot use up the descriptors HTTP needs too.
pub async fn serve(state: AppState, listener: Arc<TcpListener>) {
    let slots = Arc::new(tokio::sync::Semaphore::new(
        state.config.smtp_max_connections,
    ));
    loop {
        let accepted = listener.accept().await;
        state.faults.check("smtp_listener");
        match accepted {
            Ok((mut stream, peer)) => {
                let state = state.clone();
                let Ok(slot) = slots.clone().try_acquire_owned() else {
                    tracing::warn!(%peer, "SMTP: too many sessions at once; this one is told to retry");
                    tokio::spawn(async move {
                        let busy =
                            Response::custom(421, "4.3.2 too busy, please try again later".into());
                        let _ = send(&mut stream, &busy).await;
                    });
                    continue;
                };
                let limit = state.config.smtp_session_timeout;
                tokio::spawn(async move {
                    let _slot = slot;
                    match tokio::time::timeout(limit, converse(state, stream, peer.ip())).await {
                        Ok(Err(e)) => tracing::debug!(%peer, "SMTP session ended: {e}"),
                        Err(_) => tracing::info!(%peer, "SMTP session ended: it lasted too long"),
                        Ok(Ok(())) => {}
                    }
                });
            }
            Err(e) => {
                tracing::warn!("SMTP accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

async fn send(out: &mut (impl AsyncWriteExt + Unpin), response: &Response) -> std::io::Result<()> {
    out.write_all(&response.buffer()?).await
}

/// What the sender hears once the intake has dealt with the message.
fn verdict(result: Result<inbound::InboundResult, AppError>) -> Response {
    match result {
        Ok(r) => Response::custom(
            250,
            format!(
                "2.0.0 {} {}",
                r.outcome,
                r.case_id.map(|c| c.to_string()).unwrap_or_default()
            ),
        ),
        Err(AppError::Invalid { message, .. }) | Err(AppError::BadRequest { message, .. }) => {
            Response::custom(550, format!("5.6.0 {}", message.replace(['\r', '\n'], " ")))
        }
        Err(AppError::TooLarge(m)) => Response::custom(552, format!("5.3.4 {m}")),
        Err(e) => {
            tracing::error!("inbound mail not taken in, the sender will retry: {e}");
            Response::custom(
                451,
                "4.3.0 temporary failure, please try again later".into(),
            )
        }
    }
}

async fn converse(state: AppState, stream: TcpStream, ip: IpAddr) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::with_capacity(64 * 1024, read);
    let domain = state
        .directory
        .snapshot()
        .settings
        .mail_from
        .rsplit_once('@')
        .map(|(_, d)| d.to_ascii_lowercase())
        .unwrap_or_default();
    let finished: Finished = Arc::default();
    let handler = Session {
        domain: domain.clone(),
        data: Vec::new(),
        too_big: false,
        finished: finished.clone(),
        null_sender: false,
        recipients: 0,
        max_recipients: state.config.smtp_max_recipients,
    };
    let mut session = SessionBuilder::new(domain).build(ip, handler);
    send(&mut write, &session.greeting()).await?;
    let mut line = Vec::with_capacity(1024);
    // Inside DATA a line may be as long as a message; a command line may not.
    let mut in_data = false;
    loop {
        line.clear();
        let limit = if in_data {
            MAX_MESSAGE_BYTES + 1024
        } else {
            MAX_COMMAND_LINE
        };
        // A line already in the buffer needs no waiting, so no idle timer: that is most
        // lines of a message body, and arming a timer per line was a measurable cost.
        let buffered = reader.buffer().contains(&b'\n');
        let mut limited = (&mut reader).take(limit as u64);
        let next = limited.read_until(b'\n', &mut line);
        let n = if buffered {
            next.await?
        } else {
            tokio::time::timeout(IDLE, next)
                .await
                .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "idle"))??
        };
        if n == 0 {
            return Ok(());
        }
        if !in_data && n >= limit && !line.ends_with(b"\n") {
            let too_long = Response::custom(
                500,
                format!("5.5.2 a command line may be at most {MAX_COMMAND_LINE} bytes"),
            );
            send(&mut write, &too_long).await?;
            return Ok(());
        }
        let named = if in_data {
            None
        } else {
            with_null_sender_named(&line)
        };
        let mut response = session.process(named.as_deref().unwrap_or(&line));
        in_data = response.code == 354 || (in_data && response.action == Action::NoReply);
        let message = finished.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some((message, null_sender)) = message {
            in_data = false;
            let envelope = inbound::Envelope { null_sender };
            response = verdict(inbound::receive_with(&state, &message, envelope).await);
        }
        match response.action {
            Action::NoReply => {}
            Action::Close => {
                send(&mut write, &response).await?;
                return Ok(());
            }
            _ => send(&mut write, &response).await?,
        }
    }
}
