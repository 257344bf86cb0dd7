//! Long-lived tasks are supervised: when one panics or returns, that is logged, counted
//! and the task started again after a short pause, so the server never goes on
//! answering while a part of it has silently stopped. What each task is doing is kept
//! in [`Components`], which `/readyz` and `/metrics` read.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The supervised parts of this server, by name.
#[derive(Debug, Default)]
pub struct Components {
    parts: Mutex<BTreeMap<&'static str, ComponentState>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentState {
    /// Running now (false between a failure and its restart).
    pub running: bool,
    pub restarts: u64,
    /// Why it last stopped, if it ever did.
    pub last_failure: Option<String>,
    /// When it was last (re)started.
    pub since: Instant,
}

impl Components {
    fn update(&self, name: &'static str, f: impl FnOnce(&mut ComponentState)) {
        let mut parts = self.parts.lock().unwrap_or_else(|p| p.into_inner());
        let state = parts.entry(name).or_insert_with(|| ComponentState {
            running: false,
            restarts: 0,
            last_failure: None,
            since: Instant::now(),
        });
        f(state);
    }

    fn started(&self, name: &'static str) {
        self.update(name, |s| {
            s.running = true;
            s.since = Instant::now();
        });
    }

    fn stopped(&self, name: &'static str, why: String) {
        self.update(name, |s| {
            s.running = false;
            s.restarts += 1;
            s.last_failure = Some(why);
        });
    }

    /// Every component with its state, by name.
    pub fn snapshot(&self) -> Vec<(&'static str, ComponentState)> {
        let parts = self.parts.lock().unwrap_or_else(|p| p.into_inner());
        parts.iter().map(|(k, v)| (*k, v.clone())).collect()
    }
}

/// Aborts the task it holds when dropped: a supervisor that is stopped stops its task.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Pause before restart `n` (1, 2, 4 … seconds, at most 30): a task that fails at once
/// every time must not spin.
fn pause(restarts: u64) -> Duration {
    Duration::from_secs(1u64 << restarts.saturating_sub(1).min(5)).min(Duration::from_secs(30))
}

/// Runs `make()` as `name` for as long as the returned task is not aborted: whenever the
/// future panics or returns, it is logged and counted and a new one is made.
pub fn supervise<F, Fut>(
    components: std::sync::Arc<Components>,
    name: &'static str,
    make: F,
) -> tokio::task::JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        let mut restarts = 0u64;
        loop {
            components.started(name);
            let mut task = AbortOnDrop(tokio::spawn(make()));
            let started = Instant::now();
            let why = match (&mut task.0).await {
                Ok(()) => "it stopped".to_string(),
                Err(e) if e.is_panic() => {
                    format!("it panicked: {}", panic_text(e.into_panic().as_ref()))
                }
                // Aborted from outside: the server is shutting down.
                Err(_) => return,
            };
            // A task that ran for a good while before failing starts again at once.
            if started.elapsed() > Duration::from_secs(60) {
                restarts = 0;
            }
            restarts += 1;
            components.stopped(name, why.clone());
            tracing::error!("{name} failed ({why}); starting it again");
            tokio::time::sleep(pause(restarts)).await;
        }
    })
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    #[tokio::test(start_paused = true)]
    async fn a_task_that_panics_is_counted_and_started_again() {
        let components = Arc::new(Components::default());
        let runs = Arc::new(AtomicU32::new(0));
        let counted = runs.clone();
        let supervisor = supervise(components.clone(), "flaky", move || {
            let runs = counted.clone();
            async move {
                if runs.fetch_add(1, Ordering::SeqCst) < 2 {
                    panic!("a bug");
                }
                std::future::pending::<()>().await
            }
        });
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert_eq!(
            runs.load(Ordering::SeqCst),
            3,
            "two panics, then a third run"
        );
        let (name, state) = components.snapshot().remove(0);
        assert_eq!(name, "flaky");
        assert!(state.running);
        assert_eq!(state.restarts, 2);
        assert_eq!(state.last_failure.as_deref(), Some("it panicked: a bug"));
        supervisor.abort();
    }

    #[test]
    fn restarts_back_off_up_to_half_a_minute() {
        assert_eq!(pause(1), Duration::from_secs(1));
        assert_eq!(pause(3), Duration::from_secs(4));
        assert_eq!(pause(50), Duration::from_secs(30));
    }
}
