//! Copies the WAL back into the database file in the background, so the writer thread
//! only ever appends to the WAL. A passive checkpoint never blocks the writer or readers.

use rusqlite::Connection;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

const EVERY: Duration = Duration::from_millis(250);
/// About 64 MB of WAL (4 KiB pages).
const RESTART_AFTER_FRAMES: i64 = 16_384;

/// Runs a checkpoint; returns the number of frames in the WAL.
fn checkpoint(conn: &Connection, mode: &str) -> rusqlite::Result<i64> {
    conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |row| {
        row.get::<_, i64>(1)
    })
}

pub struct Checkpointer {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
    restarts: Arc<AtomicU64>,
}

impl Checkpointer {
    pub fn start(conn: Connection) -> Checkpointer {
        let (stop, stopped) = channel::<()>();
        let restarts = Arc::new(AtomicU64::new(0));
        let counted = restarts.clone();
        let thread = std::thread::Builder::new()
            .name("roadone-sqlite-checkpoint".into())
            .spawn(move || loop {
                let last = matches!(
                    stopped.recv_timeout(EVERY),
                    Ok(()) | Err(RecvTimeoutError::Disconnected)
                );
                // A checkpoint that panics is only a checkpoint missed: the next one
                // copies the same frames. Count it and go on.
                if let Err(panic) = catch_unwind(AssertUnwindSafe(|| run_once(&conn, last))) {
                    counted.fetch_add(1, Ordering::Relaxed);
                    tracing::error!(
                        "a WAL checkpoint panicked ({}); going on",
                        crate::writer::panic_message(panic.as_ref())
                    );
                }
                if last {
                    break;
                }
            })
            .expect("spawn the SQLite checkpoint thread");
        Checkpointer {
            stop: Some(stop),
            thread: Some(thread),
            restarts,
        }
    }

    /// Panics caught so far, and whether the thread still runs.
    pub fn health(&self) -> (u64, bool) {
        (
            self.restarts.load(Ordering::Relaxed),
            self.thread.as_ref().is_some_and(|t| !t.is_finished()),
        )
    }
}

fn run_once(conn: &Connection, last: bool) {
    let mode = if last { "TRUNCATE" } else { "PASSIVE" };
    match checkpoint(conn, mode) {
        // Under constant writes a passive checkpoint never catches up with the writer,
        // so the WAL would only grow: past the limit, make the writer wait a moment and
        // start the WAL over.
        Ok(frames) if !last && frames > RESTART_AFTER_FRAMES => {
            if let Err(e) = checkpoint(conn, "RESTART") {
                tracing::warn!("WAL restart checkpoint failed: {e}");
            }
        }
        Ok(_) => {}
        Err(e) => tracing::warn!("WAL checkpoint failed: {e}"),
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
