//! The store's part for calls (`CallStore`), kept apart from the main `Store` impl.

use crate::{calls, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use roadone_store::{CallStore, CallsOutcome, NewCall, StoreResult, StoredCall};

#[async_trait]
impl CallStore for SqliteStore {
    async fn add_calls(&self, list: Vec<NewCall>, at: DateTime<Utc>) -> StoreResult<CallsOutcome> {
        self.write(move |c| calls::add_calls(c, &list, at)).await
    }

    async fn calls_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<StoredCall>> {
        self.read(move |c| calls::calls_between(c, from, to)).await
    }

    async fn customer_calls(&self, customer: i64) -> StoreResult<Vec<StoredCall>> {
        self.read(move |c| calls::customer_calls(c, customer)).await
    }
}
