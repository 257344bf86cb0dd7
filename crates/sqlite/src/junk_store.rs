//! The store's part for junk mail (`JunkStore`), kept apart from the main `Store` impl.

use crate::convert::ms;
use crate::{junk, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use roadone_domain::junk::{Counts, Filter};
use roadone_domain::PersonId;
use roadone_store::{
    JunkStore, Lesson, NewSuspendedMail, Settled, StoreResult, SuspendedMail, SuspendedTally,
};

#[async_trait]
impl JunkStore for SqliteStore {
    async fn suspend_mail(&self, mail: NewSuspendedMail) -> StoreResult<i64> {
        self.write(move |c| junk::suspend_mail(c, &mail)).await
    }

    async fn suspended_mail(&self, limit: u32) -> StoreResult<Vec<SuspendedMail>> {
        self.read(move |c| junk::suspended_mail(c, limit)).await
    }

    async fn suspended_tally(&self) -> StoreResult<SuspendedTally> {
        self.read(junk::suspended_tally).await
    }

    async fn settle_suspended(
        &self,
        id: i64,
        how: Settled,
        by: PersonId,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Vec<u8>>> {
        self.write(move |c| junk::settle_suspended(c, id, how, by, ms(at)))
            .await
    }

    async fn purge_suspended(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        self.write(move |c| junk::purge_suspended(c, ms(before)))
            .await
    }

    async fn junk_counts(&self, tokens: Vec<String>) -> StoreResult<(Filter, Vec<Counts>)> {
        self.read(move |c| junk::junk_counts(c, &tokens)).await
    }

    async fn teach_junk_filter(&self, tokens: Vec<String>, lesson: Lesson) -> StoreResult<()> {
        self.write(move |c| junk::teach_junk_filter(c, &tokens, lesson))
            .await
    }
}
