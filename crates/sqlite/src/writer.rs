//! One thread owns the only writing connection and commits in groups: it takes every
//! request that is waiting, runs them in one transaction and commits them all with a
//! single fsync. Replies are sent only after the commit is durable, so an acknowledged
//! write survives a crash. Under load, requests pile up during one fsync and share the
//! next; with one client, each request is its own group.
//!
//! A request that is refused by a check (a version conflict, a duplicate) has written
//! nothing, so it cannot harm the others. A request that fails midway (a constraint or
//! I/O error) may have written part of its work: then the whole group is rolled back and
//! run again with each request in its own savepoint. Savepoints cost a copy of every page
//! touched, which is why they are kept off the common path.

use crossbeam_channel::{Receiver, Sender};
use roadone_store::{StoreError, StoreResult};
use rusqlite::Connection;
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
        Task { work, result: None, reply_to }
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
            None => self.result.unwrap_or_else(|| Err(StoreError::Unavailable("the write did not run".into()))),
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
}

impl Writer {
    pub fn start(conn: Connection) -> Writer {
        let (sender, receiver) = crossbeam_channel::unbounded::<Box<dyn Job>>();
        let thread = std::thread::Builder::new()
            .name("roadone-sqlite-writer".into())
            .spawn(move || run(conn, receiver))
            .expect("spawn the SQLite writer thread");
        Writer { sender: Some(sender), thread: Some(thread) }
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
    }
}

fn run(conn: Connection, receiver: Receiver<Box<dyn Job>>) {
    while let Ok(first) = receiver.recv() {
        let mut group = Vec::with_capacity(64);
        group.push(first);
        while group.len() < MAX_GROUP {
            match receiver.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        commit_group(&conn, group);
    }
}

fn reply_all(group: Vec<Box<dyn Job>>, error: Option<&StoreError>) {
    group.into_iter().for_each(|job| job.reply(error));
}

fn commit_group(conn: &Connection, mut group: Vec<Box<dyn Job>>) {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        tracing::error!("cannot begin a transaction, {} writes refused: {e}", group.len());
        return reply_all(group, Some(&StoreError::Unavailable(format!("cannot begin a transaction: {e}"))));
    }
    let clean = group.iter_mut().all(|job| job.run(conn) != Outcome::Failed);
    if !clean {
        // Someone may have written half its work: start over, each in a savepoint.
        let retried = conn.execute_batch("ROLLBACK; BEGIN IMMEDIATE").and_then(|()| {
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
            return reply_all(group, Some(&StoreError::Unavailable(format!("write failed: {e}"))));
        }
    }
    match conn.execute_batch("COMMIT") {
        Ok(()) => reply_all(group, None),
        Err(e) => {
            tracing::error!("group commit failed: {e}");
            let _ = conn.execute_batch("ROLLBACK");
            reply_all(group, Some(&StoreError::Unavailable(format!("commit failed: {e}"))));
        }
    }
}
