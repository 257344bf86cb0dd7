//! Customers: finding them (phone intake, the portal) and their portal sign-in — a link
//! mailed to them that works once, and the session it opens.

use crate::app::AppState;
use crate::error::AppResult;
use roadone_store::{CustomerRecord, NewSession, SignInLink};

impl AppState {
    pub async fn customer(&self, id: i64) -> AppResult<Option<CustomerRecord>> {
        Ok(self.store.customer(id).await?)
    }

    pub async fn customer_by_email(&self, email: &str) -> AppResult<Option<CustomerRecord>> {
        Ok(self.store.customer_by_email(email).await?)
    }

    /// Customers whose email, name or phone starts with `text`, at most `limit`.
    pub async fn find_customers(&self, text: &str, limit: u32) -> AppResult<Vec<CustomerRecord>> {
        Ok(self.store.find_customers(text, limit).await?)
    }

    /// Keeps a sign-in link's digest until it is used or expires.
    pub async fn add_sign_in_link(&self, link: SignInLink) -> AppResult<()> {
        Ok(self.store.add_sign_in_link(link).await?)
    }

    /// Uses a link at most once, opening `session` for its customer; `None` when the link
    /// is unknown, used or expired.
    pub async fn redeem_sign_in_link(
        &self,
        link_hash: &[u8],
        session: NewSession,
    ) -> AppResult<Option<i64>> {
        let now = self.clock.now();
        Ok(self
            .store
            .redeem_sign_in_link(link_hash, now, session)
            .await?)
    }

    /// The customer signed in with this session, if it has not expired.
    pub async fn customer_session(&self, session_hash: &[u8]) -> AppResult<Option<i64>> {
        let now = self.clock.now();
        Ok(self.store.customer_session(session_hash, now).await?)
    }

    pub async fn end_customer_session(&self, session_hash: &[u8]) -> AppResult<()> {
        Ok(self.store.end_customer_session(session_hash).await?)
    }
}
