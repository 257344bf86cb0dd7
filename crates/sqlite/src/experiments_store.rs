//! The store's part for experiments (`ExperimentStore`), kept apart from the main `Store`
//! impl.

use crate::{experiment_data, experiments, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use roadone_domain::{Customer, ExperimentSettings, Lifecycle, PersonId};
use roadone_store::{
    Assignment, AssignmentRequest, ExperimentData, ExperimentRecord, ExperimentStore, StoreResult,
};

#[async_trait]
impl ExperimentStore for SqliteStore {
    async fn experiments(&self) -> StoreResult<Vec<ExperimentRecord>> {
        self.read(experiments::experiments).await
    }

    async fn create_experiment(
        &self,
        key: String,
        settings: ExperimentSettings,
        by: PersonId,
        at: DateTime<Utc>,
    ) -> StoreResult<ExperimentRecord> {
        self.write(move |c| experiments::create_experiment(c, &key, &settings, by, at))
            .await
    }

    async fn change_experiment(
        &self,
        key: String,
        expected_version: u32,
        settings: ExperimentSettings,
        by: PersonId,
        at: DateTime<Utc>,
    ) -> StoreResult<ExperimentRecord> {
        self.write(move |c| {
            experiments::change_experiment(c, &key, expected_version, &settings, by, at)
        })
        .await
    }

    async fn experiment_step(
        &self,
        key: String,
        step: Lifecycle,
        by: PersonId,
        at: DateTime<Utc>,
    ) -> StoreResult<ExperimentRecord> {
        self.write(move |c| experiments::experiment_step(c, &key, step, by, at))
            .await
    }

    async fn assign_customer(&self, request: AssignmentRequest) -> StoreResult<Assignment> {
        self.write(move |c| experiments::assign_customer(c, &request))
            .await
    }

    async fn find_or_add_customers(
        &self,
        customers: Vec<Customer>,
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<i64>> {
        self.write(move |c| {
            customers
                .iter()
                .map(|k| crate::customers::upsert_customer(c, k, at, false))
                .collect()
        })
        .await
    }

    async fn assignment(&self, key: String, customer_id: i64) -> StoreResult<Option<Assignment>> {
        self.read(move |c| experiments::assignment(c, &key, customer_id))
            .await
    }

    async fn customer_by_phone(&self, phone: String) -> StoreResult<Option<i64>> {
        self.read(move |c| experiments::customer_by_phone(c, &phone))
            .await
    }

    async fn customers_opening_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        channels: Vec<String>,
        categories: Vec<String>,
    ) -> StoreResult<u64> {
        self.read(move |c| {
            experiment_data::customers_opening_between(c, from, to, &channels, &categories)
        })
        .await
    }

    async fn open_cases_of(&self, people: Vec<PersonId>) -> StoreResult<Vec<(PersonId, u64)>> {
        self.read(move |c| experiments::open_cases_of(c, &people))
            .await
    }

    async fn experiment_data(
        &self,
        key: String,
        currency: String,
        look_back_days: u32,
        follow_days: u32,
    ) -> StoreResult<ExperimentData> {
        self.read(move |c| {
            experiment_data::experiment_data(c, &key, &currency, look_back_days, follow_days)
        })
        .await
    }
}
