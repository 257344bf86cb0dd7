//! The store's part for calls (`CallStore`), kept apart from the main `Store` impl.

use crate::{calls, phone_lines, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use roadone_domain::PersonId;
use roadone_store::{
    CallLeg, CallStore, CallsOutcome, CaseCall, NewCall, PhoneCase, PhoneLine, StoreResult,
    StoredCall, TwilioCallback,
};

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

    async fn call_legs_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<CallLeg>> {
        self.read(move |c| calls::call_legs_between(c, from, to))
            .await
    }

    async fn customer_calls(&self, customer: i64) -> StoreResult<Vec<StoredCall>> {
        self.read(move |c| calls::customer_calls(c, customer)).await
    }

    async fn calls_by_id(&self, ids: Vec<String>) -> StoreResult<Vec<StoredCall>> {
        self.read(move |c| calls::calls_by_id(c, &ids)).await
    }

    async fn missed_calls_without_case(&self, since: DateTime<Utc>) -> StoreResult<Vec<NewCall>> {
        self.read(move |c| calls::missed_calls_without_case(c, since))
            .await
    }

    async fn link_calls(&self, ids: Vec<String>, case_id: i64) -> StoreResult<()> {
        self.write(move |c| calls::link_calls(c, &ids, case_id))
            .await
    }

    async fn case_calls(&self, case_id: i64) -> StoreResult<Vec<StoredCall>> {
        self.read(move |c| calls::case_calls(c, case_id)).await
    }

    async fn add_twilio_callback(
        &self,
        callback: TwilioCallback,
    ) -> StoreResult<(bool, Vec<TwilioCallback>)> {
        self.write(move |c| calls::add_twilio_callback(c, &callback))
            .await
    }

    async fn phone_lines(&self) -> StoreResult<Vec<PhoneLine>> {
        self.read(phone_lines::phone_lines).await
    }

    async fn set_phone_line(&self, line: String, person: Option<PersonId>) -> StoreResult<bool> {
        self.write(move |c| phone_lines::set_phone_line(c, &line, person))
            .await
    }

    async fn phone_case_calls(&self, within: chrono::Duration) -> StoreResult<Vec<CaseCall>> {
        self.read(move |c| calls::phone_case_calls(c, within)).await
    }

    async fn phone_cases_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<PhoneCase>> {
        self.read(move |c| calls::phone_cases_between(c, from, to))
            .await
    }
}
