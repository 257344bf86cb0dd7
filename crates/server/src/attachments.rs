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
    #[error("cannot store the attachment: {0}")]
    Io(#[from] std::io::Error),
}

#[derive(Debug, Clone)]
pub struct AttachmentStore {
    dir: PathBuf,
    limit: u64,
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
    pub fn new(dir: PathBuf, limit: u64) -> Self {
        AttachmentStore { dir, limit }
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
            let dir = path.parent().expect("attachments live in a subdirectory");
            std::fs::create_dir_all(dir)?;
            let tmp = dir.join(format!(".{}.{}.tmp", &sha[2..], std::process::id()));
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            // The rename itself must survive a power cut too.
            std::fs::File::open(dir)?.sync_all()?;
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
        let store = AttachmentStore::new(dir.path().to_path_buf(), 1024);
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
