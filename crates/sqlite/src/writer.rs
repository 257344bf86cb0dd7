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

use crossbeam_channel::{Receiver, Sender};
use roadone_store::{StoreError, StoreResult};
use rusqlite::Connection;
use std::fs::File;
use std::path::PathBuf;
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
        let result = (self.work)(conn);
        let outcome = match &result {
            Ok(_) => Outcome::Done,
            Err(StoreError::Unavailable(_) | StoreError::Corrupt(_)) => Outcome::Failed,
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
            Some(e) => Err(StoreError::Unavailable(e.to_string())),
        };
        let _ = self.reply_to.send(result);
    }
}

/// Upper bound of jobs per transaction, so one commit never holds replies back for long.
const MAX_GROUP: usize = 1024;

pub struct Writer {
    sender: Option<Sender<Box<dyn Job>>>,
    thread: Option<JoinHandle<()>>,
    syncer: Option<JoinHandle<()>>,
}

/// A committed group waiting for its fsync.
type Committed = Vec<Box<dyn Job>>;

impl Writer {
    /// `wal` is the WAL file to fsync before replying; `None` replies right after the
    /// commit (durable against a crash of the process, not of the machine).
    pub fn start(conn: Connection, wal: Option<PathBuf>) -> Writer {
        let (sender, receiver) = crossbeam_channel::unbounded::<Box<dyn Job>>();
        let (to_sync, committed) = crossbeam_channel::unbounded::<Committed>();
        let (done_tx, done) = crossbeam_channel::unbounded::<usize>();
        let syncer = std::thread::Builder::new()
            .name("roadone-sqlite-fsync".into())
            .spawn(move || sync_and_reply(wal, committed, done_tx))
            .expect("spawn the SQLite fsync thread");
        let thread = std::thread::Builder::new()
            .name("roadone-sqlite-writer".into())
            .spawn(move || run(conn, receiver, to_sync, done))
            .expect("spawn the SQLite writer thread");
        Writer {
            sender: Some(sender),
            thread: Some(thread),
            syncer: Some(syncer),
        }
    }

    pub fn submit(&self, job: Box<dyn Job>) -> Result<(), StoreError> {
        self.sender
            .as_ref()
            .expect("writer is running")
            .send(job)
            .map_err(|_| StoreError::Unavailable("the SQLite writer has stopped".into()))
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

/// Replies to committed groups once the WAL holding them is on disk: one fsync covers
/// every group committed before it. Tells the writer how many groups it finished.
fn sync_and_reply(wal: Option<PathBuf>, committed: Receiver<Committed>, done: Sender<usize>) {
    let mut file: Option<File> = None;
    while let Ok(first) = committed.recv() {
        let mut groups = vec![first];
        groups.extend(committed.try_iter());
        let synced = match &wal {
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
        let error = synced.err().map(|e| {
            tracing::error!("fsync of the WAL failed: {e}");
            StoreError::Unavailable(format!("the write may not be on disk: {e}"))
        });
        let n = groups.len();
        for group in groups {
            reply_all(group, error.as_ref());
        }
        let _ = done.send(n);
    }
}

/// The writer's loop. While the previous group is being fsynced, the open transaction
/// keeps taking in requests; it commits as soon as the disk is free again. So the disk is
/// always busy under load, and each fsync carries as many requests as arrived meanwhile.
fn run(
    conn: Connection,
    jobs: Receiver<Box<dyn Job>>,
    to_sync: Sender<Committed>,
    done: Receiver<usize>,
) {
    let mut in_flight = 0usize;
    while let Ok(first) = jobs.recv() {
        in_flight -= done.try_iter().sum::<usize>();
        if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
            tracing::error!("cannot begin a transaction: {e}");
            let mut group = vec![first];
            group.extend(jobs.try_iter());
            reply_all(
                group,
                Some(&StoreError::Unavailable(format!(
                    "cannot begin a transaction: {e}"
                ))),
            );
            continue;
        }
        let mut group = Vec::with_capacity(64);
        let mut clean = true;
        let mut take = |mut job: Box<dyn Job>, group: &mut Vec<Box<dyn Job>>| {
            clean &= job.run(&conn) != Outcome::Failed;
            group.push(job);
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
                recv(done) -> n => in_flight -= n.unwrap_or(in_flight),
            }
        }
        if let Some(committed) = commit_group(&conn, group, clean) {
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
        let retried = conn
            .execute_batch("ROLLBACK; BEGIN IMMEDIATE")
            .and_then(|()| {
                for job in group.iter_mut() {
                    conn.execute_batch("SAVEPOINT job")?;
                    let end = match job.run(conn) {
                        Outcome::Done => "RELEASE job",
                        Outcome::Refused | Outcome::Failed => "ROLLBACK TO job; RELEASE job",
                    };
                    conn.execute_batch(end)?;
                }
                Ok(())
            });
        if let Err(e) = retried {
            tracing::error!("retrying a write group failed: {e}");
            let _ = conn.execute_batch("ROLLBACK");
            reply_all(
                group,
                Some(&StoreError::Unavailable(format!("write failed: {e}"))),
            );
            return None;
        }
    }
    match conn.execute_batch("COMMIT") {
        Ok(()) => Some(group),
        Err(e) => {
            tracing::error!("group commit failed: {e}");
            let _ = conn.execute_batch("ROLLBACK");
            reply_all(
                group,
                Some(&StoreError::Unavailable(format!("commit failed: {e}"))),
            );
            None
        }
    }
}
