//! Attachments: any type, stored exactly as received, once per content. A file is named
//! by the SHA-256 of its bytes (`attachments/ab/cdef…`), written and fsynced before the
//! event that mentions it commits, so an acknowledged attachment is never lost. The
//! sender's file name is kept only as a label: it never becomes a path.

use roadone_domain::AttachmentRef;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use thiserror::Error;
use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Error)]
pub enum AttachmentError {
    #[error("{name:?} is {size} bytes; an attachment may be at most {limit} bytes")]
    TooLarge { name: String, size: u64, limit: u64 },
    /// No room: the disk is full, or below the floor kept free for the database.
    #[error(
        "the server's disk is full, so the attachment was not saved; please try again later ({0})"
    )]
    DiskFull(String),
    #[error("cannot store the attachment: {0}")]
    Io(#[from] std::io::Error),
}

impl From<AttachmentError> for crate::AppError {
    fn from(e: AttachmentError) -> Self {
        match e {
            AttachmentError::TooLarge { .. } => crate::AppError::TooLarge(e.to_string()),
            AttachmentError::DiskFull(_) => crate::AppError::DiskFull(e.to_string()),
            AttachmentError::Io(e) => {
                crate::AppError::Internal(format!("storing an attachment: {e}"))
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct AttachmentStore {
    dir: PathBuf,
    limit: u64,
    /// Uploads are refused while less than this is free, so the database keeps room.
    free_floor: u64,
}

/// Where a write failed for want of space.
fn is_full(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::StorageFull || e.kind() == std::io::ErrorKind::QuotaExceeded
}

/// Unicode "format" characters (general category Cf): invisible, and used to disguise
/// names (`invoice\u{202E}fdp.exe`). They are removed before any check.
fn is_format(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0x110BD | 0x1BCA0..=0x1BCA3 | 0xE0001 | 0xE0020..=0xE007F)
}

/// A label safe to show and to put in a Content-Disposition: NFC, no control or format
/// characters, no path separators, no leading dots, at most 200 characters.
pub fn safe_name(raw: &str) -> String {
    let cleaned: String = raw
        .nfc()
        .filter(|c| !c.is_control() && !is_format(*c))
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '"') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    let name: String = trimmed.chars().take(200).collect();
    if name.is_empty() {
        "attachment".into()
    } else {
        name
    }
}

/// The type of the content, from its bytes (never from the name the sender gave).
pub fn detect_type(bytes: &[u8]) -> String {
    match infer::get(bytes) {
        Some(kind) => kind.mime_type().to_string(),
        None if std::str::from_utf8(bytes).is_ok() => "text/plain; charset=utf-8".into(),
        None => "application/octet-stream".into(),
    }
}

fn valid_sha(sha: &str) -> bool {
    sha.len() == 64
        && sha
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

impl AttachmentStore {
    pub fn new(dir: PathBuf, limit: u64, free_floor: u64) -> Self {
        AttachmentStore {
            dir,
            limit,
            free_floor,
        }
    }

    /// Removes what uploads interrupted by a crash or a full disk left behind; returns
    /// how many files. Blocking: run at start.
    pub fn sweep_temporary(&self) -> usize {
        let Ok(shards) = std::fs::read_dir(&self.dir) else {
            return 0;
        };
        let mut removed = 0;
        for shard in shards.flatten() {
            let Ok(files) = std::fs::read_dir(shard.path()) else {
                continue;
            };
            for file in files.flatten() {
                let name = file.file_name();
                let name = name.to_string_lossy();
                if name.starts_with('.')
                    && name.ends_with(".tmp")
                    && std::fs::remove_file(file.path()).is_ok()
                {
                    removed += 1;
                }
            }
        }
        removed
    }

    /// Refuses an upload of `size` bytes that would leave less than the floor free.
    fn check_room(&self, size: u64) -> Result<(), AttachmentError> {
        let probe = if self.dir.exists() {
            self.dir.as_path()
        } else {
            self.dir.parent().unwrap_or(&self.dir)
        };
        match fs4::available_space(probe) {
            Ok(free) if free < self.free_floor.saturating_add(size) => {
                Err(AttachmentError::DiskFull(format!(
                    "{} MB free, and {} MB are kept for the database",
                    free >> 20,
                    self.free_floor >> 20
                )))
            }
            _ => Ok(()),
        }
    }

    /// Writes `bytes` to `path` through a temporary file that is removed on any failure.
    fn write_new(dir: &Path, tmp: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        let written = (|| {
            let mut file = std::fs::File::create(tmp)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            std::fs::rename(tmp, path)?;
            // The rename itself must survive a power cut too.
            std::fs::File::open(dir)?.sync_all()
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(tmp);
        }
        written
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    fn path(&self, sha: &str) -> PathBuf {
        self.dir.join(&sha[..2]).join(&sha[2..])
    }

    /// Stores the bytes durably (a no-op when the same content is already there).
    /// Blocking: call from a blocking thread.
    pub fn put(&self, name: &str, bytes: &[u8]) -> Result<AttachmentRef, AttachmentError> {
        let name = safe_name(name);
        if bytes.len() as u64 > self.limit {
            return Err(AttachmentError::TooLarge {
                name,
                size: bytes.len() as u64,
                limit: self.limit,
            });
        }
        let sha = hex::encode(Sha256::digest(bytes));
        let path = self.path(&sha);
        if !path.exists() {
            self.check_room(bytes.len() as u64)?;
            let dir = path.parent().expect("attachments live in a subdirectory");
            let full = |e: std::io::Error| {
                if is_full(&e) {
                    AttachmentError::DiskFull(e.to_string())
                } else {
                    AttachmentError::Io(e)
                }
            };
            std::fs::create_dir_all(dir).map_err(full)?;
            let tmp = dir.join(format!(".{}.{}.tmp", &sha[2..], std::process::id()));
            Self::write_new(dir, &tmp, &path, bytes).map_err(full)?;
        }
        Ok(AttachmentRef {
            sha256: sha,
            name,
            content_type: detect_type(bytes),
            size: bytes.len() as u64,
        })
    }

    /// The stored bytes, if this content is stored. Blocking.
    pub fn get(&self, sha: &str) -> std::io::Result<Option<Vec<u8>>> {
        if !valid_sha(sha) {
            return Ok(None);
        }
        match std::fs::read(self.path(sha)) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_labels_never_paths() {
        assert_eq!(safe_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_name("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(safe_name("zero\u{200B}width.pdf"), "zerowidth.pdf");
        assert_eq!(safe_name("Cafe\u{301}.txt"), "Caf\u{e9}.txt", "NFC");
        assert_eq!(safe_name(".hidden"), "hidden");
        assert_eq!(safe_name("a\r\nb\".pdf"), "ab_.pdf");
        assert_eq!(safe_name(""), "attachment");
        assert_eq!(safe_name(&"x".repeat(500)).chars().count(), 200);
    }

    #[test]
    fn content_is_stored_once_exactly_and_typed_by_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let store = AttachmentStore::new(dir.path().to_path_buf(), 1024, 0);
        let pdf = b"%PDF-1.4\n%%EOF\n";
        let a = store.put("photo.jpg", pdf).unwrap();
        assert_eq!(
            a.content_type, "application/pdf",
            "the name lies; the content does not"
        );
        let b = store.put("copy.pdf", pdf).unwrap();
        assert_eq!(a.sha256, b.sha256);
        assert_eq!(store.get(&a.sha256).unwrap().unwrap(), pdf);
        assert_eq!(store.get("../../secret").unwrap(), None);
        let err = store.put("big.bin", &[0u8; 2048]).unwrap_err().to_string();
        assert!(err.contains("1024"), "{err}");
    }
}
