//! A small pool of read-only connections. WAL lets them read while the writer writes.

use crossbeam_channel::{Receiver, Sender};
use rusqlite::Connection;

pub struct Readers {
    give: Sender<Connection>,
    take: Receiver<Connection>,
}

/// A connection on loan; it goes back to the pool when dropped, even after a panic.
pub struct Loan<'a> {
    conn: Option<Connection>,
    pool: &'a Readers,
}

impl std::ops::Deref for Loan<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("loaned connection present")
    }
}

impl Drop for Loan<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            let _ = self.pool.give.send(conn);
        }
    }
}

impl Readers {
    pub fn new(conns: Vec<Connection>) -> Readers {
        let (give, take) = crossbeam_channel::bounded(conns.len());
        for c in conns {
            give.send(c).expect("pool has room for its own connections");
        }
        Readers { give, take }
    }

    /// Waits for a free connection (blocking: call from a blocking thread).
    pub fn get(&self) -> Loan<'_> {
        let conn = self
            .take
            .recv()
            .expect("the pool owns a sender, so it never disconnects");
        Loan {
            conn: Some(conn),
            pool: self,
        }
    }
}
