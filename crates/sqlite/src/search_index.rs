//! The full-text index, in its own database file and kept by its own thread.
//!
//! FTS5 writes a segment at every commit and now and then merges segments. Inside the
//! writer's transaction those merges held whole groups of requests for 20–70 ms, which was
//! most of intake's p99. So a request's transaction only appends the words it adds to
//! `search_queue`, a plain table. This thread moves them into the index in batches, in
//! queue order, and then has the writer delete what it has indexed.
//!
//! Exactly once: the index file records the last queue id it holds in the same
//! transaction as the words. A search first waits (a few seconds at most) until the index
//! holds every queue id committed before the search began, so a case is found as soon as
//! its `201` has come back. An index file that is missing, or that does not belong to this
//! database (another database's file, or a backup copied into place), is rebuilt from the
//! events, in the background.

use crate::writer::{Job, Task};
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use roadone_domain::Event;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How often the queue is looked at when nobody is waiting on a search.
const POLL: Duration = Duration::from_millis(50);
/// Rows moved into the index per transaction.
const BATCH: i64 = 20_000;
/// Indexed rows are deleted from the queue at most this often (one small write each).
const DELETE_EVERY: Duration = Duration::from_secs(1);
/// How long a search waits for the index to catch up before answering with what it has.
const SEARCH_WAIT: Duration = Duration::from_secs(5);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS progress (
    only          INTEGER PRIMARY KEY CHECK (only = 1),
    indexed_up_to INTEGER NOT NULL,
    token         TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS case_text USING fts5(
    body,
    content = '',
    tokenize = 'unicode61 remove_diacritics 2'
);";

/// The highest queue id ever committed (ids are never reused).
const QUEUE_END: &str =
    "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'search_queue'), 0)";

/// Where the index of the database at `db` lives: `roadone.db` → `roadone.search.db`.
pub fn index_path(db: &Path) -> PathBuf {
    db.with_extension("search.db")
}

/// The queue id the index holds everything up to, shared with waiting searches.
#[derive(Default)]
struct Progress {
    indexed: Mutex<i64>,
    moved: Condvar,
}

enum Signal {
    /// A search is waiting: look at the queue now.
    Nudge,
    Stop,
}

pub struct SearchIndex {
    signal: Option<Sender<Signal>>,
    thread: Option<JoinHandle<()>>,
    progress: Arc<Progress>,
    restarts: Arc<AtomicU64>,
    path: PathBuf,
    warned: AtomicBool,
}

impl SearchIndex {
    /// Opens (creating if needed) the index file beside `db` and starts its thread.
    /// `writer` is where the indexed queue rows are deleted.
    pub fn start(db: &Path, writer: Sender<Box<dyn Job>>) -> rusqlite::Result<SearchIndex> {
        let path = index_path(db);
        let index = match open_index(&path) {
            Ok(index) => index,
            // A damaged index is only a cache of the events: start it again.
            Err(e) => {
                tracing::warn!(
                    "the search index {} is unusable ({e}); rebuilding it",
                    path.display()
                );
                remove_index(&path);
                open_index(&path)?
            }
        };
        let main = Connection::open_with_flags(
            db,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        main.busy_timeout(Duration::from_secs(10))?;
        let progress = Arc::new(Progress::default());
        let restarts = Arc::new(AtomicU64::new(0));
        let (signal, signals) = crossbeam_channel::unbounded();
        let mut keeper = Keeper {
            main,
            index,
            writer,
            progress: progress.clone(),
            deleted_up_to: 0,
            last_delete: Instant::now(),
            checked: false,
        };
        let counted = restarts.clone();
        let thread = std::thread::Builder::new()
            .name("roadone-sqlite-search".into())
            .spawn(move || keeper.run(&signals, &counted))
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        Ok(SearchIndex {
            signal: Some(signal),
            thread: Some(thread),
            progress,
            restarts,
            path,
            warned: AtomicBool::new(false),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Waits until the index holds every word committed before now, as seen by `conn`.
    /// Gives up after a few seconds (a rebuild in progress) and answers with what is there.
    pub fn catch_up(&self, conn: &Connection) {
        let Ok(wanted) = conn.query_row(QUEUE_END, [], |r| r.get::<_, i64>(0)) else {
            return;
        };
        let deadline = Instant::now() + SEARCH_WAIT;
        let mut indexed = self
            .progress
            .indexed
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        while *indexed < wanted {
            if let Some(signal) = &self.signal {
                let _ = signal.send(Signal::Nudge);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                if !self.warned.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        "the search index is behind ({} of {wanted} queued texts); searches answer with what it holds until it catches up",
                        *indexed
                    );
                }
                return;
            }
            indexed = self
                .progress
                .moved
                .wait_timeout(indexed, left.min(Duration::from_millis(100)))
                .unwrap_or_else(|p| p.into_inner())
                .0;
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

impl Drop for SearchIndex {
    fn drop(&mut self) {
        if let Some(signal) = self.signal.take() {
            let _ = signal.send(Signal::Stop);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn open_index(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // Losing the last few batches to a power cut costs nothing: they are still queued.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.execute_batch(SCHEMA)?;
    Ok(conn)
}

fn remove_index(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

/// The thread's side.
struct Keeper {
    main: Connection,
    index: Connection,
    writer: Sender<Box<dyn Job>>,
    progress: Arc<Progress>,
    deleted_up_to: i64,
    last_delete: Instant,
    /// Whether the index was checked against the database (and rebuilt if need be).
    checked: bool,
}

impl Keeper {
    fn run(&mut self, signals: &Receiver<Signal>, restarts: &AtomicU64) {
        loop {
            // A panic costs one round: the queue still holds everything not indexed.
            if let Err(panic) = catch_unwind(AssertUnwindSafe(|| self.round())) {
                restarts.fetch_add(1, Ordering::Relaxed);
                tracing::error!(
                    "the search indexer panicked ({}); going on",
                    crate::writer::panic_message(panic.as_ref())
                );
                for conn in [&self.main, &self.index] {
                    if !conn.is_autocommit() {
                        let _ = conn.execute_batch("ROLLBACK");
                    }
                }
            }
            match signals.recv_timeout(POLL) {
                Ok(Signal::Nudge) | Err(RecvTimeoutError::Timeout) => {}
                Ok(Signal::Stop) | Err(RecvTimeoutError::Disconnected) => {
                    // Leave the queue short for the next start.
                    self.delete_indexed(true);
                    return;
                }
            }
        }
    }

    fn round(&mut self) {
        if !self.checked {
            match self.check_or_rebuild() {
                Ok(indexed) => {
                    self.checked = true;
                    self.publish(indexed);
                }
                Err(e) => {
                    tracing::error!("cannot check the search index: {e}");
                    return;
                }
            }
        }
        loop {
            let from = *self
                .progress
                .indexed
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            match self.move_batch(from) {
                Ok(Some(last)) => self.publish(last),
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!("indexing queued texts failed: {e}");
                    break;
                }
            }
        }
        self.delete_indexed(false);
    }

    fn publish(&self, indexed: i64) {
        *self
            .progress
            .indexed
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = indexed;
        self.progress.moved.notify_all();
    }

    /// The queue id the index holds everything up to; rebuilds it first when it is
    /// missing or does not belong to this database.
    fn check_or_rebuild(&mut self) -> rusqlite::Result<i64> {
        let token: String =
            self.main
                .query_row("SELECT token FROM search_identity LIMIT 1", [], |r| {
                    r.get(0)
                })?;
        let held: Option<(i64, String)> = self
            .index
            .query_row("SELECT indexed_up_to, token FROM progress", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let queue_end: i64 = self.main.query_row(QUEUE_END, [], |r| r.get(0))?;
        let first_queued: Option<i64> =
            self.main
                .query_row("SELECT min(id) FROM search_queue", [], |r| r.get(0))?;
        let why = match &held {
            None => Some("it is new"),
            Some((_, held_token)) if *held_token != token => {
                Some("it was built from another database")
            }
            Some((indexed, _)) if *indexed > queue_end => {
                Some("it is ahead of the database (a backup put in place?)")
            }
            Some((indexed, _)) if first_queued.is_some_and(|first| first > indexed + 1) => {
                Some("it is behind what the database still queues (an older copy?)")
            }
            Some(_) => None,
        };
        match (why, held) {
            (None, Some((indexed, _))) => Ok(indexed),
            (why, _) => self.rebuild(&token, why.unwrap_or("it is new")),
        }
    }

    /// Indexes every event again, from one snapshot of the database.
    fn rebuild(&mut self, token: &str, why: &str) -> rusqlite::Result<i64> {
        let started = Instant::now();
        tracing::debug!("rebuilding the search index ({why})");
        self.main.execute_batch("BEGIN")?;
        let result = (|| {
            let queue_end: i64 = self.main.query_row(QUEUE_END, [], |r| r.get(0))?;
            let tx = self.index.transaction()?;
            tx.execute(
                "INSERT INTO case_text (case_text) VALUES ('delete-all')",
                [],
            )?;
            let mut texts = 0usize;
            {
                let mut insert = tx.prepare("INSERT INTO case_text (rowid, body) VALUES (?, ?)")?;
                let mut events = self.main.prepare("SELECT case_id, data FROM events")?;
                let mut rows = events.query([])?;
                while let Some(row) = rows.next()? {
                    let case: i64 = row.get(0)?;
                    let data: String = row.get(1)?;
                    let Ok(event) = serde_json::from_str::<Event>(&data) else {
                        tracing::warn!("case {case}: an event that cannot be read is left out of the search index");
                        continue;
                    };
                    if let (Some(id), Some(text)) = (
                        crate::search::row_id(case, event.seq),
                        crate::search::text_of(&event),
                    ) {
                        insert.execute(params![id, text])?;
                        texts += 1;
                    }
                }
            }
            tx.execute(
                "INSERT INTO progress (only, indexed_up_to, token) VALUES (1, ?1, ?2)
                 ON CONFLICT (only) DO UPDATE SET indexed_up_to = ?1, token = ?2",
                params![queue_end, token],
            )?;
            tx.commit()?;
            if texts > 0 {
                tracing::info!(
                    "search index rebuilt ({why}): {texts} texts in {:.1} s",
                    started.elapsed().as_secs_f64()
                );
            }
            Ok(queue_end)
        })();
        let _ = self.main.execute_batch("COMMIT");
        result
    }

    /// Moves the next batch of queued texts into the index; the last id moved, if any.
    fn move_batch(&mut self, from: i64) -> rusqlite::Result<Option<i64>> {
        let queued: Vec<(i64, i64, String)> = {
            let mut stmt = self.main.prepare_cached(
                "SELECT id, row, body FROM search_queue WHERE id > ? ORDER BY id LIMIT ?",
            )?;
            let rows = stmt.query_map(params![from, BATCH], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let Some(last) = queued.last().map(|(id, _, _)| *id) else {
            return Ok(None);
        };
        let tx = self.index.transaction()?;
        {
            let mut insert =
                tx.prepare_cached("INSERT INTO case_text (rowid, body) VALUES (?, ?)")?;
            for (_, row, body) in &queued {
                insert.execute(params![row, body])?;
            }
        }
        tx.execute("UPDATE progress SET indexed_up_to = ?", [last])?;
        tx.commit()?;
        Ok(Some(last))
    }

    /// Has the writer delete the queue rows the index now holds.
    /// `now`: whatever the time since the last delete (at shutdown).
    fn delete_indexed(&mut self, now: bool) {
        let indexed = *self
            .progress
            .indexed
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if indexed <= self.deleted_up_to || (!now && self.last_delete.elapsed() < DELETE_EVERY) {
            return;
        }
        let (reply_to, _nobody_waits) = tokio::sync::oneshot::channel();
        let delete = Task::new(
            move |conn: &Connection| {
                conn.prepare_cached("DELETE FROM search_queue WHERE id <= ?")
                    .and_then(|mut s| s.execute([indexed]))
                    .map(|_| ())
                    .map_err(crate::convert::db)
            },
            reply_to,
        );
        // A delete that does not happen is retried next time; the rows are only kept longer.
        if self.writer.send(Box::new(delete)).is_ok() {
            self.deleted_up_to = indexed;
            self.last_delete = Instant::now();
        }
    }
}
