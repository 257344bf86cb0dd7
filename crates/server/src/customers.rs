//! Customers: finding them (phone intake, the portal) and their portal sign-in — a link
//! mailed to them that works once, and the session it opens.

use crate::app::AppState;
use crate::error::AppResult;
use roadone_domain::{CaseStatus, EventBody, EventKind, Rating};
use roadone_store::{
    CaseFilter, CaseHead, CustomerQuery, CustomerRecord, EventFilter, NewSession, OrderSummary,
    SignInLink,
};

/// How many of a customer's cases their page lists (the most urgent and latest first).
pub const PROFILE_CASES: u32 = 200;
/// How many of their solved cases are read in full for the ratings they gave.
const RATED_CASES_READ: usize = 50;

/// Everything staff see about one customer on their page.
#[derive(Debug, Clone)]
pub struct CustomerProfile {
    pub customer: CustomerRecord,
    /// Open ones first by deadline, then solved ones by last change.
    pub cases: Vec<CaseHead>,
    /// Whether there are more cases than `cases` holds.
    pub more_cases: bool,
    pub orders: Vec<OrderSummary>,
    /// The ratings they gave, newest first, with the case each is of.
    pub ratings: Vec<(CaseHead, Rating)>,
}

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

    /// A customer with their cases, what they bought and how they rated us.
    pub async fn customer_profile(&self, id: i64) -> AppResult<Option<CustomerProfile>> {
        let Some(customer) = self.store.customer(id).await? else {
            return Ok(None);
        };
        let mut cases = self
            .store
            .list_cases(CaseFilter {
                customer_id: Some(id),
                limit: PROFILE_CASES + 1,
                ..CaseFilter::default()
            })
            .await?;
        let more_cases = cases.len() > PROFILE_CASES as usize;
        cases.truncate(PROFILE_CASES as usize);
        let orders = self.store.customer_orders(id).await?;
        // The ratings standing on the shown solved cases, read in one query: a case's
        // rating is its last rating, unless a reopening came after it.
        let rated: Vec<&CaseHead> = cases
            .iter()
            .filter(|h| h.status == CaseStatus::Solved)
            .take(RATED_CASES_READ)
            .collect();
        let events = self
            .store
            .events(EventFilter {
                kinds: vec![EventKind::Rated, EventKind::Reopened],
                customer_id: Some(id),
                limit: 1000,
                ..EventFilter::default()
            })
            .await?;
        let mut ratings = Vec::new();
        for head in rated {
            // Newest first: the case's first event here is its last.
            let last = events.iter().find(|(h, _)| h.id == head.id);
            if let Some((_, event)) = last {
                if let EventBody::Rated {
                    score,
                    delighted_by,
                    would_recommend,
                } = &event.body
                {
                    let rating = Rating {
                        score: *score,
                        delighted_by: delighted_by.clone(),
                        would_recommend: *would_recommend,
                        rated_at: event.at,
                    };
                    ratings.push((head.clone(), rating));
                }
            }
        }
        ratings.sort_by_key(|r| std::cmp::Reverse(r.1.rated_at));
        Ok(Some(CustomerProfile {
            customer,
            cases,
            more_cases,
            orders,
            ratings,
        }))
    }

    /// Merges customer `from` into `into`: two records of one person become one, `from`'s
    /// cases, orders and links moving to `into`, the merge recorded with who did it.
    /// Frontline staff ask a colleague: a merge moves a customer's whole history.
    pub async fn merge_customers(
        &self,
        from: i64,
        into: i64,
        by: &roadone_domain::Person,
    ) -> AppResult<roadone_store::MergeOutcome> {
        if by.role == roadone_domain::Role::Frontline {
            return Err(crate::error::AppError::Forbidden(
                "frontline staff do not merge customers; ask your team lead".into(),
            ));
        }
        Ok(self
            .store
            .merge_customers(from, into, by.id, self.clock.now())
            .await?)
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
