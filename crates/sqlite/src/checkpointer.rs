//! Copies the WAL back into the database file in the background, so the writer thread
//! only ever appends to the WAL. A passive checkpoint never blocks the writer or readers.

use rusqlite::Connection;
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

const EVERY: Duration = Duration::from_millis(250);

pub struct Checkpointer {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    pub fn start(conn: Connection) -> Checkpointer {
        let (stop, stopped) = channel::<()>();
        let thread = std::thread::Builder::new()
            .name("roadone-sqlite-checkpoint".into())
            .spawn(move || loop {
                let last = matches!(stopped.recv_timeout(EVERY), Ok(()) | Err(RecvTimeoutError::Disconnected));
                let mode = if last { "TRUNCATE" } else { "PASSIVE" };
                if let Err(e) = conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |_| Ok(())) {
                    tracing::warn!("WAL checkpoint failed: {e}");
                }
                if last {
                    break;
                }
            })
            .expect("spawn the SQLite checkpoint thread");
        Checkpointer { stop: Some(stop), thread: Some(thread) }
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
