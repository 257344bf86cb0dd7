//! One thread owns the only writing connection and commits in groups: it takes every
//! request that is waiting and runs them in one transaction. A second thread makes the
//! commits durable: it fsyncs the WAL once for every group committed since its last
//! fsync, and only then replies, so an acknowledged write survives power loss. The two
//! overlap: while the disk flushes one group, the writer already builds the next. Under
//! load, requests pile up meanwhile and share the next group; with one client, each
//! request is its own group.
//!
//! A request that is refused by a check (a version conflict, a duplicate) has written
//! nothing, so it cannot harm the others. A request that fails midway (a constraint or
//! I/O error) may have written part of its work: then the whole group is rolled back and
//! run again with each request in its own savepoint. Savepoints cost a copy of every page
//! touched, which is why they are kept off the common path.

use crate::buckets::Buckets;
use crossbeam_channel::{Receiver, Sender};
use roadone_store::{StoreError, StoreResult};
use rusqlite::Connection;
use std::fs::File;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Refused before writing anything.
    Refused,
    /// Failed after possibly writing part of its work.
    Failed,
}

pub trait Job: Send {
    /// Does the work inside the group's transaction; may run a second time if the group
    /// is retried, so it must only read its inputs.
    fn run(&mut self, conn: &Connection) -> Outcome;
    /// Tells the caller how it went, once the group's commit is known (`None`: committed).
    fn reply(self: Box<Self>, commit_error: Option<&StoreError>);
    /// The error of its last run, if that run failed.
    fn failure(&self) -> Option<StoreError>;
}

/// A job made of a function and the channel its caller waits on.
pub struct Task<T, F> {
    work: F,
    result: Option<StoreResult<T>>,
    reply_to: tokio::sync::oneshot::Sender<StoreResult<T>>,
}

impl<T, F> Task<T, F> {
    pub fn new(work: F, reply_to: tokio::sync::oneshot::Sender<StoreResult<T>>) -> Self {
        Task {
            work,
            result: None,
            reply_to,
        }
    }
}

impl<T, F> Job for Task<T, F>
where
    T: Send,
    F: FnMut(&Connection) -> StoreResult<T> + Send,
{
    fn run(&mut self, conn: &Connection) -> Outcome {
        // A rerun that panics must not leave the first run's answer behind.
        self.result = None;
        let result = (self.work)(conn);
        let outcome = match &result {
            Ok(_) => Outcome::Done,
            Err(StoreError::Unavailable(_) | StoreError::DiskFull(_) | StoreError::Corrupt(_)) => {
                Outcome::Failed
            }
            Err(_) => Outcome::Refused,
        };
        self.result = Some(result);
        outcome
    }

    fn reply(self: Box<Self>, commit_error: Option<&StoreError>) {
        let result = match commit_error {
            None => self
                .result
                .unwrap_or_else(|| Err(StoreError::Unavailable("the write did not run".into()))),
            Some(e) => Err(e.for_each_request()),
        };
        let _ = self.reply_to.send(result);
    }

    fn failure(&self) -> Option<StoreError> {
        match &self.result {
            Some(Err(e)) => Some(e.for_each_request()),
            _ => None,
        }
    }
}

/// Upper bound of jobs per transaction, so one commit never holds replies back for long.
const MAX_GROUP: usize = 1024;

/// Upper bounds of the batch-size histogram (requests per committed group).
const BATCH_BOUNDS: &[f64] = &[
    1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0,
];
/// Upper bounds (seconds) of the commit and fsync time histograms.
const SECONDS_BOUNDS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
];

/// What the writer and its fsync thread have done, for `/metrics`: where an acknowledged
/// write's time goes (running and committing its group, then the fsync that covers it).
#[derive(Debug)]
pub struct WriterStats {
    pub writer_restarts: AtomicU64,
    pub syncer_restarts: AtomicU64,
    /// Requests per committed group.
    pub batch_sizes: Buckets,
    /// From a group's first request to its commit (running every request included).
    pub group_seconds: Buckets,
    /// One fsync of the WAL.
    pub fsync_seconds: Buckets,
}

impl Default for WriterStats {
    fn default() -> Self {
        WriterStats {
            writer_restarts: AtomicU64::new(0),
            syncer_restarts: AtomicU64::new(0),
            batch_sizes: Buckets::new(BATCH_BOUNDS),
            group_seconds: Buckets::new(SECONDS_BOUNDS),
            fsync_seconds: Buckets::new(SECONDS_BOUNDS),
        }
    }
}

pub struct Writer {
    sender: Option<Sender<Box<dyn Job>>>,
    thread: Option<JoinHandle<()>>,
    syncer: Option<JoinHandle<()>>,
    stats: Arc<WriterStats>,
}

/// A committed group waiting for its fsync.
type Committed = Vec<Box<dyn Job>>;

/// The message a panic carried, for the log.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

impl Writer {
    /// `wal` is the WAL file to fsync before replying; `None` replies right after the
    /// commit (durable against a crash of the process, not of the machine).
    pub fn start(conn: Connection, wal: Option<PathBuf>) -> Writer {
        let (sender, receiver) = crossbeam_channel::unbounded::<Box<dyn Job>>();
        let (to_sync, committed) = crossbeam_channel::unbounded::<Committed>();
        let (done_tx, done) = crossbeam_channel::unbounded::<usize>();
        let stats = Arc::new(WriterStats::default());
        let syncer_stats = stats.clone();
        let syncer = std::thread::Builder::new()
            .name("roadone-sqlite-fsync".into())
            .spawn(move || {
                // A panic between groups loses nothing but the groups it held, whose
                // callers hear "not carried out"; the file is opened again.
                while let Err(panic) = catch_unwind(AssertUnwindSafe(|| {
                    sync_and_reply(&wal, &committed, &done_tx, &syncer_stats)
                })) {
                    syncer_stats.syncer_restarts.fetch_add(1, Ordering::Relaxed);
                    tracing::error!(
                        "the SQLite fsync thread panicked ({}); starting it again",
                        panic_message(panic.as_ref())
                    );
                }
            })
            .expect("spawn the SQLite fsync thread");
        let writer_stats = stats.clone();
        let thread = std::thread::Builder::new()
            .name("roadone-sqlite-writer".into())
            .spawn(move || {
                while let Err(panic) = catch_unwind(AssertUnwindSafe(|| {
                    run(&conn, &receiver, &to_sync, &done, &writer_stats)
                })) {
                    writer_stats.writer_restarts.fetch_add(1, Ordering::Relaxed);
                    tracing::error!(
                        "the SQLite writer panicked ({}); rolling back and starting it again",
                        panic_message(panic.as_ref())
                    );
                    if !conn.is_autocommit() {
                        let _ = conn.execute_batch("ROLLBACK");
                    }
                }
            })
            .expect("spawn the SQLite writer thread");
        Writer {
            sender: Some(sender),
            thread: Some(thread),
            syncer: Some(syncer),
            stats,
        }
    }

    pub fn submit(&self, job: Box<dyn Job>) -> Result<(), StoreError> {
        self.sender
            .as_ref()
            .expect("writer is running")
            .send(job)
            .map_err(|_| StoreError::Unavailable("the SQLite writer has stopped".into()))
    }

    /// A way in for the store's own background work (the search indexer's deletes). The
    /// writer stops only once every such sender is gone.
    pub fn sender(&self) -> Sender<Box<dyn Job>> {
        self.sender.clone().expect("writer is running")
    }

    /// Writes waiting for the writer thread.
    pub fn queue_depth(&self) -> usize {
        self.sender.as_ref().map_or(0, |s| s.len())
    }

    pub fn stats(&self) -> &WriterStats {
        &self.stats
    }

    /// Whether the writer and fsync threads are both still running.
    pub fn threads_alive(&self) -> (bool, bool) {
        let alive = |t: &Option<JoinHandle<()>>| t.as_ref().is_some_and(|t| !t.is_finished());
        (alive(&self.thread), alive(&self.syncer))
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Closing the channel lets the thread finish the jobs already queued and exit.
        self.sender.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        // The writer's end of the fsync queue is gone now: the syncer drains it and exits.
        if let Some(syncer) = self.syncer.take() {
            let _ = syncer.join();
        }
    }
}

/// The error a failed fsync gives every request it covered.
fn fsync_error(e: std::io::Error) -> StoreError {
    tracing::error!("fsync of the WAL failed: {e}");
    if e.kind() == std::io::ErrorKind::StorageFull {
        StoreError::DiskFull(format!("the write may not be on disk: {e}"))
    } else {
        StoreError::Unavailable(format!("the write may not be on disk: {e}"))
    }
}

/// Replies to committed groups once the WAL holding them is on disk: one fsync covers
/// every group committed before it. Tells the writer how many groups it finished.
fn sync_and_reply(
    wal: &Option<PathBuf>,
    committed: &Receiver<Committed>,
    done: &Sender<usize>,
    stats: &WriterStats,
) {
    let mut file: Option<File> = None;
    while let Ok(first) = committed.recv() {
        let mut groups = vec![first];
        groups.extend(committed.try_iter());
        let started = std::time::Instant::now();
        let synced = match wal {
            None => Ok(()),
            Some(path) => {
                if file.is_none() {
                    file = File::open(path).map(Some).unwrap_or(None);
                }
                match &file {
                    // fsync flushes the file itself, whichever descriptor asks.
                    Some(f) => f.sync_data(),
                    None => Err(std::io::Error::other(format!(
                        "cannot open {}",
                        path.display()
                    ))),
                }
            }
        };
        if wal.is_some() {
            stats.fsync_seconds.observe(started.elapsed().as_secs_f64());
        }
        let error = synced.err().map(fsync_error);
        let n = groups.len();
        for group in groups {
            reply_all(group, error.as_ref());
        }
        let _ = done.send(n);
    }
}

/// Runs one request, turning a panic into a failure of that request alone.
fn run_guarded(job: &mut Box<dyn Job>, conn: &Connection) -> Option<Outcome> {
    match catch_unwind(AssertUnwindSafe(|| job.run(conn))) {
        Ok(outcome) => Some(outcome),
        Err(panic) => {
            tracing::error!(
                "a write panicked ({}); it is refused and rolled back alone",
                panic_message(panic.as_ref())
            );
            None
        }
    }
}

/// The writer's loop. While the previous group is being fsynced, the open transaction
/// keeps taking in requests; it commits as soon as the disk is free again. So the disk is
/// always busy under load, and each fsync carries as many requests as arrived meanwhile.
fn run(
    conn: &Connection,
    jobs: &Receiver<Box<dyn Job>>,
    to_sync: &Sender<Committed>,
    done: &Receiver<usize>,
    stats: &WriterStats,
) {
    // After a restart, groups sent before it may still be reported done: never below 0.
    let mut in_flight = 0usize;
    while let Ok(first) = jobs.recv() {
        in_flight = in_flight.saturating_sub(done.try_iter().sum::<usize>());
        if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
            tracing::error!("cannot begin a transaction: {e}");
            let mut group = vec![first];
            group.extend(jobs.try_iter());
            reply_all(group, Some(&crate::convert::db(e)));
            continue;
        }
        let began = std::time::Instant::now();
        let mut group = Vec::with_capacity(64);
        // Requests that panicked: never run again, answered "did not run".
        let mut panicked = Vec::new();
        let mut clean = true;
        let mut take = |mut job: Box<dyn Job>, group: &mut Vec<Box<dyn Job>>| {
            if conn.is_autocommit() {
                // SQLite rolled the whole transaction back (a full disk, an I/O error):
                // nothing more may run outside it; the group starts over below.
                clean = false;
                group.push(job);
                return;
            }
            match run_guarded(&mut job, conn) {
                Some(outcome) => {
                    clean &= outcome != Outcome::Failed;
                    group.push(job);
                }
                None => {
                    clean = false;
                    panicked.push(job);
                }
            }
        };
        take(first, &mut group);
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => take(job, &mut group),
                Err(_) => break,
            }
        }
        while in_flight > 0 && group.len() < MAX_GROUP {
            crossbeam_channel::select! {
                recv(jobs) -> job => match job {
                    Ok(job) => take(job, &mut group),
                    Err(_) => break,
                },
                recv(done) -> n => in_flight = in_flight.saturating_sub(n.unwrap_or(in_flight)),
            }
        }
        reply_all(
            panicked,
            Some(&StoreError::Unavailable(
                "the write failed inside the server".into(),
            )),
        );
        let size = group.len();
        if let Some(committed) = commit_group(conn, group, clean) {
            if size > 0 {
                stats.batch_sizes.observe(size as f64);
                stats.group_seconds.observe(began.elapsed().as_secs_f64());
            }
            match to_sync.send(committed) {
                Ok(()) => in_flight += 1,
                Err(unsent) => reply_all(
                    unsent.0,
                    Some(&StoreError::Unavailable(
                        "the fsync thread has stopped".into(),
                    )),
                ),
            }
        }
    }
}

fn reply_all(group: Vec<Box<dyn Job>>, error: Option<&StoreError>) {
    group.into_iter().for_each(|job| job.reply(error));
}

/// Commits a group whose jobs have run; returns it for the fsync thread, or replies
/// itself on failure. `clean` is false when a job may have left half its work behind.
fn commit_group(conn: &Connection, mut group: Vec<Box<dyn Job>>, clean: bool) -> Option<Committed> {
    if !clean {
        // Someone may have written half its work: start over, each in a savepoint.
        if !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        let retried = conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(crate::convert::db)
            .and_then(|()| {
                for job in group.iter_mut() {
                    conn.execute_batch("SAVEPOINT job")
                        .map_err(crate::convert::db)?;
                    let outcome = run_guarded(job, conn);
                    if conn.is_autocommit() {
                        // The request's failure took the transaction with it: fail them all.
                        return Err(job.failure().unwrap_or_else(|| {
                            StoreError::Unavailable("the transaction was rolled back".into())
                        }));
                    }
                    let end = match outcome {
                        Some(Outcome::Done) => "RELEASE job",
                        _ => "ROLLBACK TO job; RELEASE job",
                    };
                    conn.execute_batch(end).map_err(crate::convert::db)?;
                }
                Ok(())
            });
        if let Err(e) = retried {
            tracing::error!("retrying a write group failed: {e}");
            if !conn.is_autocommit() {
                let _ = conn.execute_batch("ROLLBACK");
            }
            reply_all(group, Some(&e));
            return None;
        }
    }
    match conn.execute_batch("COMMIT") {
        Ok(()) => Some(group),
        Err(e) => {
            tracing::error!("group commit failed: {e}");
            if !conn.is_autocommit() {
                let _ = conn.execute_batch("ROLLBACK");
            }
            reply_all(group, Some(&crate::convert::db(e)));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn submit<T: Send + 'static>(
        writer: &Writer,
        work: impl FnMut(&Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        writer.submit(Box::new(Task::new(work, tx))).unwrap();
        rx.blocking_recv()
            .unwrap_or_else(|_| Err(StoreError::Unavailable("dropped".into())))
    }

    #[test]
    fn a_write_that_panics_fails_alone_and_the_writer_goes_on() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
        let writer = Writer::start(conn, None);
        let panicked = submit(&writer, |c: &Connection| -> StoreResult<()> {
            c.execute("INSERT INTO t VALUES (1)", []).unwrap();
            panic!("a bug in one request");
        });
        assert!(
            matches!(panicked, Err(StoreError::Unavailable(_))),
            "{panicked:?}"
        );
        let count = submit(&writer, |c: &Connection| {
            c.execute("INSERT INTO t VALUES (2)", []).unwrap();
            Ok(c.query_row("SELECT group_concat(x) FROM t", [], |r| {
                r.get::<_, String>(0)
            })
            .unwrap())
        });
        assert_eq!(
            count.unwrap(),
            "2",
            "the panicking write was rolled back and the next one committed"
        );
        assert_eq!(writer.threads_alive(), (true, true));
        assert_eq!(
            writer.stats().batch_sizes.read().count(),
            1,
            "one group committed"
        );
    }

    /// Submits without waiting; the answer comes on the returned channel.
    fn send<T: Send + 'static>(
        writer: &Writer,
        work: impl FnMut(&Connection) -> StoreResult<T> + Send + 'static,
    ) -> tokio::sync::oneshot::Receiver<StoreResult<T>> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        writer.submit(Box::new(Task::new(work, tx))).unwrap();
        rx
    }

    fn insert(x: i64) -> impl FnMut(&Connection) -> StoreResult<()> + Send + 'static {
        move |c: &Connection| {
            c.execute("INSERT INTO t VALUES (?)", [x])
                .map(|_| ())
                .map_err(crate::convert::db)
        }
    }

    #[test]
    fn a_write_that_fails_mid_group_is_undone_alone_and_the_rest_of_the_group_commits() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
        let writer = Writer::start(conn, None);
        // Hold the writer inside a group so that the next three land in it together.
        let (release, held) = std::sync::mpsc::channel::<()>();
        let blocker = send(&writer, move |_c: &Connection| {
            let _ = held.recv_timeout(std::time::Duration::from_secs(10));
            Ok(())
        });
        let first = send(&writer, insert(1));
        let failing = send(&writer, |c: &Connection| -> StoreResult<()> {
            c.execute("INSERT INTO t VALUES (2)", []).unwrap();
            // As a full disk or an I/O error would answer, after writing half its work.
            Err(StoreError::Unavailable("the disk went away".into()))
        });
        let third = send(&writer, insert(3));
        release.send(()).unwrap();
        // The group runs again after the failure; the blocker must not wait then.
        drop(release);
        assert!(blocker.blocking_recv().unwrap().is_ok());
        assert!(
            first.blocking_recv().unwrap().is_ok(),
            "the first write commits"
        );
        assert!(
            matches!(
                failing.blocking_recv().unwrap(),
                Err(StoreError::Unavailable(_))
            ),
            "the failing write hears its failure"
        );
        assert!(
            third.blocking_recv().unwrap().is_ok(),
            "the third write commits"
        );
        let kept = submit(&writer, |c: &Connection| {
            c.query_row(
                "SELECT group_concat(x) FROM (SELECT x FROM t ORDER BY x)",
                [],
                |r| r.get::<_, String>(0),
            )
            .map_err(crate::convert::db)
        });
        assert_eq!(
            kept.unwrap(),
            "1,3",
            "half of the failed write is not left behind"
        );
        assert_eq!(writer.threads_alive(), (true, true));
    }

    #[test]
    fn a_write_whose_fsync_fails_is_never_acknowledged() {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join("db")).unwrap();
        conn.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
        // The file the fsync thread must sync is not there: the sync fails.
        let writer = Writer::start(conn, Some(dir.path().join("no-such-wal")));
        let answer = submit(&writer, insert(1));
        match answer {
            Err(StoreError::Unavailable(message)) => {
                assert!(message.contains("may not be on disk"), "{message}")
            }
            other => panic!("a write that may not be on disk was answered {other:?}"),
        }
        assert_eq!(writer.threads_alive(), (true, true), "both threads go on");
    }
}
