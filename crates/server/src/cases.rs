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

    /// Cases matching `filter` (owner, status, customer, words), open ones first.
    pub async fn list_cases(&self, filter: CaseFilter) -> AppResult<Vec<CaseHead>> {
        Ok(self.store.list_cases(filter).await?)
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
