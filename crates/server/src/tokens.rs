//! Bearer tokens and customer links: random, unguessable, and (for staff tokens)
//! stored only as a SHA-256 digest. A token has 256 bits of entropy, so a fast hash is
//! enough and checking one costs microseconds, not a password hash per request.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new random token, URL-safe: 256 random bits.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A customer's case token: 48 bits of time then 208 random bits. Still unguessable, but
/// tokens made one after another sort together, so the unique index on them grows at
/// its end instead of dirtying a random page per new case.
pub fn new_case_token() -> String {
    let mut bytes = [0u8; 32];
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    bytes[..6].copy_from_slice(&millis.to_be_bytes()[2..]);
    rand::thread_rng().fill_bytes(&mut bytes[6..]);
    // Hex keeps the sort order of the bytes (base64url's alphabet does not).
    hex::encode(bytes)
}

pub fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Compares secrets in time independent of where the first difference is.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
