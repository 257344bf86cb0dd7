//! Staff passwords: argon2id with the crate's default cost (19 MiB, 2 passes, OWASP's
//! recommended minimum), hashed and checked on the blocking pool, never on the async
//! threads. Only the PHC string (algorithm, parameters, salt, hash) is stored.

use crate::error::{AppError, AppResult};
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::LazyLock;

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 1024;

/// Checked against when the email is unknown, so that a wrong email and a wrong password
/// cost the same time and cannot be told apart.
static DECOY: LazyLock<String> =
    LazyLock::new(|| hash_now("a password nobody has").expect("hashing a constant works"));

fn hash_now(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("hashing a password: {e}")))
}

/// A password good enough to keep: long enough, not absurdly long.
pub fn check_strength(password: &str) -> AppResult<()> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(AppError::invalid(
            "password",
            format!("must be at least {MIN_LENGTH} characters long"),
        ));
    }
    if length > MAX_LENGTH {
        return Err(AppError::invalid(
            "password",
            format!("must be at most {MAX_LENGTH} characters long"),
        ));
    }
    Ok(())
}

/// The PHC string for a new password.
pub async fn hash(password: String) -> AppResult<String> {
    check_strength(&password)?;
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}

/// Whether `password` matches `stored`; with nothing stored it is checked against a decoy
/// and is never right.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let real = stored.is_some();
        let phc = stored.unwrap_or_else(|| DECOY.clone());
        let matches = PasswordHash::new(&phc)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        real && matches
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_password_verifies_against_its_own_hash_only() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(verify("correct horse battery".into(), Some(stored.clone())).await);
        assert!(!verify("correct horse battery!".into(), Some(stored)).await);
        assert!(
            !verify("a password nobody has".into(), None).await,
            "the decoy never signs anyone in"
        );
        assert!(hash("short".into()).await.is_err());
    }
}
