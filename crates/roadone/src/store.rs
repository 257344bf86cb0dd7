//! Which store the server runs on is decided here, in the binary: the server crate knows
//! only the `Store` contract, so another backend plugs in without editing it.

use anyhow::Result;
use roadone_server::{AppState, Config};
use roadone_sqlite::{Durability, SqliteOptions, SqliteStore};
use roadone_store::Store;
use std::sync::Arc;

/// Opens the embedded SQLite store in the configured data directory.
pub fn open(config: &Config) -> Result<Arc<dyn Store>> {
    let mut options = SqliteOptions::new(config.database_path());
    options.durability = if config.fsync_every_commit {
        Durability::Full
    } else {
        Durability::Normal
    };
    options.readers = config.sqlite_readers;
    Ok(Arc::new(SqliteStore::open(options)?))
}

/// The application on the configured store and the wall clock.
pub async fn build_state(config: Config) -> Result<AppState> {
    let store = open(&config)?;
    Ok(AppState::new(config, store, Arc::new(roadone_domain::SystemClock)).await?)
}
