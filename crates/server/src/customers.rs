//! Customers: finding them (phone intake, the portal) and their portal sign-in — a link
//! mailed to them that works once, and the session it opens.

use crate::app::AppState;
use crate::error::AppResult;
use roadone_store::{CustomerQuery, CustomerRecord, NewSession, SignInLink};

impl AppState {
    pub async fn customer(&self, id: i64) -> AppResult<Option<CustomerRecord>> {
        Ok(self.store.customer(id).await?)
    }

    pub async fn customer_by_email(&self, email: &str) -> AppResult<Option<CustomerRecord>> {
        Ok(self.store.customer_by_email(email).await?)
    }

    /// Customers named by what someone typed or a caller said: their email, words that
    /// start words of their name or email (a surname, "ada love"), or their phone number
    /// in any form or its last digits (read in the company's region). At most `limit`.
    pub async fn find_customers(&self, text: &str, limit: u32) -> AppResult<Vec<CustomerRecord>> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let region = self.directory.snapshot().settings.rules.phone_region;
        let query = CustomerQuery {
            email: text.contains('@').then(|| text.to_string()),
            words: text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect(),
            phone_keys: roadone_domain::phone::lookup_keys(text, region),
        };
        Ok(self.store.find_customers(query, limit).await?)
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
