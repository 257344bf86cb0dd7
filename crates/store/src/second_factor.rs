//! What the store keeps of a person's second factor at sign-in: the TOTP secret their
//! authenticator app shares with us, the last time step whose code was accepted (so no
//! code works twice), the digests of their single-use recovery codes, and the sign-ins
//! whose password was right but whose second step is still to come.

use chrono::{DateTime, Utc};
use roadone_domain::PersonId;

/// A person's TOTP second factor, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondFactor {
    /// The shared secret (the raw bytes, not base32).
    pub secret: Vec<u8>,
    /// When the first code confirmed it; `None` while it waits for that code, when
    /// nothing asks for it yet.
    pub enabled_at: Option<DateTime<Utc>>,
    /// The last time step (Unix seconds / step length) whose code was accepted: a code of
    /// this step or an earlier one is refused.
    pub last_step: Option<i64>,
    /// How many recovery codes are still unused.
    pub recovery_codes_left: u32,
}

impl SecondFactor {
    pub fn is_on(&self) -> bool {
        self.enabled_at.is_some()
    }
}

/// A sign-in half done: the password was right, the second step is to come. Only the
/// digest of its secret (carried by the browser) is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSignIn {
    pub hash: Vec<u8>,
    pub person: PersonId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}
