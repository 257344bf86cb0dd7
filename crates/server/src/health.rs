//! Health that tells the truth. `/healthz`: the process answers. `/readyz`: every part
//! runs, the store took a write within the last few seconds (the heartbeat), no
//! notification is stuck, and the disk has room. The heartbeat also hands the claims of
//! servers that stopped beating to whoever is alive.

use crate::app::AppState;
use serde::Serialize;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use utoipa::ToSchema;

/// How often this instance says it is alive.
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(2);
/// An instance silent this long is taken for dead and its claims released.
pub const STALE_AFTER: Duration = Duration::from_secs(15);

/// When the last heartbeat write succeeded (Unix milliseconds; 0: never).
#[derive(Debug, Default)]
pub struct Heartbeat(AtomicI64);

impl Heartbeat {
    pub fn beat(&self, at: chrono::DateTime<chrono::Utc>) {
        self.0.store(at.timestamp_millis(), Ordering::Relaxed);
    }

    fn last(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        match self.0.load(Ordering::Relaxed) {
            0 => None,
            ms => chrono::DateTime::from_timestamp_millis(ms),
        }
    }
}

/// Free space for files under `path`, if the system says.
pub fn disk_free(path: &std::path::Path) -> Option<u64> {
    fs4::available_space(path).ok()
}

/// Says (and counts) what was taken over from servers that stopped.
pub fn took_over(state: &AppState, released: roadone_store::Released) {
    if released.instances > 0 {
        tracing::warn!(
            "took over from {} stopped server(s): {} timer(s) and {} notification(s) released",
            released.instances,
            released.timers,
            released.outbox
        );
    }
    state.metrics.released(released);
}

/// Beats forever (supervised): each beat is a write, so a store that cannot write shows
/// in `/readyz` within seconds; claims of instances that stopped beating are released.
pub async fn beat_forever(state: AppState) {
    let stale = chrono::Duration::from_std(STALE_AFTER).unwrap_or(chrono::Duration::MAX);
    loop {
        state.faults.check("heartbeat");
        let now = state.clock.now();
        match state.store.heartbeat(&state.instance.id, now, stale).await {
            Ok(released) => {
                state.heartbeat.beat(now);
                took_over(&state, released);
            }
            Err(e) => tracing::warn!("heartbeat write failed: {e}"),
        }
        tokio::time::sleep(HEARTBEAT_EVERY).await;
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Readiness {
    pub ready: bool,
    pub checks: Vec<Check>,
}

fn check(name: &str, ok: bool, detail: String) -> Check {
    Check {
        name: name.into(),
        ok,
        detail,
    }
}

/// What the live values of `/metrics` are now.
pub async fn live(state: &AppState) -> crate::metrics::Live {
    let now = state.clock.now();
    let backlog = state.store.backlog(now).await.unwrap_or_default();
    crate::metrics::Live {
        store: state.store.health(),
        oldest_pending_seconds: backlog
            .oldest_pending
            .map_or(0.0, |t| (now - t).num_milliseconds().max(0) as f64 / 1000.0),
        backlog,
        disk_free_bytes: disk_free(&state.config.data_dir),
        components: state
            .components
            .snapshot()
            .into_iter()
            .map(|(name, s)| (name, s.running, s.restarts))
            .collect(),
        log_lines_dropped: crate::logging::dropped_lines(),
    }
}

/// Every readiness check, each with what it found.
pub async fn readiness(state: &AppState) -> Readiness {
    let now = state.clock.now();
    let mut checks = Vec::new();
    for w in state.store.health().workers {
        let detail = format!(
            "{}; restarted {} time(s)",
            if w.alive { "running" } else { "stopped" },
            w.restarts
        );
        checks.push(check(w.name, w.alive, detail));
    }
    for (name, s) in state.components.snapshot() {
        let detail = match (&s.last_failure, s.running) {
            (None, _) => "running".to_string(),
            (Some(why), true) => format!(
                "running; restarted {} time(s), last because {why}",
                s.restarts
            ),
            (Some(why), false) => format!("restarting: {why}"),
        };
        checks.push(check(name, s.running, detail));
    }
    let fresh = STALE_AFTER.as_millis() as i64 / 2;
    let writable = match state.heartbeat.last() {
        Some(at) if (now - at).num_milliseconds() <= fresh => check(
            "store_writable",
            true,
            format!("last write at {}", at.to_rfc3339()),
        ),
        Some(at) => check(
            "store_writable",
            false,
            format!("no write has succeeded since {}", at.to_rfc3339()),
        ),
        None => check("store_writable", false, "no write has succeeded yet".into()),
    };
    checks.push(writable);
    match state.store.backlog(now).await {
        Ok(backlog) => {
            let limit = chrono::Duration::from_std(state.config.outbox_stuck_after)
                .unwrap_or(chrono::Duration::MAX);
            let stuck = backlog.oldest_pending.filter(|t| now - *t > limit);
            checks.push(match stuck {
                Some(t) => check(
                    "outbox",
                    false,
                    format!(
                        "{} notification(s) waiting; the oldest since {} (is the mail relay down?)",
                        backlog.outbox_pending,
                        t.to_rfc3339()
                    ),
                ),
                None => check(
                    "outbox",
                    true,
                    format!("{} notification(s) waiting", backlog.outbox_pending),
                ),
            });
        }
        Err(e) => checks.push(check("outbox", false, format!("cannot be read: {e}"))),
    }
    let floor = state.config.disk_free_floor;
    checks.push(match disk_free(&state.config.data_dir) {
        Some(free) => check(
            "disk",
            free >= floor,
            format!("{} MB free (the floor is {} MB)", free >> 20, floor >> 20),
        ),
        None => check("disk", false, "free space cannot be read".into()),
    });
    Readiness {
        ready: checks.iter().all(|c| c.ok),
        checks,
    }
}
