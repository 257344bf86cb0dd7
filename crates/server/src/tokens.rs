//! Bearer tokens and customer links: random, unguessable, and (for staff tokens)
//! stored only as a SHA-256 digest. A token has 256 bits of entropy, so a fast hash is
//! enough and checking one costs microseconds, not a password hash per request.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new random token, URL-safe.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}
