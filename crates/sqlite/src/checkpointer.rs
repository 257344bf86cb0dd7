//! Copies the WAL back into the database file in the background, so the writer thread
//! only ever appends to the WAL. A passive checkpoint never blocks the writer or readers.
//!
//! Under constant writes the WAL never starts over by itself, so past a size it must be
//! restarted, and a RESTART checkpoint holds the writer for as long as it copies. Copying
//! 17,000 frames that way held every write for up to 660 ms, about once a second. So
//! passive checkpoints first copy everything while the writer goes on, and the RESTART
//! only comes once they have caught up, with a handful of frames left to copy.

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

/// A RESTART waits until at most this many frames are left uncopied.
const CAUGHT_UP_FRAMES: i64 = 256;
/// Passive rounds tried back to back to catch up before waiting for the next tick.
const CATCH_UP_ROUNDS: usize = 20;

/// Runs a checkpoint; returns the frames in the WAL and how many of them are copied.
fn checkpoint(conn: &Connection, mode: &str) -> rusqlite::Result<(i64, i64)> {
    conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |row| {
        Ok((row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
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
    if last {
        if let Err(e) = checkpoint(conn, "TRUNCATE") {
            tracing::warn!("WAL checkpoint failed: {e}");
        }
        return;
    }
    for _ in 0..CATCH_UP_ROUNDS {
        match checkpoint(conn, "PASSIVE") {
            Ok((frames, _)) if frames <= RESTART_AFTER_FRAMES => return,
            // Nearly all copied: the restart holds the writer only for the rest.
            Ok((frames, copied)) if frames - copied <= CAUGHT_UP_FRAMES => {
                let started = std::time::Instant::now();
                match checkpoint(conn, "RESTART") {
                    Ok(_) => tracing::debug!(
                        frames,
                        "WAL restarted in {:.1} ms",
                        started.elapsed().as_secs_f64() * 1000.0
                    ),
                    Err(e) => tracing::warn!("WAL restart checkpoint failed: {e}"),
                }
                return;
            }
            // Still behind the writer: another passive round at once.
            Ok(_) => {}
            Err(e) => {
                tracing::warn!("WAL checkpoint failed: {e}");
                return;
            }
        }
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
