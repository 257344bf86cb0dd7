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

    /// Cases matching `filter`, in its order. A search that is a case's reference as a
    /// person would type it finds that case: only it when marked as one (`RD-003001`,
    /// `rd 3001`, `#3001`), first when a bare number (`3001`), then whatever else the
    /// number matches. The named case must pass the filter's other conditions too.
    pub async fn list_cases(&self, filter: CaseFilter) -> AppResult<Vec<CaseHead>> {
        let Some((id, marked)) = reference_of(&filter) else {
            return Ok(self.store.list_cases(filter).await?);
        };
        let named = match filter.offset {
            0 => self.store.list_cases(only(&filter, id)).await?.pop(),
            _ => None,
        };
        if marked {
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

    /// How many cases `list_cases` would give over all pages.
    pub async fn count_cases(&self, filter: CaseFilter) -> AppResult<u64> {
        let Some((id, marked)) = reference_of(&filter) else {
            return Ok(self.store.count_cases(filter).await?);
        };
        let named = self.store.count_cases(only(&filter, id)).await?;
        if marked {
            return Ok(named);
        }
        let matched = self.store.count_cases(filter.clone()).await?;
        let both = self
            .store
            .count_cases(CaseFilter {
                id: Some(id),
                ..filter
            })
            .await?;
        Ok(matched + named - both)
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

/// The case a search names by its reference, and whether it was marked as one.
fn reference_of(filter: &CaseFilter) -> Option<(CaseId, bool)> {
    let search = filter.search.as_deref().unwrap_or("").trim();
    let id = roadone_store::reference_in(search)?;
    let lower = search.to_ascii_lowercase();
    Some((id, lower.starts_with("rd") || lower.starts_with('#')))
}

/// `filter` narrowed to the one case `id`, its words set aside (they named the case).
fn only(filter: &CaseFilter, id: CaseId) -> CaseFilter {
    CaseFilter {
        id: Some(id),
        search: None,
        offset: 0,
        limit: 1,
        ..filter.clone()
    }
}
