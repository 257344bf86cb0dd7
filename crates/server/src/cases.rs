//! Reading cases: one case with its events, lists of cases, and the event feed. The
//! writes (opening a case, acting on it) are in `service.rs`.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use roadone_domain::{Case, CaseId, Event};
use roadone_store::{CaseFilter, CaseHead, CaseOutcome, EventFilter, StoredCase};

impl AppState {
    /// A case as stored, or `None` when there is no such case.
    pub async fn load_case(&self, id: CaseId) -> AppResult<Option<StoredCase>> {
        Ok(self.store.load_case(id).await?)
    }

    /// A case as stored and as its events fold; not found is an error (404).
    pub async fn case(&self, id: CaseId) -> AppResult<(StoredCase, Case)> {
        let stored = self
            .load_case(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("case {id}")))?;
        let case = Case::from_events(&stored.events)?;
        Ok((stored, case))
    }

    /// Cases matching `filter` (owner, status, customer, words), open ones first. A search
    /// that is a case's reference as a person would type it finds that case: only it when
    /// marked as one (`RD-003001`, `rd 3001`, `#3001`), first when a bare number (`3001`),
    /// then whatever else the number matches.
    pub async fn list_cases(&self, filter: CaseFilter) -> AppResult<Vec<CaseHead>> {
        let search = filter.search.as_deref().unwrap_or("").trim();
        let Some(id) = roadone_store::reference_in(search) else {
            return Ok(self.store.list_cases(filter).await?);
        };
        let named = match filter.offset {
            0 => self
                .store
                .load_case(id)
                .await?
                .map(|stored| stored.head)
                .filter(|head| within(&filter, head)),
            _ => None,
        };
        // Marked as a reference (`RD-…`, `#…`), it means that case and nothing else.
        let lower = search.to_ascii_lowercase();
        if lower.starts_with("rd") || lower.starts_with('#') {
            return Ok(named.into_iter().collect());
        }
        let mut heads = self.store.list_cases(filter.clone()).await?;
        if let Some(head) = named {
            heads.retain(|h| h.id != head.id);
            heads.insert(0, head);
            heads.truncate(filter.limit.max(1) as usize);
        }
        Ok(heads)
    }

    /// What became of every case (owner, solver, customer, times): customer math's input.
    pub async fn case_outcomes(&self) -> AppResult<Vec<CaseOutcome>> {
        Ok(self.store.case_outcomes().await?)
    }

    /// Events matching `filter`, newest first, each with its case's row.
    pub async fn events(&self, filter: EventFilter) -> AppResult<Vec<(CaseHead, Event)>> {
        Ok(self.store.events(filter).await?)
    }
}

/// Whether a case named by its reference is one the filter's other conditions allow (whose
/// cases, which state, which customer, which category), so a reference never shows a
/// case the list would not.
fn within(filter: &CaseFilter, head: &CaseHead) -> bool {
    filter.owner.is_none_or(|o| o == head.owner)
        && filter.status.is_none_or(|s| s == head.status)
        && filter.customer_id.is_none_or(|c| c == head.customer_id)
        && filter
            .category
            .as_deref()
            .is_none_or(|c| c == head.category)
        && filter.text.is_none()
}
