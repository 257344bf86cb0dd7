//! The staff pages, live (server-sent events, read by `/static/live.js`; every page works
//! the same without them). `/staff/live/cases/{id}` follows one case: `changed` with its
//! version whenever it is written, whoever wrote it, and `viewers` with the names of the
//! other staff who have it open. `/staff/live/cases` sends `opened` for each new case,
//! for the lists (and `newest` first, where a page connecting again asks from). A comment every 15 s keeps proxies from closing an idle stream.
//!
//! This server's writes arrive at once (`live::Live`); another server's on the same
//! store within `POLL_EVERY`, as a stream reads the store while it has heard nothing.

use crate::app::AppState;
use crate::error::AppError;
use crate::http::extract::case_in_path;
use crate::live::{Signal, Watching};
use crate::web::pages::WebResult;
use crate::web::staff::session::MaybeSignedIn;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderName};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use roadone_domain::{CaseId, PersonId};
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, mpsc};
use tokio::time::Instant;

/// A comment this often, whatever else is sent.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How long a stream waits, having heard nothing, before it reads the store itself.
pub const POLL_EVERY: Duration = Duration::from_secs(2);
/// What a browser waits before it connects again after losing a stream (milliseconds).
const RETRY_MS: u32 = 3000;

const SCRIPT: &str = include_str!("../../../templates/web/live.js");

/// The one script, cacheable like the stylesheet.
pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        SCRIPT,
    )
        .into_response()
}

/// Where the page says it is: the version it shows (`?since=`), or the last event's id
/// the browser sends when it connects again.
#[derive(serde::Deserialize, Default)]
pub struct Since {
    since: Option<String>,
}

fn since(headers: &HeaderMap, query: &Since) -> Option<i64> {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .or_else(|| query.since.as_deref().and_then(|s| s.trim().parse().ok()))
        .filter(|n: &i64| *n >= 0)
}

fn unauthorized() -> AppError {
    AppError::Unauthorized("sign in to follow the cases live".into())
}

/// `GET /staff/live/cases/{id}`: one case, as it changes and who else has it open.
pub async fn case(
    State(state): State<AppState>,
    MaybeSignedIn(me): MaybeSignedIn,
    Path(id): Path<String>,
    Query(query): Query<Since>,
    headers: HeaderMap,
) -> WebResult<Response> {
    let me = me.ok_or_else(unauthorized)?;
    // Listening before reading: nothing written in between is missed.
    let signals = state.live().subscribe();
    let (stored, _) = case_in_path(&state, &id).await?;
    let head = stored.head;
    let now = head.version;
    // A page cannot have seen a version the store does not have yet.
    let shown = since(&headers, &query).map_or(now, |v| (v.min(i64::from(now))) as u32);
    let follow = CaseFollow {
        case: head.id,
        me: me.person.id,
        shown,
        viewers: None,
        signals,
        _watching: state.live().watch(head.id, me.person.id, &me.person.name),
    };
    let (frames, body) = mpsc::channel(16);
    tokio::spawn(follow.run(state, frames));
    Ok(event_stream(body))
}

/// `GET /staff/live/cases`: every case opened from now on.
pub async fn cases(
    State(state): State<AppState>,
    MaybeSignedIn(me): MaybeSignedIn,
    Query(query): Query<Since>,
    headers: HeaderMap,
) -> WebResult<Response> {
    me.ok_or_else(unauthorized)?;
    let signals = state.live().subscribe();
    let newest = match since(&headers, &query) {
        Some(id) => id,
        None => state.newest_case().await?.unwrap_or(0),
    };
    let follow = ListFollow { newest, signals };
    let (frames, body) = mpsc::channel(16);
    tokio::spawn(follow.run(state, frames));
    Ok(event_stream(body))
}

/// The response whose body is what the follower sends, until it stops.
fn event_stream(frames: mpsc::Receiver<Bytes>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-store"),
            // A proxy in front (nginx) passes each event on instead of buffering them.
            (HeaderName::from_static("x-accel-buffering"), "no"),
        ],
        Body::new(Frames(frames)),
    )
        .into_response()
}

/// The body of an event stream: the frames a follower sends, as it sends them. Dropped
/// when the client goes, which the follower sees (`Sender::closed`) and stops.
struct Frames(mpsc::Receiver<Bytes>);

impl http_body::Body for Frames {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        self.0
            .poll_recv(cx)
            .map(|frame| frame.map(|bytes| Ok(http_body::Frame::data(bytes))))
    }
}

/// One event, in the text/event-stream format (`data` is a single line of JSON).
fn event(out: &mut String, name: &str, id: Option<i64>, data: &str) {
    out.push_str("event: ");
    out.push_str(name);
    out.push('\n');
    if let Some(id) = id {
        out.push_str(&format!("id: {id}\n"));
    }
    out.push_str("data: ");
    out.push_str(data);
    out.push_str("\n\n");
}

/// What one turn of a follower heard.
enum Heard {
    Signal(Result<Signal, RecvError>),
    Poll,
    KeepAlive,
    Stop,
}

/// Waits for the next thing a follower must act on: an announcement, its poll, its
/// keep-alive, or the end (the client went, or the server stops).
async fn next(
    signals: &mut broadcast::Receiver<Signal>,
    poll: &mut Pin<&mut tokio::time::Sleep>,
    keep_alive: &mut tokio::time::Interval,
    closing: &mut tokio::sync::watch::Receiver<bool>,
    frames: &mpsc::Sender<Bytes>,
) -> Heard {
    tokio::select! {
        () = frames.closed() => Heard::Stop,
        stopping = closing.wait_for(|c| *c) => {
            let _ = stopping.is_ok();
            Heard::Stop
        }
        signal = signals.recv() => Heard::Signal(signal),
        () = poll.as_mut() => Heard::Poll,
        _ = keep_alive.tick() => Heard::KeepAlive,
    }
}

/// Sends what a turn made, if anything; `false` when the client is gone.
async fn send(frames: &mpsc::Sender<Bytes>, out: String) -> bool {
    out.is_empty() || frames.send(Bytes::from(out)).await.is_ok()
}

fn keep_alive_timer() -> tokio::time::Interval {
    let mut timer = tokio::time::interval_at(Instant::now() + KEEP_ALIVE, KEEP_ALIVE);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    timer
}

/// A stream following one case for one person.
struct CaseFollow {
    case: CaseId,
    me: PersonId,
    /// The version the page shows (or was last told).
    shown: u32,
    /// The other viewers the page was last told of.
    viewers: Option<Vec<String>>,
    signals: broadcast::Receiver<Signal>,
    /// Counted among the case's viewers while this lives.
    _watching: Watching,
}

impl CaseFollow {
    async fn run(mut self, state: AppState, frames: mpsc::Sender<Bytes>) {
        let mut closing = state.live().closing();
        let mut keep_alive = keep_alive_timer();
        let poll = tokio::time::sleep(POLL_EVERY);
        tokio::pin!(poll);
        // What changed since the page was made, and who is here already.
        let mut out = format!("retry: {RETRY_MS}\n\n");
        self.check_version(&state, &mut out).await;
        self.tell_viewers(&state, &mut out);
        loop {
            if !send(&frames, std::mem::take(&mut out)).await {
                return;
            }
            let heard = next(
                &mut self.signals,
                &mut poll,
                &mut keep_alive,
                &mut closing,
                &frames,
            )
            .await;
            match heard {
                Heard::Stop | Heard::Signal(Err(RecvError::Closed)) => return,
                Heard::KeepAlive => out.push_str(": keep-alive\n\n"),
                Heard::Poll => {
                    self.check_version(&state, &mut out).await;
                    poll.as_mut().reset(Instant::now() + POLL_EVERY);
                }
                Heard::Signal(Ok(Signal::Changed { case, version })) if case == self.case => {
                    self.tell_version(version, &mut out);
                    poll.as_mut().reset(Instant::now() + POLL_EVERY);
                }
                Heard::Signal(Ok(Signal::Viewers { case })) if case == self.case => {
                    self.tell_viewers(&state, &mut out);
                }
                Heard::Signal(Ok(_)) => {}
                // Fell behind the announcements: read what they would have said.
                Heard::Signal(Err(RecvError::Lagged(_))) => {
                    self.check_version(&state, &mut out).await;
                    self.tell_viewers(&state, &mut out);
                }
            }
        }
    }

    /// Reads the case's version from the store (another server may have written it).
    async fn check_version(&mut self, state: &AppState, out: &mut String) {
        match state.case_version(self.case).await {
            Ok(Some(version)) => self.tell_version(version, out),
            Ok(None) => {}
            Err(e) => tracing::debug!("live: cannot read case {}: {e}", self.case),
        }
    }

    fn tell_version(&mut self, version: u32, out: &mut String) {
        if version > self.shown {
            self.shown = version;
            let version = i64::from(version);
            event(out, "changed", Some(version), &version.to_string());
        }
    }

    fn tell_viewers(&mut self, state: &AppState, out: &mut String) {
        let others = state.live().others(self.case, self.me);
        if self.viewers.as_ref() != Some(&others) {
            let names = serde_json::to_string(&others).unwrap_or_else(|_| "[]".into());
            event(out, "viewers", None, &names);
            self.viewers = Some(others);
        }
    }
}

/// A stream following the cases opened, for a list.
struct ListFollow {
    /// The newest case the page was told of (or was made with).
    newest: CaseId,
    signals: broadcast::Receiver<Signal>,
}

impl ListFollow {
    async fn run(mut self, state: AppState, frames: mpsc::Sender<Bytes>) {
        let mut closing = state.live().closing();
        let mut keep_alive = keep_alive_timer();
        let poll = tokio::time::sleep(POLL_EVERY);
        tokio::pin!(poll);
        // The newest case now, so that a page connecting again later asks from there.
        let mut out = format!("retry: {RETRY_MS}\n\n");
        event(&mut out, "newest", None, &self.newest.to_string());
        self.check_newest(&state, &mut out).await;
        loop {
            if !send(&frames, std::mem::take(&mut out)).await {
                return;
            }
            let heard = next(
                &mut self.signals,
                &mut poll,
                &mut keep_alive,
                &mut closing,
                &frames,
            )
            .await;
            match heard {
                Heard::Stop | Heard::Signal(Err(RecvError::Closed)) => return,
                Heard::KeepAlive => out.push_str(": keep-alive\n\n"),
                Heard::Signal(Ok(Signal::Opened { case })) => {
                    self.tell(case, &mut out);
                    poll.as_mut().reset(Instant::now() + POLL_EVERY);
                }
                Heard::Signal(Ok(_)) => {}
                Heard::Poll | Heard::Signal(Err(RecvError::Lagged(_))) => {
                    self.check_newest(&state, &mut out).await;
                    poll.as_mut().reset(Instant::now() + POLL_EVERY);
                }
            }
        }
    }

    async fn check_newest(&mut self, state: &AppState, out: &mut String) {
        match state.newest_case().await {
            Ok(Some(case)) => self.tell(case, out),
            Ok(None) => {}
            Err(e) => tracing::debug!("live: cannot read the newest case: {e}"),
        }
    }

    fn tell(&mut self, case: CaseId, out: &mut String) {
        if case > self.newest {
            self.newest = case;
            event(out, "opened", Some(case), &case.to_string());
        }
    }
}
