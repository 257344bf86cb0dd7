//! An experiment's settings as people send them (the API's JSON, the admin page's form),
//! read into the domain's settings with each mistake named at its field.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use roadone_domain::{Channel, ExperimentSettings, PersonId};
use serde::Deserialize;
use utoipa::ToSchema;

/// The look-back for CUPED when none is given: purchases are sparse, so 90 days.
pub const DEFAULT_LOOK_BACK_DAYS: u32 = 90;

/// An experiment's settings as sent (the API's JSON, the admin page's form), to set one up
/// (with `key`) or change one (with `expected_version`): times as RFC 3339 or plain dates,
/// channels by name.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsInput {
    /// To set one up: seeds the split and never changes (1–64 lowercase letters, digits,
    /// `-`, `_`). In a change, the path's key or absent.
    pub key: Option<String>,
    /// To change one: the version the change was made on, so that a change made by
    /// someone else meanwhile is a 409 rather than lost.
    pub expected_version: Option<u32>,
    pub name: String,
    #[serde(default)]
    pub hypothesis: String,
    /// The people who serve treated customers (at least one, each able to own cases).
    pub team: Vec<PersonId>,
    /// The share of new customers treated, strictly between 0 and 1 (0.01 is 1%).
    pub fraction: f64,
    /// Channels whose new cases take customers in (email, web, portal, api, phone);
    /// empty or absent: every channel.
    #[serde(default)]
    pub channels: Vec<String>,
    /// Category keys whose new cases take customers in; empty or absent: every category.
    #[serde(default)]
    pub categories: Vec<String>,
    /// RFC 3339 or a date: when it is planned to start and to end (the fixed horizon of
    /// the decision; no one is taken in after it).
    pub planned_start: String,
    pub planned_end: String,
    /// What the team costs a month, for the payback figure.
    pub monthly_cost: Option<f64>,
    /// Of the cost and of the sales compared; default: the currency most orders are in.
    pub currency: Option<String>,
    /// Days of each customer's history before assignment read for CUPED (default 90).
    pub look_back_days: Option<u32>,
}

impl AppState {
    /// The settings `input` says; the currency defaults to the one most orders are in.
    /// The domain's checks (team, fraction, categories, dates) come after, on saving.
    pub async fn experiment_settings(
        &self,
        input: &SettingsInput,
    ) -> AppResult<ExperimentSettings> {
        let time = |field: &str, text: &str| {
            if text.trim().is_empty() {
                return Err(AppError::invalid(
                    field,
                    "is required: a date like 2026-03-05 or a time like 2026-03-05T09:00:00Z",
                ));
            }
            crate::orders::time(text).map_err(|e| AppError::invalid(field, e))
        };
        let channels = input
            .channels
            .iter()
            .map(|c| {
                Channel::parse(c.trim()).ok_or_else(|| {
                    AppError::invalid(
                        "channels",
                        format!("{c:?} is not a channel: email, web, portal, api or phone"),
                    )
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        let currency = match input.currency.as_deref().map(str::trim) {
            Some(c) if !c.is_empty() => {
                crate::orders::currency(c).map_err(|e| AppError::invalid("currency", e))?
            }
            _ => self
                .store
                .order_currencies()
                .await?
                .into_iter()
                .max_by_key(|(_, n)| *n)
                .map(|(c, _)| c)
                .unwrap_or_else(|| "EUR".into()),
        };
        let mut categories: Vec<String> = input
            .categories
            .iter()
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect();
        categories.dedup();
        let mut team = input.team.clone();
        team.dedup();
        Ok(ExperimentSettings {
            name: input.name.trim().to_string(),
            hypothesis: input.hypothesis.trim().to_string(),
            team,
            fraction: input.fraction,
            channels,
            categories,
            planned_start: time("planned_start", &input.planned_start)?,
            planned_end: time("planned_end", &input.planned_end)?,
            monthly_cost: input.monthly_cost.unwrap_or(0.0),
            currency,
            look_back_days: input.look_back_days.unwrap_or(DEFAULT_LOOK_BACK_DAYS),
        })
    }
}
