use crate::{
    backup, canned_replies, case_lists, cases, customer_access, customers, directory, instances,
    languages, orders, outbox, reports, saved_views, second_factor, settings, staff_access,
    time_zones, timers, SqliteStore,
};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use roadone_domain::{CaseId, Category, Event, Person, PersonId};
use roadone_store::*;
use std::path::Path;

#[async_trait]
impl Store for SqliteStore {
    async fn add_person(&self, person: NewPerson, at: DateTime<Utc>) -> StoreResult<Person> {
        self.write(move |c| directory::add_person(c, &person, at))
            .await
    }

    async fn update_person(&self, id: PersonId, update: PersonUpdate) -> StoreResult<Person> {
        self.write(move |c| directory::update_person(c, id, &update))
            .await
    }

    async fn people(&self) -> StoreResult<Vec<Person>> {
        self.read(directory::people).await
    }

    async fn person_by_email(&self, email: &str) -> StoreResult<Option<Person>> {
        let email = email.to_string();
        self.read(move |c| directory::person_by_email(c, &email))
            .await
    }

    async fn add_category(&self, category: Category, at: DateTime<Utc>) -> StoreResult<Category> {
        self.write(move |c| directory::add_category(c, &category, at))
            .await
    }

    async fn categories(&self) -> StoreResult<Vec<Category>> {
        self.read(directory::categories).await
    }

    async fn update_category(&self, category: Category) -> StoreResult<Category> {
        self.write(move |c| settings::update_category(c, &category))
            .await
    }

    async fn settings(&self) -> StoreResult<Vec<SettingRecord>> {
        self.read(settings::settings).await
    }

    async fn directory_version(&self) -> StoreResult<i64> {
        self.read(|c| {
            c.prepare_cached("SELECT version FROM directory_version")
                .and_then(|mut s| s.query_row([], |r| r.get(0)))
                .map_err(crate::convert::db)
        })
        .await
    }

    async fn staff_time_zones(&self) -> StoreResult<Vec<(PersonId, String)>> {
        self.read(time_zones::staff_time_zones).await
    }

    async fn set_staff_time_zone(&self, person: PersonId, zone: Option<String>) -> StoreResult<()> {
        self.write(move |c| time_zones::set_staff_time_zone(c, person, zone.as_deref()))
            .await
    }

    async fn customer_time_zone(&self, customer: i64) -> StoreResult<Option<String>> {
        self.read(move |c| time_zones::customer_time_zone(c, customer))
            .await
    }

    async fn set_customer_time_zone(
        &self,
        customer: i64,
        zone: Option<String>,
    ) -> StoreResult<bool> {
        self.write(move |c| time_zones::set_customer_time_zone(c, customer, zone.as_deref()))
            .await
    }

    async fn customer_language(&self, customer: i64) -> StoreResult<Option<String>> {
        self.read(move |c| languages::customer_language(c, customer))
            .await
    }

    async fn set_customer_language(
        &self,
        customer: i64,
        code: Option<String>,
    ) -> StoreResult<bool> {
        self.write(move |c| languages::set_customer_language(c, customer, code.as_deref()))
            .await
    }

    async fn save_settings(
        &self,
        changes: Vec<(String, Option<String>)>,
        by: PersonId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.write(move |c| settings::save_settings(c, &changes, by, at))
            .await
    }

    async fn add_token(
        &self,
        person: PersonId,
        token_hash: Vec<u8>,
        label: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let label = label.to_string();
        self.write(move |c| directory::add_token(c, person, &token_hash, &label, at))
            .await
    }

    async fn person_by_token(&self, token_hash: &[u8]) -> StoreResult<Option<PersonId>> {
        let hash = token_hash.to_vec();
        self.read(move |c| directory::person_by_token(c, &hash))
            .await
    }

    async fn tokens(&self) -> StoreResult<Vec<TokenRecord>> {
        self.read(directory::tokens).await
    }

    async fn revoke_token(&self, token_hash: &[u8], at: DateTime<Utc>) -> StoreResult<bool> {
        let hash = token_hash.to_vec();
        self.write(move |c| directory::revoke_token(c, &hash, at))
            .await
    }

    async fn open_case(&self, new: NewCase) -> StoreResult<OpenOutcome> {
        self.write(move |c| cases::open_case(c, &new)).await
    }

    async fn append(&self, append: Append) -> StoreResult<CaseHead> {
        self.write(move |c| cases::append(c, &append)).await
    }

    async fn load_case(&self, id: CaseId) -> StoreResult<Option<StoredCase>> {
        self.read(move |c| cases::load_case(c, id)).await
    }

    async fn case_by_customer_token(&self, token: &str) -> StoreResult<Option<CaseId>> {
        let token = token.to_string();
        self.read(move |c| cases::case_by_customer_token(c, &token))
            .await
    }

    async fn list_cases(&self, filter: CaseFilter) -> StoreResult<Vec<CaseHead>> {
        let inner = self.inner.clone();
        self.read(move |c| {
            if filter.search.is_some() {
                // What was acknowledged before this search must be findable by it.
                inner.search.catch_up(c);
            }
            case_lists::list_cases(c, &filter)
        })
        .await
    }

    async fn count_cases(&self, filter: CaseFilter) -> StoreResult<u64> {
        let inner = self.inner.clone();
        self.read(move |c| {
            if filter.search.is_some() {
                inner.search.catch_up(c);
            }
            case_lists::count_cases(c, &filter)
        })
        .await
    }

    async fn add_canned_reply(
        &self,
        reply: CannedReply,
        by: PersonId,
        at: DateTime<Utc>,
    ) -> StoreResult<CannedReply> {
        self.write(move |c| canned_replies::add(c, &reply, by, at))
            .await
    }

    async fn canned_replies(&self, person: PersonId) -> StoreResult<Vec<CannedReply>> {
        self.read(move |c| canned_replies::for_person(c, person))
            .await
    }

    async fn update_canned_reply(&self, reply: CannedReply) -> StoreResult<bool> {
        self.write(move |c| canned_replies::update(c, &reply)).await
    }

    async fn delete_canned_reply(&self, id: i64) -> StoreResult<bool> {
        self.write(move |c| canned_replies::delete(c, id)).await
    }

    async fn save_view(
        &self,
        person: PersonId,
        view: SavedView,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.write(move |c| saved_views::save_view(c, person, &view, at))
            .await
    }

    async fn saved_views(&self, person: PersonId) -> StoreResult<Vec<SavedView>> {
        self.read(move |c| saved_views::saved_views(c, person))
            .await
    }

    async fn delete_view(&self, person: PersonId, name: &str) -> StoreResult<bool> {
        let name = name.to_string();
        self.write(move |c| saved_views::delete_view(c, person, &name))
            .await
    }

    async fn events(
        &self,
        filter: EventFilter,
    ) -> StoreResult<Vec<(CaseHead, roadone_domain::Event)>> {
        self.read(move |c| cases::events(c, &filter)).await
    }

    async fn customer(&self, id: i64) -> StoreResult<Option<CustomerRecord>> {
        self.read(move |c| customers::customer(c, id)).await
    }

    async fn customer_by_email(&self, email: &str) -> StoreResult<Option<CustomerRecord>> {
        let email = email.to_string();
        self.read(move |c| customer_access::customer_by_email(c, &email))
            .await
    }

    async fn find_customers(
        &self,
        query: CustomerQuery,
        limit: u32,
    ) -> StoreResult<Vec<CustomerRecord>> {
        self.read(move |c| customer_access::find_customers(c, &query, limit))
            .await
    }

    async fn merge_customers(
        &self,
        from: i64,
        into: i64,
        by: PersonId,
        at: DateTime<Utc>,
    ) -> StoreResult<MergeOutcome> {
        self.write(move |c| customers::merge_customers(c, from, into, by, at))
            .await
    }

    async fn add_sign_in_link(&self, link: SignInLink) -> StoreResult<()> {
        self.write(move |c| customer_access::add_sign_in_link(c, &link))
            .await
    }

    async fn redeem_sign_in_link(
        &self,
        link_hash: &[u8],
        now: DateTime<Utc>,
        session: NewSession,
    ) -> StoreResult<Option<i64>> {
        let hash = link_hash.to_vec();
        self.write(move |c| customer_access::redeem_sign_in_link(c, &hash, now, &session))
            .await
    }

    async fn customer_session(
        &self,
        session_hash: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<i64>> {
        let hash = session_hash.to_vec();
        self.read(move |c| customer_access::customer_session(c, &hash, now))
            .await
    }

    async fn end_customer_session(&self, session_hash: &[u8]) -> StoreResult<()> {
        let hash = session_hash.to_vec();
        self.write(move |c| customer_access::end_customer_session(c, &hash))
            .await
    }

    async fn set_password_hash(&self, person: PersonId, hash: &str) -> StoreResult<()> {
        let hash = hash.to_string();
        self.write(move |c| staff_access::set_password_hash(c, person, &hash))
            .await
    }

    async fn password_hash(&self, email: &str) -> StoreResult<Option<(PersonId, Option<String>)>> {
        let email = email.to_string();
        self.read(move |c| staff_access::password_hash(c, &email))
            .await
    }

    async fn add_staff_session(&self, person: PersonId, session: NewSession) -> StoreResult<()> {
        self.write(move |c| staff_access::add_staff_session(c, person, &session))
            .await
    }

    async fn staff_session(
        &self,
        session_hash: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<PersonId>> {
        let hash = session_hash.to_vec();
        self.read(move |c| staff_access::staff_session(c, &hash, now))
            .await
    }

    async fn end_staff_session(&self, session_hash: &[u8]) -> StoreResult<()> {
        let hash = session_hash.to_vec();
        self.write(move |c| staff_access::end_staff_session(c, &hash))
            .await
    }

    async fn customer_orders(&self, customer: i64) -> StoreResult<Vec<OrderSummary>> {
        self.read(move |c| orders::customer_orders(c, customer))
            .await
    }

    async fn add_password_link(&self, link: PasswordLink) -> StoreResult<()> {
        self.write(move |c| staff_access::add_password_link(c, &link))
            .await
    }

    async fn password_link(
        &self,
        link_hash: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(PersonId, PasswordLinkPurpose)>> {
        let hash = link_hash.to_vec();
        self.read(move |c| staff_access::password_link(c, &hash, now))
            .await
    }

    async fn redeem_password_link(
        &self,
        link_hash: &[u8],
        now: DateTime<Utc>,
        password_hash: &str,
    ) -> StoreResult<Option<PersonId>> {
        let (hash, password_hash) = (link_hash.to_vec(), password_hash.to_string());
        self.write(move |c| staff_access::redeem_password_link(c, &hash, now, &password_hash))
            .await
    }

    async fn accounts(&self, now: DateTime<Utc>) -> StoreResult<Vec<AccountState>> {
        self.read(move |c| staff_access::accounts(c, now)).await
    }

    async fn second_factor(&self, person: PersonId) -> StoreResult<Option<SecondFactor>> {
        self.read(move |c| second_factor::second_factor(c, person))
            .await
    }

    async fn begin_second_factor(
        &self,
        person: PersonId,
        secret: Vec<u8>,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.write(move |c| second_factor::begin_second_factor(c, person, &secret, at))
            .await
    }

    async fn enable_second_factor(
        &self,
        person: PersonId,
        secret: Vec<u8>,
        step: i64,
        codes: Vec<Vec<u8>>,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.write(move |c| {
            second_factor::enable_second_factor(c, person, &secret, step, &codes, at)
        })
        .await
    }

    async fn accept_second_factor_step(&self, person: PersonId, step: i64) -> StoreResult<bool> {
        self.write(move |c| second_factor::accept_step(c, person, step))
            .await
    }

    async fn use_recovery_code(
        &self,
        person: PersonId,
        code_hash: Vec<u8>,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<u32>> {
        self.write(move |c| second_factor::use_recovery_code(c, person, &code_hash, at))
            .await
    }

    async fn replace_recovery_codes(
        &self,
        person: PersonId,
        codes: Vec<Vec<u8>>,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.write(move |c| second_factor::replace_recovery_codes(c, person, &codes, at))
            .await
    }

    async fn remove_second_factor(&self, person: PersonId) -> StoreResult<bool> {
        self.write(move |c| second_factor::remove_second_factor(c, person))
            .await
    }

    async fn add_pending_sign_in(&self, pending: PendingSignIn) -> StoreResult<()> {
        self.write(move |c| second_factor::add_pending_sign_in(c, &pending))
            .await
    }

    async fn pending_sign_in(
        &self,
        pending_hash: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<PersonId>> {
        let hash = pending_hash.to_vec();
        self.read(move |c| second_factor::pending_sign_in(c, &hash, now))
            .await
    }

    async fn finish_pending_sign_in(
        &self,
        pending_hash: &[u8],
        now: DateTime<Utc>,
        session: NewSession,
    ) -> StoreResult<Option<PersonId>> {
        let hash = pending_hash.to_vec();
        self.write(move |c| second_factor::finish_pending_sign_in(c, &hash, now, &session))
            .await
    }

    async fn claim_due_timers(
        &self,
        by: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<DueTimer>> {
        let by = by.to_string();
        self.write(move |c| timers::claim_due_timers(c, &by, now, now + lease, limit))
            .await
    }

    async fn next_timer_due(&self) -> StoreResult<Option<DateTime<Utc>>> {
        self.read(timers::next_timer_due).await
    }

    async fn claim_outbox(
        &self,
        by: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<OutboxRow>> {
        let by = by.to_string();
        self.write(move |c| outbox::claim_outbox(c, &by, now, now + lease, limit))
            .await
    }

    async fn outbox_sent(&self, id: i64, at: DateTime<Utc>) -> StoreResult<()> {
        self.write(move |c| outbox::outbox_sent(c, id, at)).await
    }

    async fn outbox_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let error = error.to_string();
        self.write(move |c| outbox::outbox_failed(c, id, &error, retry_at, at))
            .await
    }

    async fn sent_to_customer(
        &self,
        email: &str,
        template: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<u32> {
        let (email, template) = (email.to_string(), template.to_string());
        self.read(move |c| outbox::sent_to_customer(c, &email, &template, since))
            .await
    }

    async fn events_of_active_cases(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        kinds: Vec<roadone_domain::EventKind>,
    ) -> StoreResult<Vec<(CaseId, Event)>> {
        self.read(move |c| reports::events_of_active_cases(c, from, to, &kinds))
            .await
    }

    async fn add_orders(
        &self,
        orders: Vec<NewOrder>,
        at: DateTime<Utc>,
    ) -> StoreResult<OrdersOutcome> {
        self.write(move |c| orders::add_orders(c, &orders, at))
            .await
    }

    async fn order_currencies(&self) -> StoreResult<Vec<(String, u64)>> {
        self.read(orders::order_currencies).await
    }

    async fn orders_in(
        &self,
        currency: String,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<OrderAmount>> {
        self.read(move |c| orders::orders_in(c, &currency, from, to))
            .await
    }

    async fn case_outcomes(&self) -> StoreResult<Vec<CaseOutcome>> {
        self.read(orders::case_outcomes).await
    }

    async fn backlog(&self, now: DateTime<Utc>) -> StoreResult<Backlog> {
        self.read(move |c| instances::backlog(c, now)).await
    }

    async fn register_instance(
        &self,
        instance: Instance,
        now: DateTime<Utc>,
    ) -> StoreResult<Released> {
        self.write(move |c| instances::register(c, &instance, now))
            .await
    }

    async fn heartbeat(
        &self,
        id: &str,
        now: DateTime<Utc>,
        stale_after: Duration,
    ) -> StoreResult<Released> {
        let id = id.to_string();
        self.write(move |c| instances::heartbeat(c, &id, now, stale_after))
            .await
    }

    async fn stop_instance(&self, id: &str, now: DateTime<Utc>) -> StoreResult<Released> {
        let id = id.to_string();
        self.write(move |c| instances::stop(c, &id, now)).await
    }

    async fn inbound_seen(
        &self,
        sender: &str,
        message_key: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<Option<InboundRecord>> {
        let (sender, key) = (sender.to_string(), message_key.to_string());
        self.read(move |c| instances::inbound_seen(c, &sender, &key, since))
            .await
    }

    async fn record_inbound(&self, record: InboundRecord) -> StoreResult<()> {
        self.write(move |c| instances::record_inbound(c, &record))
            .await
    }

    async fn cases_opened_by_mail(
        &self,
        sender: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<(u32, Option<CaseId>)> {
        let sender = sender.to_string();
        self.read(move |c| instances::cases_opened_by_mail(c, &sender, since))
            .await
    }

    fn health(&self) -> StoreHealth {
        SqliteStore::health(self)
    }

    async fn backup(&self, to: &Path) -> StoreResult<()> {
        let to = to.to_path_buf();
        self.read(move |c| backup::copy_to(c, &to)).await
    }
}
