//! A consistent copy of the whole database into a new file, taken while it serves.

use crate::convert::db;
use roadone_store::{StoreError, StoreResult};
use std::path::Path;

pub(crate) fn copy_to(c: &rusqlite::Connection, to: &Path) -> StoreResult<()> {
    if to.exists() {
        return Err(StoreError::Invalid {
            field: "file",
            message: format!("{} already exists", to.display()),
        });
    }
    let copy = || -> StoreResult<()> {
        let mut dest = rusqlite::Connection::open(to).map_err(db)?;
        // One step copies every page from a single read snapshot: a consistent copy.
        let backup = rusqlite::backup::Backup::new(c, &mut dest).map_err(db)?;
        match backup.step(-1).map_err(db)? {
            rusqlite::backup::StepResult::Done => Ok(()),
            other => Err(StoreError::Unavailable(format!(
                "the backup did not complete ({other:?})"
            ))),
        }
    };
    // A failed backup leaves no partial file behind (it would block the retry).
    copy().inspect_err(|_| {
        let _ = std::fs::remove_file(to);
    })
}
