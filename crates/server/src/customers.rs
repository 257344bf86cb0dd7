//! Customers: finding them (phone intake, the portal) and their portal sign-in — a link
//! mailed to them that works once, and the session it opens.

use crate::app::AppState;
use crate::error::AppResult;
use roadone_domain::{CaseStatus, EventBody, EventKind, Rating};
use roadone_store::{
    CaseFilter, CaseHead, CustomerQuery, CustomerRecord, EventFilter, NewSession, OrderSummary,
    SignInLink,
};

/// How many of a customer's cases one page of theirs lists (the most urgent and latest
/// first); the rest are on the following pages.
pub const PROFILE_CASES: u32 = 50;
/// How many of the ratings they gave their page shows, newest first.
const RATINGS_SHOWN: usize = 20;
/// Counting a customer's cases stops past this many ("more than 10,000").
const COUNT_UP_TO: u64 = 10_000;

/// Everything staff see about one customer on their page.
#[derive(Debug, Clone)]
pub struct CustomerProfile {
    pub customer: CustomerRecord,
    /// One page of their cases: open ones first by deadline, then solved ones by last
    /// change.
    pub cases: Vec<CaseHead>,
    /// Which page `cases` is, from 1.
    pub page: u32,
    /// How many cases they have over all pages (past [`COUNT_UP_TO`]: one more than it),
    /// and how many of them are open.
    pub total: u64,
    pub open: u64,
    pub orders: Vec<OrderSummary>,
    /// The ratings standing on their cases, newest first, with the case each is of.
    pub ratings: Vec<(CaseHead, Rating)>,
}

impl CustomerProfile {
    /// How many pages their cases fill (at least one).
    pub fn pages(&self) -> u32 {
        (self.total.div_ceil(u64::from(PROFILE_CASES)).max(1)).min(u64::from(u32::MAX)) as u32
    }

    /// How many cases they have as a page says it: the count, and whether it stopped
    /// before the end ("more than 10,000").
    pub fn counted(&self) -> (u64, bool) {
        (self.total.min(COUNT_UP_TO), self.total > COUNT_UP_TO)
    }
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

    /// A customer with one page of their cases (`page` from 1), what they bought and how
    /// they rated us.
    pub async fn customer_profile(&self, id: i64, page: u32) -> AppResult<Option<CustomerProfile>> {
        let Some(customer) = self.store.customer(id).await? else {
            return Ok(None);
        };
        let page = page.max(1);
        let theirs = CaseFilter {
            customer_id: Some(id),
            count_up_to: Some(COUNT_UP_TO),
            ..CaseFilter::default()
        };
        let cases = self
            .store
            .list_cases(CaseFilter {
                limit: PROFILE_CASES,
                offset: (page - 1).saturating_mul(PROFILE_CASES),
                ..theirs.clone()
            })
            .await?;
        let total = self.store.count_cases(theirs.clone()).await?;
        let open = self
            .store
            .count_cases(CaseFilter {
                status: Some(CaseStatus::Open),
                ..theirs
            })
            .await?;
        let orders = self.store.customer_orders(id).await?;
        let ratings = self.standing_ratings(id).await?;
        Ok(Some(CustomerProfile {
            customer,
            cases,
            page,
            total,
            open,
            orders,
            ratings,
        }))
    }

    /// The newest ratings standing on a customer's cases, read in one query of their
    /// rated and reopened events: a case's rating is its last one, unless a reopening
    /// came after it.
    async fn standing_ratings(&self, customer: i64) -> AppResult<Vec<(CaseHead, Rating)>> {
        let events = self
            .store
            .events(EventFilter {
                kinds: vec![EventKind::Rated, EventKind::Reopened],
                customer_id: Some(customer),
                limit: 1000,
                ..EventFilter::default()
            })
            .await?;
        let mut seen = std::collections::HashSet::new();
        let mut ratings = Vec::new();
        // Newest first: a case's first event here is its last.
        for (head, event) in events {
            if ratings.len() == RATINGS_SHOWN {
                break;
            }
            if !seen.insert(head.id) {
                continue;
            }
            if let EventBody::Rated {
                score,
                delighted_by,
                would_recommend,
            } = event.body
            {
                let rating = Rating {
                    score,
                    delighted_by,
                    would_recommend,
                    rated_at: event.at,
                };
                ratings.push((head, rating));
            }
        }
        Ok(ratings)
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
