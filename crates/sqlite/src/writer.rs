//! One thread owns the only writing connection and commits in groups: it takes every
//! request that is waiting, runs each inside its own savepoint, and commits them all
//! with a single fsync. Replies are sent only after the commit is durable, so an
//! acknowledged write survives a crash. Under load, requests pile up during one fsync
//! and share the next; with one client, each request is its own group.

use crossbeam_channel::{Receiver, Sender};
use roadone_store::StoreError;
use rusqlite::Connection;
use std::thread::JoinHandle;

/// What to tell the waiting caller once the group's fate is known (`None`: committed).
pub type Reply = Box<dyn FnOnce(Option<&StoreError>) + Send>;
/// A unit of work: runs against the connection, says whether it succeeded (a failed job
/// is rolled back to its savepoint without harming the rest of the group) and how to reply.
pub type Job = Box<dyn FnOnce(&Connection) -> (bool, Reply) + Send>;

/// Upper bound of jobs per transaction, so one commit never holds replies back for long.
const MAX_GROUP: usize = 1024;

pub struct Writer {
    sender: Option<Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    pub fn start(conn: Connection) -> Writer {
        let (sender, receiver) = crossbeam_channel::unbounded::<Job>();
        let thread = std::thread::Builder::new()
            .name("roadone-sqlite-writer".into())
            .spawn(move || run(conn, receiver))
            .expect("spawn the SQLite writer thread");
        Writer { sender: Some(sender), thread: Some(thread) }
    }

    pub fn submit(&self, job: Job) -> Result<(), StoreError> {
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

fn run(conn: Connection, receiver: Receiver<Job>) {
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

fn commit_group(conn: &Connection, group: Vec<Job>) {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        // Dropping the jobs drops their reply channels: each caller gets "unavailable".
        tracing::error!("cannot begin a transaction, {} writes refused: {e}", group.len());
        drop(group);
        return;
    }
    let mut replies = Vec::with_capacity(group.len());
    for job in group {
        if let Err(e) = conn.execute_batch("SAVEPOINT job") {
            tracing::error!("savepoint failed: {e}");
        }
        let (ok, reply) = job(conn);
        let end = if ok { "RELEASE job" } else { "ROLLBACK TO job; RELEASE job" };
        if let Err(e) = conn.execute_batch(end) {
            tracing::error!("ending savepoint failed: {e}");
        }
        replies.push(reply);
    }
    match conn.execute_batch("COMMIT") {
        Ok(()) => replies.into_iter().for_each(|reply| reply(None)),
        Err(e) => {
            tracing::error!("group commit failed: {e}");
            let _ = conn.execute_batch("ROLLBACK");
            let err = StoreError::Unavailable(format!("commit failed: {e}"));
            replies.into_iter().for_each(|reply| reply(Some(&err)));
        }
    }
}
