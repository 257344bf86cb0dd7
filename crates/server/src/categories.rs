//! Adding and editing categories: the checks both the API and the admin pages make before
//! the store is touched, and the directory refresh after.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use roadone_domain::Category;
use std::collections::HashSet;

const KEY_RULE: &str = "use 1 to 64 lowercase letters, digits, '-' or '_'";

fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 64
        && k.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// Refuses a category that intake could not work with, naming the field.
pub fn check(category: &Category) -> AppResult<()> {
    if !valid_key(&category.key) {
        return Err(AppError::invalid("key", KEY_RULE));
    }
    if category.name.trim().is_empty() {
        return Err(AppError::invalid("name", "is required"));
    }
    if category.name.chars().count() > 200 {
        return Err(AppError::invalid("name", "must be at most 200 characters"));
    }
    let mut seen = HashSet::new();
    for (i, item) in category.checklist.iter().enumerate() {
        if !valid_key(&item.key) {
            return Err(AppError::invalid(&format!("checklist[{i}].key"), KEY_RULE));
        }
        if !seen.insert(item.key.as_str()) {
            return Err(AppError::invalid(
                &format!("checklist[{i}].key"),
                format!("{:?} appears twice", item.key),
            ));
        }
        if item.label.trim().is_empty() {
            return Err(AppError::invalid(
                &format!("checklist[{i}].label"),
                "is required",
            ));
        }
        if let Some(pattern) = &item.pattern {
            let field = format!("checklist[{i}].pattern");
            if pattern.len() > 500 {
                return Err(AppError::invalid(&field, "must be at most 500 characters"));
            }
            regex::Regex::new(pattern).map_err(|e| {
                AppError::invalid(&field, format!("not a valid regular expression: {e}"))
            })?;
        }
    }
    Ok(())
}

/// The manager and executive must be active people: cases are passed to them.
fn check_people(state: &AppState, category: &Category) -> AppResult<()> {
    let snapshot = state.directory.snapshot();
    for (field, id) in [
        ("manager", category.manager),
        ("executive", category.executive),
    ] {
        snapshot.active_person(field, id)?;
    }
    Ok(())
}

pub async fn add(state: &AppState, category: Category) -> AppResult<Category> {
    check(&category)?;
    check_people(state, &category)?;
    let created = state
        .store
        .add_category(category, state.clock.now())
        .await?;
    state.refresh_directory().await?;
    Ok(created)
}

/// Replaces everything but the key. Open cases keep the facts they were opened with; the
/// new checklist applies to intakes from now on.
pub async fn update(state: &AppState, category: Category) -> AppResult<Category> {
    if !state
        .directory
        .snapshot()
        .categories
        .contains_key(&category.key)
    {
        return Err(AppError::NotFound(format!("category {:?}", category.key)));
    }
    check(&category)?;
    check_people(state, &category)?;
    let updated = state.store.update_category(category).await?;
    state.refresh_directory().await?;
    Ok(updated)
}

impl AppState {
    /// Every category, by key.
    pub async fn categories(&self) -> AppResult<Vec<Category>> {
        Ok(self.store.categories().await?)
    }
}
