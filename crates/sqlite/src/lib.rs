//! The embedded SQLite backend of Roadone.
//!
//! WAL mode, `synchronous=FULL` by default (an acknowledged write survives power loss),
//! one writer thread that group-commits ([`writer`]), and a pool of readers ([`readers`]).

mod backup;
mod buckets;
mod calls;
mod calls_store;
mod canned_replies;
mod case_lists;
mod cases;
mod checkpointer;
mod convert;
mod customer_access;
mod customers;
mod directory;
mod experiment_data;
mod experiments;
mod instances;
mod junk;
mod languages;
pub mod migrations;
mod orders;
mod outbox;
mod phone_lines;
mod readers;
mod reports;
mod saved_views;
mod search;
mod search_index;
mod second_factor;
mod settings;
mod staff_access;
mod time_zones;
mod timers;
mod writer;

use readers::Readers;
use roadone_store::{StoreError, StoreResult};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use writer::{Task, Writer};

/// How hard a commit waits for the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// fsync on every commit: a 201 survives power loss (the default).
    Full,
    /// fsync at checkpoints only: survives a crash of the process, not of the machine.
    Normal,
}

#[derive(Debug, Clone)]
pub struct SqliteOptions {
    pub path: PathBuf,
    pub durability: Durability,
    pub readers: usize,
}

impl SqliteOptions {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        SqliteOptions {
            path: path.into(),
            durability: Durability::Full,
            readers: 4,
        }
    }
}

pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    // Field order is drop order: the indexer lets go of the writer, the writer finishes
    // its queue, and only then does checkpointing stop.
    search: search_index::SearchIndex,
    writer: Writer,
    checkpointer: checkpointer::Checkpointer,
    readers: Readers,
    path: PathBuf,
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

fn configure(conn: &Connection, durability: Durability) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(
        None,
        "synchronous",
        match durability {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        },
    )?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Each request in a group runs in a savepoint; keep its sub-journal off the disk.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "cache_size", -16_000)?; // KiB: 16 MB of hot pages
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(())
}

impl SqliteStore {
    /// Opens (creating if needed) the database, runs pending migrations, starts the writer.
    pub fn open(options: SqliteOptions) -> StoreResult<SqliteStore> {
        if let Some(dir) = options.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| unavailable(format!("cannot create {}: {e}", dir.display())))?;
        }
        let mut conn = Connection::open(&options.path)
            .map_err(|e| unavailable(format!("cannot open {}: {e}", options.path.display())))?;
        configure(&conn, options.durability).map_err(unavailable)?;
        migrations::migrate(&mut conn)
            .map_err(|e| unavailable(format!("migration failed: {e}")))?;
        // Checkpoints run on their own thread, so the writer never copies the WAL back itself.
        conn.pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(unavailable)?;
        // When the WAL starts over, its file is cut back to this size.
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)
            .map_err(unavailable)?;
        // The writer's own commits skip the fsync: its fsync thread does it for whole
        // groups at once, before any reply, which keeps FULL's guarantee (see writer.rs).
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(unavailable)?;
        let wal = (options.durability == Durability::Full).then(|| {
            let mut name = options.path.clone().into_os_string();
            name.push("-wal");
            PathBuf::from(name)
        });
        let checkpoint_conn = Connection::open(&options.path).map_err(unavailable)?;
        configure(&checkpoint_conn, options.durability).map_err(unavailable)?;
        let writer = Writer::start(conn, wal);
        let search = search_index::SearchIndex::start(&options.path, writer.sender())
            .map_err(|e| unavailable(format!("cannot open the search index: {e}")))?;
        let mut readers = Vec::new();
        for _ in 0..options.readers.max(1) {
            let r = Connection::open_with_flags(
                &options.path,
                OpenFlags::SQLITE_OPEN_READ_ONLY
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX
                    | OpenFlags::SQLITE_OPEN_URI,
            )
            .map_err(unavailable)?;
            r.busy_timeout(std::time::Duration::from_secs(10))
                .map_err(unavailable)?;
            r.execute(
                "ATTACH DATABASE ? AS search",
                [search.path().to_string_lossy()],
            )
            .map_err(unavailable)?;
            readers.push(r);
        }
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                search,
                writer,
                checkpointer: checkpointer::Checkpointer::start(checkpoint_conn),
                readers: Readers::new(readers),
                path: options.path,
            }),
        })
    }

    /// Only runs the migrations (for `roadone migrate`); returns how many ran.
    pub fn migrate_only(path: &Path) -> StoreResult<usize> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| unavailable(format!("cannot create {}: {e}", dir.display())))?;
        }
        let mut conn = Connection::open(path).map_err(unavailable)?;
        configure(&conn, Durability::Full).map_err(unavailable)?;
        migrations::migrate(&mut conn).map_err(unavailable)
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    fn health(&self) -> roadone_store::StoreHealth {
        use roadone_store::WorkerHealth;
        use std::sync::atomic::Ordering::Relaxed;
        let writer = &self.inner.writer;
        let (writer_alive, syncer_alive) = writer.threads_alive();
        let (checkpoint_restarts, checkpoint_alive) = self.inner.checkpointer.health();
        let (search_restarts, search_alive) = self.inner.search.health();
        roadone_store::StoreHealth {
            workers: vec![
                WorkerHealth {
                    name: "sqlite_writer",
                    alive: writer_alive,
                    restarts: writer.stats().writer_restarts.load(Relaxed),
                },
                WorkerHealth {
                    name: "sqlite_fsync",
                    alive: syncer_alive,
                    restarts: writer.stats().syncer_restarts.load(Relaxed),
                },
                WorkerHealth {
                    name: "sqlite_checkpointer",
                    alive: checkpoint_alive,
                    restarts: checkpoint_restarts,
                },
                WorkerHealth {
                    name: "sqlite_search_indexer",
                    alive: search_alive,
                    restarts: search_restarts,
                },
            ],
            queue_depth: writer.queue_depth() as u64,
            batch_sizes: writer.stats().batch_sizes.read(),
            group_seconds: writer.stats().group_seconds.read(),
            fsync_seconds: writer.stats().fsync_seconds.read(),
        }
    }

    /// Runs `f` on the writer thread inside the current group's transaction.
    async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnMut(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel::<StoreResult<T>>();
        self.inner.writer.submit(Box::new(Task::new(f, tx)))?;
        rx.await
            .map_err(|_| StoreError::Unavailable("the write was not carried out".into()))?
    }

    /// Runs `f` on a pooled read connection on a blocking thread.
    async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let conn = inner.readers.get();
            f(&conn)
        })
        .await
        .map_err(|e| StoreError::Unavailable(format!("read task failed: {e}")))?
    }
}

mod experiments_store;
mod junk_store;
mod store_impl;
