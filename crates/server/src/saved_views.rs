//! A person's saved views of the case list: a name for a view's query string, so the
//! list they check every morning is one click away.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use roadone_domain::PersonId;
use roadone_store::SavedView;

/// How many views one person may keep (a menu, not a database).
pub const MOST: usize = 30;

impl AppState {
    pub async fn saved_views(&self, person: PersonId) -> AppResult<Vec<SavedView>> {
        Ok(self.store.saved_views(person).await?)
    }

    /// Saves `query` (already checked as a view of `person`'s) under `name`.
    pub async fn save_view(&self, person: PersonId, name: &str, query: String) -> AppResult<()> {
        let name = name.trim();
        if name.is_empty() {
            return Err(AppError::invalid("name", "give the view a name"));
        }
        if name.chars().count() > 60 || name.chars().any(char::is_control) {
            return Err(AppError::invalid(
                "name",
                "must be one line of at most 60 characters",
            ));
        }
        let existing = self.store.saved_views(person).await?;
        if existing.len() >= MOST && !existing.iter().any(|v| v.name == name) {
            return Err(AppError::invalid(
                "name",
                format!("you keep {MOST} views already; delete one first"),
            ));
        }
        let view = SavedView {
            name: name.to_string(),
            query,
        };
        Ok(self.store.save_view(person, view, self.clock.now()).await?)
    }

    pub async fn delete_view(&self, person: PersonId, name: &str) -> AppResult<bool> {
        Ok(self.store.delete_view(person, name).await?)
    }
}
