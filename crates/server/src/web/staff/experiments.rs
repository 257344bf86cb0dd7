//! The administrator's pages of delight experiments: the list with a form to set one up,
//! and each experiment's page to change its settings (a new version once started), start,
//! pause, resume or end it, and read its history.

use crate::app::AppState;
use crate::error::AppError;
use crate::experiments::input::SettingsInput;
use crate::http::upload::UploadForm;
use crate::web::flash::Flashed;
use crate::web::pages::{html, WebError, WebResult};
use crate::web::staff::admin::{admin_form, admin_only, done_redirect, refused};
use crate::web::staff::session::{Me, SignedIn};
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roadone_domain::{Capability, Channel, ExperimentSettings, Lifecycle};
use roadone_store::ExperimentRecord;

const PATH: &str = "/staff/admin/experiments";

/// A choice of a checkbox list (team, channels, categories).
#[derive(Debug)]
struct Choice {
    value: String,
    label: String,
    checked: bool,
}

/// The form's values, as typed or as stored.
#[derive(Debug, Default)]
struct Typed {
    key: String,
    name: String,
    hypothesis: String,
    percent: String,
    planned_start: String,
    planned_end: String,
    monthly_cost: String,
    currency: String,
    look_back_days: String,
    team: Vec<String>,
    channels: Vec<String>,
    categories: Vec<String>,
}

impl Typed {
    fn of(key: &str, s: &ExperimentSettings) -> Typed {
        Typed {
            key: key.to_string(),
            name: s.name.clone(),
            hypothesis: s.hypothesis.clone(),
            percent: format!("{}", s.fraction * 100.0),
            planned_start: s.planned_start.format("%Y-%m-%d").to_string(),
            planned_end: s.planned_end.format("%Y-%m-%d").to_string(),
            monthly_cost: format!("{}", s.monthly_cost),
            currency: s.currency.clone(),
            look_back_days: s.look_back_days.to_string(),
            team: s.team.iter().map(|t| t.to_string()).collect(),
            channels: s.channels.iter().map(|c| c.as_str().to_string()).collect(),
            categories: s.categories.clone(),
        }
    }

    fn read(form: &UploadForm) -> Typed {
        let all = |name: &str| form.all(name).into_iter().map(String::from).collect();
        Typed {
            key: form.given("key").unwrap_or_default(),
            name: form.given("name").unwrap_or_default(),
            hypothesis: form.given("hypothesis").unwrap_or_default(),
            percent: form.given("percent").unwrap_or_default(),
            planned_start: form.given("planned_start").unwrap_or_default(),
            planned_end: form.given("planned_end").unwrap_or_default(),
            monthly_cost: form.given("monthly_cost").unwrap_or_default(),
            currency: form.given("currency").unwrap_or_default(),
            look_back_days: form.given("look_back_days").unwrap_or_default(),
            team: all("team"),
            channels: all("channels"),
            categories: all("categories"),
        }
    }

    /// The settings as the service reads them; numbers that are not numbers are refused
    /// at their field.
    fn input(&self) -> Result<SettingsInput, AppError> {
        let percent: f64 = self.percent.trim().parse().map_err(|_| {
            AppError::invalid(
                "percent",
                "give the share treated as a number, e.g. 1 for 1%",
            )
        })?;
        let optional = |field: &str, text: &str| -> Result<Option<f64>, AppError> {
            match text.trim() {
                "" => Ok(None),
                t => t
                    .parse()
                    .map(Some)
                    .map_err(|_| AppError::invalid(field, format!("{t:?} is not a number"))),
            }
        };
        let look_back = optional("look_back_days", &self.look_back_days)?
            .map(|d| {
                if d.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&d) {
                    Ok(d as u32)
                } else {
                    Err(AppError::invalid("look_back_days", "give whole days"))
                }
            })
            .transpose()?;
        let team = self
            .team
            .iter()
            .map(|t| {
                t.parse()
                    .map_err(|_| AppError::invalid("team", "choose people"))
            })
            .collect::<Result<_, _>>()?;
        Ok(SettingsInput {
            key: Some(self.key.trim().to_string()),
            expected_version: None,
            name: self.name.clone(),
            hypothesis: self.hypothesis.clone(),
            team,
            fraction: percent / 100.0,
            channels: self.channels.clone(),
            categories: self.categories.clone(),
            planned_start: self.planned_start.clone(),
            planned_end: self.planned_end.clone(),
            monthly_cost: optional("monthly_cost", &self.monthly_cost)?,
            currency: Some(self.currency.clone()).filter(|c| !c.trim().is_empty()),
            look_back_days: look_back,
        })
    }
}

#[derive(Debug)]
struct Row {
    key: String,
    name: String,
    state: &'static str,
    version: u32,
    share: String,
    team: String,
    dates: String,
}

#[derive(Debug)]
struct HistoryRow {
    when: String,
    what: String,
    version: u32,
    by: String,
}

#[derive(askama::Template)]
#[template(path = "web/staff/admin_experiments.html")]
struct ExperimentsPage {
    me: Me,
    csrf: String,
    rows: Vec<Row>,
    /// Set when the page shows one experiment: its key, state and version.
    editing: Option<(String, &'static str, u32)>,
    steps: Vec<(&'static str, &'static str)>,
    history: Vec<HistoryRow>,
    typed: Typed,
    team: Vec<Choice>,
    channels: Vec<Choice>,
    categories: Vec<Choice>,
    problem: Option<String>,
    notice: Option<String>,
}

/// The steps a state allows, as (step, button label).
fn steps_of(state: roadone_domain::ExperimentState) -> Vec<(&'static str, &'static str)> {
    [
        (Lifecycle::Start, "start", "Start"),
        (Lifecycle::Pause, "pause", "Pause"),
        (Lifecycle::Resume, "resume", "Resume"),
        (Lifecycle::End, "end", "End for good"),
    ]
    .into_iter()
    .filter(|(s, _, _)| s.apply(state).is_ok())
    .map(|(_, step, label)| (step, label))
    .collect()
}

async fn page(
    state: &AppState,
    me: &SignedIn,
    editing: Option<&ExperimentRecord>,
    typed: Typed,
    notice: Option<String>,
    problem: Option<(StatusCode, String)>,
) -> WebResult<Response> {
    let snapshot = state.directory.snapshot();
    let zone = state.company_zone();
    let rows = snapshot
        .experiments
        .iter()
        .map(|r| {
            let s = &r.experiment.settings;
            Row {
                key: r.experiment.key.clone(),
                name: s.name.clone(),
                state: r.experiment.state.as_str(),
                version: r.experiment.version,
                share: format!("{}%", s.fraction * 100.0),
                team: s
                    .team
                    .iter()
                    .map(|id| snapshot.person_name(*id))
                    .collect::<Vec<_>>()
                    .join(", "),
                dates: format!(
                    "{} to {}",
                    s.planned_start.format("%Y-%m-%d"),
                    s.planned_end.format("%Y-%m-%d")
                ),
            }
        })
        .collect();
    let choices = |values: Vec<(String, String)>, checked: &[String]| -> Vec<Choice> {
        values
            .into_iter()
            .map(|(value, label)| Choice {
                checked: checked.contains(&value),
                value,
                label,
            })
            .collect()
    };
    let people = snapshot
        .hierarchy
        .people()
        .filter(|p| p.active && p.role.may(Capability::TakeCases))
        .map(|p| (p.id.to_string(), format!("{} ({})", p.name, p.role)))
        .collect();
    let channels = Channel::ALL
        .into_iter()
        .map(|c| (c.as_str().to_string(), c.as_str().to_string()))
        .collect();
    let categories = snapshot
        .category_choices()
        .into_iter()
        .map(|c| (c.key, c.name))
        .collect();
    let status = problem.as_ref().map_or(StatusCode::OK, |(s, _)| *s);
    let html = html(&ExperimentsPage {
        me: me.me(),
        csrf: me.csrf.clone(),
        rows,
        editing: editing.map(|r| {
            (
                r.experiment.key.clone(),
                r.experiment.state.as_str(),
                r.experiment.version,
            )
        }),
        steps: editing.map_or_else(Vec::new, |r| steps_of(r.experiment.state)),
        history: editing.map_or_else(Vec::new, |r| {
            r.events
                .iter()
                .map(|e| HistoryRow {
                    when: zone.when(e.at),
                    what: e.kind.clone(),
                    version: e.version,
                    by: snapshot.person_name(e.by),
                })
                .collect()
        }),
        team: choices(people, &typed.team),
        channels: choices(channels, &typed.channels),
        categories: choices(categories, &typed.categories),
        typed,
        problem: problem.map(|(_, m)| m),
        notice,
    })?;
    Ok((status, html).into_response())
}

/// A refusal in the page's words: the share is typed as a percentage here.
fn shown_refusal(e: AppError) -> Result<(StatusCode, String), AppError> {
    let (status, message) = refused(match e {
        AppError::Domain(d) => AppError::Invalid {
            code: "invalid",
            message: d.to_string(),
            field: d.field(),
        },
        other => other,
    })?;
    let message = if message.starts_with("fraction:") {
        message.replace(
            "fraction: must be more than 0 and less than 1 (0.01 treats 1% of new customers)",
            "The share treated must be more than 0% and less than 100%.",
        )
    } else {
        message
    };
    Ok((status, message))
}

pub async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    flash: Flashed,
) -> WebResult<Response> {
    admin_only(&me)?;
    let typed = Typed {
        percent: "1".into(),
        look_back_days: "90".into(),
        ..Typed::default()
    };
    let shown = page(&state, &me, None, typed, flash.notice(), None).await?;
    Ok(flash.shown(shown))
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    Path(key): Path<String>,
    flash: Flashed,
) -> WebResult<Response> {
    admin_only(&me)?;
    let record = state.experiment(&key)?;
    let typed = Typed::of(&key, &record.experiment.settings);
    let shown = page(&state, &me, Some(&record), typed, flash.notice(), None).await?;
    Ok(flash.shown(shown))
}

pub async fn create(
    State(state): State<AppState>,
    me: SignedIn,
    request: Request,
) -> WebResult<Response> {
    let form = admin_form(&state, &me, request).await?;
    let typed = Typed::read(&form);
    let made = async {
        let input = typed.input()?;
        let settings = state.experiment_settings(&input).await?;
        state
            .create_experiment(me.person.id, &typed.key, settings)
            .await
    }
    .await;
    match made {
        Ok(r) => Ok(done_redirect(
            &state,
            &format!("{PATH}/{}", r.experiment.key),
            &format!(
                "{} is set up as a draft: nobody is placed until it starts.",
                r.experiment.settings.name
            ),
        )),
        Err(e) => {
            let problem = shown_refusal(e)?;
            page(&state, &me, None, typed, None, Some(problem)).await
        }
    }
}

/// Saves the settings (`change`) or takes a step (`step`) of experiment `key`.
pub async fn act(
    State(state): State<AppState>,
    me: SignedIn,
    Path((key, action)): Path<(String, String)>,
    request: Request,
) -> WebResult<Response> {
    let form = admin_form(&state, &me, request).await?;
    let record = state.experiment(&key)?;
    let here = format!("{PATH}/{key}");
    let (done, typed) = match action.as_str() {
        "change" => {
            let mut typed = Typed::read(&form);
            typed.key = key.clone();
            let expected = form
                .given("version")
                .and_then(|v| v.parse().ok())
                .unwrap_or(record.experiment.version);
            let done = async {
                let settings = state.experiment_settings(&typed.input()?).await?;
                state
                    .change_experiment(me.person.id, &key, expected, settings)
                    .await
            }
            .await
            .map(|r| match r.experiment.state {
                roadone_domain::ExperimentState::Draft => "The draft is saved.".to_string(),
                _ => format!(
                    "Saved as version {}: customers keep their arm, and the report splits by \
                     version.",
                    r.experiment.version
                ),
            });
            (done, typed)
        }
        "step" => {
            let step = form
                .given("step")
                .and_then(|s| Lifecycle::parse(&s))
                .ok_or_else(|| AppError::invalid("step", "choose start, pause, resume or end"));
            let done = match step {
                Ok(step) => state
                    .experiment_step(me.person.id, &key, step)
                    .await
                    .map(|r| format!("The experiment is {} now.", r.experiment.state.as_str())),
                Err(e) => Err(e),
            };
            (done, Typed::of(&key, &record.experiment.settings))
        }
        other => {
            return Err(WebError(AppError::NotFound(format!(
                "the action {other:?}"
            ))))
        }
    };
    match done {
        Ok(notice) => Ok(done_redirect(&state, &here, &notice)),
        Err(e) => {
            let problem = shown_refusal(e)?;
            let record = state.experiment(&key)?;
            page(&state, &me, Some(&record), typed, None, Some(problem)).await
        }
    }
}
