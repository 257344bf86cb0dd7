//! The administrator's categories page: each category with its intake checklist, the
//! manager who receives upgrades and the executive who receives escalations. Adding and
//! editing go through `crate::categories`, the same checks the API makes.

use crate::app::AppState;
use crate::error::AppError;
use crate::http::upload::UploadForm;
use crate::web::flash::Flashed;
use crate::web::pages::{html, WebResult};
use crate::web::staff::admin::{admin_form, admin_only, done_redirect, refused};
use crate::web::staff::session::{Me, SignedIn};
use crate::web::staff::PersonChoice;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roadone_domain::{Category, ChecklistItem, PersonId, Role};

/// Empty rows offered under a checklist for new items (no JavaScript needed to add one).
const BLANK_ROWS: usize = 3;

/// People a category can name: anyone active for the manager, executives for escalations.
fn choices(state: &AppState) -> (Vec<PersonChoice>, Vec<PersonChoice>) {
    let snapshot = state.directory.snapshot();
    let mut active: Vec<_> = snapshot.hierarchy.people().filter(|p| p.active).collect();
    active.sort_by(|a, b| a.name.cmp(&b.name));
    let view = |p: &&roadone_domain::Person| crate::web::staff::person_choice(p);
    let managers = active
        .iter()
        .filter(|p| p.role != Role::Admin)
        .map(view)
        .collect();
    let executives = active
        .iter()
        .filter(|p| matches!(p.role, Role::Executive | Role::Manager))
        .map(view)
        .collect();
    (managers, executives)
}

/// A row of the checklist form: an item, or an empty row for a new one.
#[derive(Debug, Default)]
struct ItemRow {
    key: String,
    label: String,
    required: bool,
    pattern: String,
}

fn item_rows(checklist: &[ChecklistItem]) -> Vec<ItemRow> {
    checklist
        .iter()
        .map(|i| ItemRow {
            key: i.key.clone(),
            label: i.label.clone(),
            required: i.required,
            pattern: i.pattern.clone().unwrap_or_default(),
        })
        .chain((0..BLANK_ROWS).map(|_| ItemRow::default()))
        .collect()
}

/// A category as the list shows it, its people by name.
#[derive(Debug)]
struct CategoryRow {
    key: String,
    name: String,
    manager: String,
    executive: String,
    facts: Vec<ChecklistItem>,
}

/// The add form as it was sent, shown again with its refusal (empty at first).
#[derive(Debug, Default)]
struct Typed {
    key: String,
    name: String,
    manager: String,
    executive: String,
}

#[derive(askama::Template)]
#[template(path = "web/staff/admin_categories.html")]
struct CategoriesPage {
    me: Me,
    csrf: String,
    rows: Vec<CategoryRow>,
    managers: Vec<PersonChoice>,
    executives: Vec<PersonChoice>,
    typed: Typed,
    problem: Option<String>,
    notice: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "web/staff/admin_category.html")]
struct CategoryPage<'a> {
    me: Me,
    csrf: String,
    category: &'a Category,
    items: Vec<ItemRow>,
    managers: Vec<PersonChoice>,
    executives: Vec<PersonChoice>,
    problem: Option<String>,
    notice: Option<String>,
}

async fn list_page(
    state: &AppState,
    me: &SignedIn,
    problem: Option<(StatusCode, String)>,
    notice: Option<String>,
    typed: Option<Typed>,
) -> WebResult<Response> {
    let snapshot = state.directory.snapshot();
    let name = |id: PersonId| snapshot.person_name(id);
    let mut categories: Vec<&Category> = snapshot.categories.values().collect();
    categories.sort_by(|a, b| a.name.cmp(&b.name));
    let rows: Vec<CategoryRow> = categories
        .into_iter()
        .map(|c| CategoryRow {
            key: c.key.clone(),
            name: c.name.clone(),
            manager: name(c.manager),
            executive: name(c.executive),
            facts: c.checklist.clone(),
        })
        .collect();
    let (managers, executives) = choices(state);
    let status = problem.as_ref().map(|(s, _)| *s).unwrap_or(StatusCode::OK);
    let html = html(&CategoriesPage {
        me: me.me(),
        csrf: me.csrf.clone(),
        rows,
        managers,
        executives,
        typed: typed.unwrap_or_default(),
        problem: problem.map(|(_, m)| m),
        notice,
    })?;
    Ok((status, html).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    flash: Flashed,
) -> WebResult<Response> {
    admin_only(&me)?;
    Ok(flash.shown(list_page(&state, &me, None, flash.notice(), None).await?))
}

async fn edit_page(
    state: &AppState,
    me: &SignedIn,
    category: &Category,
    problem: Option<(StatusCode, String)>,
    notice: Option<String>,
) -> WebResult<Response> {
    let (managers, executives) = choices(state);
    let status = problem.as_ref().map(|(s, _)| *s).unwrap_or(StatusCode::OK);
    let html = html(&CategoryPage {
        me: me.me(),
        csrf: me.csrf.clone(),
        category,
        items: item_rows(&category.checklist),
        managers,
        executives,
        problem: problem.map(|(_, m)| m),
        notice,
    })?;
    Ok((status, html).into_response())
}

pub async fn edit(
    State(state): State<AppState>,
    me: SignedIn,
    Path(key): Path<String>,
    flash: Flashed,
) -> WebResult<Response> {
    admin_only(&me)?;
    let category = state
        .directory
        .snapshot()
        .categories
        .get(&key)
        .cloned()
        .ok_or_else(|| AppError::NotFound(format!("category {key:?}")))?;
    Ok(flash.shown(edit_page(&state, &me, &category, None, flash.notice()).await?))
}

fn person_field(form: &UploadForm, field: &str) -> Result<PersonId, AppError> {
    form.given(field)
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| AppError::invalid(field, "choose a person from the list"))
}

/// Adds a category (without checklist: its page, where that is edited, comes next).
pub async fn add(
    State(state): State<AppState>,
    me: SignedIn,
    request: Request,
) -> WebResult<Response> {
    let form = admin_form(&state, &me, request).await?;
    let key = form.given("key").unwrap_or_default().to_ascii_lowercase();
    let result = async {
        let category = Category {
            key: key.clone(),
            name: form.given("name").unwrap_or_default(),
            checklist: Vec::new(),
            manager: person_field(&form, "manager")?,
            executive: person_field(&form, "executive")?,
        };
        crate::categories::add(&state, category).await
    }
    .await;
    match result {
        Ok(added) => Ok(done_redirect(
            &state,
            &format!("/staff/admin/categories/{}", added.key),
            &format!("{} was added: now give it its checklist", added.name),
        )),
        Err(e) => {
            let problem = refused(e)?;
            let typed = Typed {
                key,
                name: form.text("name").unwrap_or_default().to_string(),
                manager: form.text("manager").unwrap_or_default().to_string(),
                executive: form.text("executive").unwrap_or_default().to_string(),
            };
            list_page(&state, &me, Some(problem), None, Some(typed)).await
        }
    }
}

/// The checklist as typed: rows `item{i}_key`, `_label`, `_required`, `_pattern`,
/// `_remove`. Fully empty rows (the blank ones offered) and removed rows are left out.
fn checklist_from(form: &UploadForm) -> Vec<ChecklistItem> {
    let mut items = Vec::new();
    for row in 0.. {
        let field = |name: &str| form.text(&format!("item{row}_{name}"));
        if field("key").is_none() && field("label").is_none() {
            break;
        }
        let mut key = field("key").unwrap_or_default().trim().to_string();
        let label = field("label").unwrap_or_default().trim().to_string();
        if key.is_empty() {
            key = key_from(&label);
        }
        if field("remove").is_some() || (key.is_empty() && label.is_empty()) {
            continue;
        }
        let pattern = field("pattern")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(String::from);
        items.push(ChecklistItem {
            key,
            label,
            required: field("required").is_some(),
            pattern,
        });
    }
    items
}

/// A key made from a new item's label when none was typed: "Order number" → `order_number`.
fn key_from(label: &str) -> String {
    let mut key = String::new();
    for c in label.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            key.push(c);
        } else if !key.is_empty() && !key.ends_with('_') {
            key.push('_');
        }
    }
    key.trim_end_matches('_').chars().take(64).collect()
}

/// Saves a category's name, people and checklist.
pub async fn save(
    State(state): State<AppState>,
    me: SignedIn,
    Path(key): Path<String>,
    request: Request,
) -> WebResult<Response> {
    let form = admin_form(&state, &me, request).await?;
    let checklist = checklist_from(&form);
    let typed = Category {
        key: key.clone(),
        name: form.given("name").unwrap_or_default(),
        checklist,
        manager: form
            .given("manager")
            .and_then(|v| v.parse().ok())
            .unwrap_or_default(),
        executive: form
            .given("executive")
            .and_then(|v| v.parse().ok())
            .unwrap_or_default(),
    };
    let result = async {
        person_field(&form, "manager")?;
        person_field(&form, "executive")?;
        crate::categories::update(&state, typed.clone()).await
    }
    .await;
    match result {
        Ok(saved) => Ok(done_redirect(
            &state,
            &format!("/staff/admin/categories/{}", saved.key),
            &format!(
                "{} was saved; intakes from now on ask for its {} fact(s)",
                saved.name,
                saved.checklist.len()
            ),
        )),
        Err(AppError::NotFound(what)) => Err(AppError::NotFound(what).into()),
        Err(e) => {
            let (status, message) = refused(e)?;
            // "checklist[2].key: …" names the third item kept, which is the third row of
            // the page shown with the refusal (removed and empty rows are not shown again).
            let message = (0..typed.checklist.len()).rev().fold(message, |m, j| {
                m.replace(
                    &format!("checklist[{j}]"),
                    &format!("checklist row {}", j + 1),
                )
            });
            edit_page(&state, &me, &typed, Some((status, message)), None).await
        }
    }
}
