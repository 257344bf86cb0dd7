//! Staff signing in to the pages: checking a password, the session it opens, and
//! setting a password (which ends every session of that person).

use crate::app::AppState;
use crate::error::AppResult;
use crate::passwords;
use roadone_domain::PersonId;
use roadone_store::NewSession;

impl AppState {
    /// The active person with this email, if `password` is theirs. A wrong email costs
    /// the same time as a wrong password, so the two cannot be told apart.
    pub async fn check_password(
        &self,
        email: &str,
        password: String,
    ) -> AppResult<Option<PersonId>> {
        let found = if email.is_empty() {
            None
        } else {
            self.store.password_hash(email).await?
        };
        let (person, stored) = match found {
            Some((id, hash)) => (Some(id), hash),
            None => (None, None),
        };
        let right = passwords::verify(password, stored).await;
        Ok(person.filter(|_| right))
    }

    /// Opens `session` for `person`, ending the browser's earlier session first (so a
    /// session fixed before sign-in is worthless after it).
    pub async fn start_staff_session(
        &self,
        person: PersonId,
        session: NewSession,
        replacing: Option<&[u8]>,
    ) -> AppResult<()> {
        if let Some(old) = replacing {
            self.store.end_staff_session(old).await?;
        }
        Ok(self.store.add_staff_session(person, session).await?)
    }

    /// The active person of a session that has not expired.
    pub async fn staff_session(&self, session_hash: &[u8]) -> AppResult<Option<PersonId>> {
        let now = self.clock.now();
        Ok(self.store.staff_session(session_hash, now).await?)
    }

    pub async fn end_staff_session(&self, session_hash: &[u8]) -> AppResult<()> {
        Ok(self.store.end_staff_session(session_hash).await?)
    }

    /// Sets a new password, refused when too short or too long; every session of the
    /// person ends, so they sign in again with it.
    pub async fn set_password(&self, person: PersonId, password: String) -> AppResult<()> {
        let hash = passwords::hash(password).await?;
        self.set_password_hash(person, &hash).await
    }

    /// Sets a password already hashed by `passwords::hash` (the demo gives everyone the
    /// same one, hashed once).
    pub async fn set_password_hash(&self, person: PersonId, hash: &str) -> AppResult<()> {
        Ok(self.store.set_password_hash(person, hash).await?)
    }
}
